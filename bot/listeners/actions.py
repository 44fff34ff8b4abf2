"""Buttons: item status and details, "Post again", "Retry"."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot.roadmap.schema import ItemStatus
from bot.services import Services
from bot.services.items import StatusOutcome
from bot.slack import blocks
from bot.slack.ids import (
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
from bot.slack.modal import nudge_settings_view

log = logging.getLogger(__name__)


def _value(action: dict[str, Any]) -> dict[str, Any]:
    """The JSON our buttons carry (an overflow option carries it in selected_option)."""
    raw = action.get("value") or (action.get("selected_option") or {}).get("value") or "{}"
    try:
        value = json.loads(raw)
    except json.JSONDecodeError:
        return {}
    return value if isinstance(value, dict) else {}


def register(app: AsyncApp, services: Services) -> None:
    @app.action(ACTION_ITEM_STATUS_PATTERN)
    @app.action(ACTION_ITEM_MENU)
    async def item_status(ack: AsyncAck, action: dict[str, Any], body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        value = _value(action)
        try:
            version_id, item_key, status = int(value["v"]), str(value["i"]), ItemStatus(value["s"])
            shown = ItemStatus(value["f"]) if value.get("f") else None
        except (KeyError, ValueError):
            log.warning("item button with an unreadable value: %r", value)
            return
        user_id = body["user"]["id"]

        async def apply() -> None:
            try:
                outcome = await services.items.change_status(version_id, item_key, status, actor=user_id, shown=shown)
            except LookupError:
                await respond(response_type="ephemeral", replace_original=False, text="That item no longer exists.")
                return
            note = _explain(outcome)
            if note:
                await respond(response_type="ephemeral", replace_original=False, text=note)

        services.tasks.spawn(apply(), name=f"status:{version_id}:{item_key}")

    @app.action(ACTION_ITEM_DETAILS)
    async def item_details(ack: AsyncAck, action: dict[str, Any], body: dict[str, Any], client: AsyncWebClient) -> None:
        await ack()
        value = _value(action)

        async def show() -> None:
            try:
                details = await services.items.details(int(value["v"]), str(value["i"]))
            except (KeyError, ValueError, LookupError):
                log.warning("details button for an unknown item: %r", value)
                return
            view = blocks.item_details_view(details.item, details.status, system_name=details.system_name)
            await client.views_open(trigger_id=body["trigger_id"], view=view)

        services.tasks.spawn(show(), name="details")

    @app.action(ACTION_REPOST)
    async def repost(ack: AsyncAck, action: dict[str, Any], body: dict[str, Any]) -> None:
        await ack()
        roadmap_id = _value(action).get("r")
        if isinstance(roadmap_id, int):
            user_id = body["user"]["id"]
            services.tasks.spawn(services.reviews.repost(roadmap_id, user_id=user_id), name=f"repost:{roadmap_id}")

    @app.action(ACTION_RETRY)
    @app.action(ACTION_REGENERATE)
    async def retry(ack: AsyncAck, action: dict[str, Any], body: dict[str, Any]) -> None:
        await ack()
        roadmap_id = _value(action).get("r")
        if isinstance(roadmap_id, int):
            services.reviews.retry(roadmap_id, user_id=body["user"]["id"])

    @app.action(ACTION_NUDGE_SNOOZE)
    @app.action(ACTION_NUDGE_PAUSE)
    @app.action(ACTION_NUDGE_RESUME)
    async def nudge_control(ack: AsyncAck, action: dict[str, Any], body: dict[str, Any], respond: AsyncRespond) -> None:
        await ack()
        roadmap_id = _value(action).get("r")
        if not isinstance(roadmap_id, int):
            return
        user_id, team_id = body["user"]["id"], (body.get("team") or {}).get("id") or body["user"].get("team_id")
        from_home = (body.get("container") or {}).get("type") == "view"

        async def apply() -> None:
            now = datetime.now(UTC)
            try:
                if action["action_id"] == ACTION_NUDGE_SNOOZE:
                    view = await services.nudges.snooze(roadmap_id, now=now)
                elif action["action_id"] == ACTION_NUDGE_PAUSE:
                    view = await services.nudges.pause(roadmap_id)
                else:
                    view = await services.nudges.resume(roadmap_id, now=now)
            except LookupError:
                view = None
            if from_home:
                await services.reviews.publish_home(team_id, user_id)
            elif view is not None:
                await respond(response_type="ephemeral", replace_original=False, text=f"{view.text}.")
            if view is not None:
                await services.reviews.refresh_parent(roadmap_id)

        services.tasks.spawn(apply(), name=f"nudge-control:{roadmap_id}")

    @app.action(ACTION_NUDGE_SETTINGS)
    async def nudge_settings(
        ack: AsyncAck, action: dict[str, Any], body: dict[str, Any], client: AsyncWebClient
    ) -> None:
        await ack()
        roadmap_id = _value(action).get("r")
        if not isinstance(roadmap_id, int):
            return
        try:
            weekday, local_time, timezone, paused = await services.nudges.settings(roadmap_id)
        except LookupError:
            return
        view = nudge_settings_view(
            roadmap_id=roadmap_id, weekday=weekday, local_time=local_time, timezone=timezone, paused=paused
        )
        await client.views_open(trigger_id=body["trigger_id"], view=view)

    @app.action(ACTION_OPEN_THREAD)
    async def open_thread(ack: AsyncAck) -> None:
        await ack()  # a link button: Slack opens the URL itself


def _explain(outcome: StatusOutcome) -> str | None:
    """Only surprises need words; an ordinary change shows in the refreshed message."""
    if outcome.kind == "outdated_version":
        return (
            f"This message belongs to an older version of the roadmap; version {outcome.latest_version} is the "
            "current one, further down the thread. Nothing was changed."
        )
    if outcome.kind == "stale":
        who = f"<@{outcome.changed_by}>" if outcome.changed_by else "Someone"
        return (
            f"{who} already set {outcome.item_key} to *{outcome.status.label}*, so I left it and refreshed the "
            "message. Click again if you still want to change it."
        )
    return None
