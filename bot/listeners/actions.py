"""Buttons: item status and details, "Post again", "Retry"."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import aiohttp
from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.models.views import View
from slack_sdk.web.async_client import AsyncWebClient

from bot import i18n
from bot.i18n import N_, Language, t
from bot.services import Services
from bot.services.items import StatusOutcome
from bot.slack import render, values
from bot.slack.ids import (
    ACTION_EXPORT,
    ACTION_ITEM_DETAILS,
    ACTION_ITEM_MENU,
    ACTION_ITEM_STATUS_PATTERN,
    ACTION_NUDGE_PAUSE,
    ACTION_NUDGE_RESUME,
    ACTION_NUDGE_SETTINGS,
    ACTION_NUDGE_SNOOZE,
    ACTION_OPEN_THREAD,
    ACTION_REGENERATE,
    ACTION_REPOST,
    ACTION_RETRY,
)
from bot.slack.inbound import BlockActions
from bot.slack.modal.nudge_settings import nudge_settings_view

log = logging.getLogger(__name__)

STALE_BUTTON = N_("That button belongs to a roadmap or item that no longer exists, so nothing was changed.")
GONE_ITEM = N_("That item no longer exists.")
NOT_OPENED = N_("Slack did not let me open that window ({error}). Please press the button again.")


def register(app: AsyncApp, services: Services) -> None:
    @app.action(ACTION_ITEM_STATUS_PATTERN)
    @app.action(ACTION_ITEM_MENU)
    async def item_status(ack: AsyncAck, inbound: BlockActions, respond: AsyncRespond) -> None:
        await ack()
        lang = _language(services, inbound.user.id)
        value = values.decode(values.StatusChange, inbound.action.carried)
        if value is None:
            log.warning("item button with an unreadable value (%s)", inbound.action.action_id)
            await _tell(respond, t(lang, STALE_BUTTON))
            return
        version_id, item_key, status, shown = value.v, value.i, value.s, value.f
        user_id = inbound.user.id

        async def apply() -> None:
            try:
                outcome = await services.items.change_status(version_id, item_key, status, actor=user_id, shown=shown)
            except LookupError:
                await _tell(respond, t(lang, GONE_ITEM))
                return
            note = _explain(outcome, lang)
            if note:
                await _tell(respond, note)

        services.tasks.spawn(apply(), name=f"status:{version_id}:{item_key}")

    @app.action(ACTION_ITEM_DETAILS)
    async def item_details(ack: AsyncAck, inbound: BlockActions, client: AsyncWebClient, respond: AsyncRespond) -> None:
        await ack()
        lang = _language(services, inbound.user.id)
        value = values.decode(values.ItemRef, inbound.action.carried)
        trigger_id = inbound.trigger_id

        async def show() -> None:
            try:
                if value is None or trigger_id is None:
                    raise LookupError("unreadable details button")
                details = await services.items.details(value.v, value.i)
            except LookupError:
                log.warning("details button for an unknown item")
                await _tell(respond, t(lang, STALE_BUTTON))
                return
            view = render.item_details_view(
                details.item, details.status, system_name=details.system_name, lang=details.language
            )
            await open_view(client, trigger_id, view, respond, lang)

        services.tasks.spawn(show(), name="details")

    @app.action(ACTION_REPOST)
    async def repost(ack: AsyncAck, inbound: BlockActions, respond: AsyncRespond) -> None:
        await ack()
        lang = _language(services, inbound.user.id)
        ref = await _roadmap_ref(inbound, respond, lang)
        if ref is None:
            return
        user_id = inbound.user.id
        services.tasks.spawn(services.reviews.repost(ref.r, user_id=user_id), name=f"repost:{ref.r}")

    @app.action(ACTION_RETRY)
    @app.action(ACTION_REGENERATE)
    async def retry(ack: AsyncAck, inbound: BlockActions, respond: AsyncRespond) -> None:
        await ack()
        lang = _language(services, inbound.user.id)
        ref = await _roadmap_ref(inbound, respond, lang)
        if ref is None:
            return
        services.reviews.retry(ref.r, user_id=inbound.user.id)

    @app.action(ACTION_NUDGE_SNOOZE)
    @app.action(ACTION_NUDGE_PAUSE)
    @app.action(ACTION_NUDGE_RESUME)
    async def nudge_control(ack: AsyncAck, inbound: BlockActions, respond: AsyncRespond) -> None:
        await ack()
        lang = _language(services, inbound.user.id)
        ref = await _roadmap_ref(inbound, respond, lang)
        if ref is None:
            return
        roadmap_id, action_id = ref.r, inbound.action.action_id
        user_id, team_id = inbound.user.id, inbound.team_id
        from_home = inbound.container is not None and inbound.container.type == "view"

        async def apply() -> None:
            now = datetime.now(UTC)
            try:
                if action_id == ACTION_NUDGE_SNOOZE:
                    view = await services.nudges.snooze(roadmap_id, now=now)
                elif action_id == ACTION_NUDGE_PAUSE:
                    view = await services.nudges.pause(roadmap_id)
                else:
                    view = await services.nudges.resume(roadmap_id, now=now)
            except LookupError:
                view = None
            if from_home and team_id is not None:
                await services.reviews.publish_home(team_id, user_id, lang)
            elif view is None:
                await _tell(respond, t(lang, STALE_BUTTON))
            elif view is not None:
                await _tell(respond, f"{view.text(lang)}.")
            if view is not None:
                await services.reviews.refresh_parent(roadmap_id)

        services.tasks.spawn(apply(), name=f"nudge-control:{roadmap_id}")

    @app.action(ACTION_NUDGE_SETTINGS)
    async def nudge_settings(
        ack: AsyncAck, inbound: BlockActions, client: AsyncWebClient, respond: AsyncRespond
    ) -> None:
        await ack()
        lang = _language(services, inbound.user.id)
        ref = values.decode(values.RoadmapRef, inbound.action.carried)
        if ref is None or inbound.trigger_id is None:
            await _tell(respond, t(lang, STALE_BUTTON))
            return
        roadmap_id = ref.r
        try:
            weekday, local_time, timezone, paused = await services.nudges.settings(roadmap_id)
        except LookupError:
            await _tell(respond, t(lang, STALE_BUTTON))
            return
        view = nudge_settings_view(
            roadmap_id=roadmap_id, weekday=weekday, local_time=local_time, timezone=timezone, paused=paused, lang=lang
        )
        await open_view(client, inbound.trigger_id, view, respond, lang)

    @app.action(ACTION_EXPORT)
    async def export_files(ack: AsyncAck, inbound: BlockActions, respond: AsyncRespond) -> None:
        await ack()
        ref = await _roadmap_ref(inbound, respond, _language(services, inbound.user.id))
        if ref is None:
            return
        services.tasks.spawn(services.exports.export_roadmap(ref.r), name=f"export:{ref.r}")

    @app.action(ACTION_OPEN_THREAD)
    async def open_thread(ack: AsyncAck) -> None:
        await ack()  # a link button: Slack opens the URL itself


async def open_view(
    client: AsyncWebClient, trigger_id: str | None, view: View, respond: AsyncRespond, lang: Language
) -> None:
    """Open a window from a button; a trigger Slack refuses (expired after 3 s, or forged) is said, not raised."""
    try:
        await client.views_open(trigger_id=trigger_id or "", view=view)
    except SlackApiError as exc:
        error = str(exc.response.get("error") or "error")
        log.warning("views.open from a button failed: %s", error)
        await _tell(respond, t(lang, NOT_OPENED, error=error))


async def _roadmap_ref(inbound: BlockActions, respond: AsyncRespond, lang: Language) -> values.RoadmapRef | None:
    """The roadmap a button is about, or None after telling the person it is stale (unreadable or gone)."""
    ref = values.decode(values.RoadmapRef, inbound.action.carried)
    if ref is None:
        await _tell(respond, t(lang, STALE_BUTTON))
    return ref


async def _tell(respond: AsyncRespond | None, text: str) -> None:
    """An ephemeral note to whoever clicked, where the click came with a response_url (not on App Home).

    Best effort: a response_url expires after 30 minutes and five uses, and what the click changed is already
    stored and shown in the message, so a refused note is a warning, not a failed task.
    """
    if respond is None:
        return
    try:
        await respond(response_type="ephemeral", replace_original=False, text=text)
    except (aiohttp.ClientError, TimeoutError, ValueError) as exc:
        log.warning("could not answer on the response_url (%s)", type(exc).__name__)


def _explain(outcome: StatusOutcome, lang: Language) -> str | None:
    """Only surprises need words; an ordinary change shows in the refreshed message."""
    if outcome.kind == "outdated_version":
        return t(
            lang,
            "This message belongs to an older version of the roadmap; version {version} is the "
            "current one, further down the thread. Nothing was changed.",
            version=outcome.latest_version,
        )
    if outcome.kind == "stale":
        who = f"<@{outcome.changed_by}>" if outcome.changed_by else t(lang, "Someone")
        return t(
            lang,
            "{who} already set {id} to *{status}*, so I left it and refreshed the "
            "message. Click again if you still want to change it.",
            who=who,
            id=outcome.item_key,
            status=render.status_label(outcome.status, lang),
        )
    return None


def _language(services: Services, user_id: str) -> Language:
    """A reply to a click speaks the clicker's language, as far as it is known without a call."""
    return i18n.choose(services.people.known_language(user_id), services.people.default)
