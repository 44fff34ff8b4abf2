"""The questionnaire submission: field errors back into the modal, or answers stored and the review started."""

from __future__ import annotations

import asyncio
import logging
import time
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from slack_bolt.async_app import AsyncAck, AsyncApp

from bot import i18n
from bot.i18n import N_
from bot.roadmap.profile_io import field_errors
from bot.roadmap.sanity import check_profile
from bot.roadmap.schema import SystemProfile
from bot.services import Services
from bot.services.errors import ChannelUnavailable, PublishFailed
from bot.services.schedule import ScheduleError, parse_time, zone
from bot.slack import values
from bot.slack.ids import NUDGE_SETTINGS_CALLBACK, QUESTIONNAIRE_CALLBACK
from bot.slack.inbound import ViewSubmission
from bot.slack.modal.errors import field_errors_to_blocks
from bot.slack.modal.fields import CHANNEL_BLOCK
from bot.slack.modal.nudge_settings import nudge_settings_errors, read_nudge_settings
from bot.slack.modal.reading import read_submission

log = logging.getLogger(__name__)

# Slack shows the person an error when a submission is not acknowledged within 3 s. Opening the thread first
# lets a channel problem show up in the modal itself, but only while time is left: under load the database
# write before it may already have taken a while, so the wait ends at ACK_BY_S after the listener started.
THREAD_BUDGET_S = 1.5
ACK_BY_S = 2.0

_CHANNEL_HELP = {
    "not_in_channel": N_(
        "I'm not in <#{channel}> yet. Invite me with `/invite @scale-review` there, or pick another channel."
    ),
    "channel_not_found": N_(
        "I can't see that channel. Invite me to it with `/invite @scale-review`, or pick another one."
    ),
    "is_archived": N_("That channel is archived. Pick another one."),
}


def register(app: AsyncApp, services: Services) -> None:
    @app.view(QUESTIONNAIRE_CALLBACK)
    async def questionnaire_submitted(ack: AsyncAck, inbound: ViewSubmission) -> None:
        started = time.monotonic()
        form = values.form_context(inbound.view.private_metadata)
        ui = i18n.choose(i18n.language(form.ui), services.people.default)  # the form's own language
        data, selected = read_submission(inbound.view.state.answers())
        try:
            profile = SystemProfile.model_validate(data)
        except ValidationError as exc:
            await ack(response_action="errors", errors=field_errors_to_blocks(field_errors(exc), ui))
            return
        refusals = {f.field: f.say(ui) for f in check_profile(profile) if f.refuse}
        if refusals:  # absurd or empty answers: say what to measure or tell, on the field, before any plan
            await ack(response_action="errors", errors=field_errors_to_blocks(list(refusals.items()), ui))
            return
        channel_id = selected or form.channel
        if not channel_id:
            problem = i18n.t(ui, "Pick a channel to post the roadmap in.")
            await ack(response_action="errors", errors={CHANNEL_BLOCK: problem})
            return
        user_id, team_id = inbound.user.id, inbound.team_id
        if team_id is None:
            problem = i18n.t(ui, "Slack did not say which workspace this is; please submit again.")
            await ack(response_action="errors", errors={CHANNEL_BLOCK: problem})
            return
        # the roadmap's language: the person's Slack locale, else the language the answers are written in
        locale = i18n.language(form.lang)
        lang = i18n.choose(profile.language, locale, i18n.of_answers(profile), services.people.default)
        if form.edit is not None:  # "Edit answers": the next version, same thread
            profile = profile.model_copy(update={"language": ui})  # a revision keeps its roadmap's language
            try:
                await services.revisions.revise(form.edit, profile, user_id=user_id)
            except LookupError:
                problem = i18n.t(ui, "This roadmap no longer exists; run /scale-review to start a new one.")
                await ack(response_action="errors", errors={CHANNEL_BLOCK: problem})
                return
            await ack()
            return
        profile = profile.model_copy(update={"language": lang})
        submission = await services.reviews.submit(team_id, user_id, channel_id, profile)
        opening = asyncio.ensure_future(services.reviews.post_parent(submission))
        opening.add_done_callback(_observed)  # the run handles a failure the modal no longer waits for
        told_in_modal: asyncio.Future[bool] = asyncio.get_running_loop().create_future()
        services.reviews.start_submitted(submission, opening, told_in_modal)  # the engine need not wait for Slack
        try:
            budget = min(THREAD_BUDGET_S, ACK_BY_S - (time.monotonic() - started))
            await asyncio.wait_for(asyncio.shield(opening), max(budget, 0.0))
        except ChannelUnavailable as exc:
            told_in_modal.set_result(True)
            message = i18n.t(ui, _CHANNEL_HELP[exc.reason], channel=channel_id)
            await ack(response_action="errors", errors={CHANNEL_BLOCK: message})
            return
        except (TimeoutError, PublishFailed) as exc:
            log.info(
                "thread for roadmap %s not open yet (%s); continuing in the background", submission.roadmap_id, exc
            )
        finally:
            if not told_in_modal.done():  # from here on, only the run can tell the person
                told_in_modal.set_result(False)
        await ack()


def register_nudge_settings(app: AsyncApp, services: Services) -> None:
    @app.view(NUDGE_SETTINGS_CALLBACK)
    async def nudge_settings_submitted(ack: AsyncAck, inbound: ViewSubmission) -> None:
        ref = values.decode(values.RoadmapRef, inbound.view.private_metadata)
        lang = i18n.choose(services.people.known_language(inbound.user.id), services.people.default)
        answers = read_nudge_settings(inbound.view.state.answers())
        problems: dict[str, str] = {}
        weekday = answers.get("weekday")
        at = None
        try:
            at = parse_time(answers["local_time"]) if answers.get("local_time") else None
        except ScheduleError as exc:
            problems["local_time"] = exc.say(lang)
        timezone = answers.get("timezone")
        if timezone:
            try:
                zone(timezone)
            except ScheduleError as exc:
                problems["timezone"] = exc.say(lang)
        if ref is None:
            problems["weekday"] = i18n.t(
                lang, "This form no longer belongs to a roadmap I know; open the nudge settings again."
            )
        if problems or ref is None:
            await ack(response_action="errors", errors=nudge_settings_errors(problems, lang))
            return
        await ack()
        roadmap_id = ref.r

        async def apply() -> None:
            try:
                await services.nudges.change(
                    roadmap_id,
                    now=datetime.now(UTC),
                    weekday=weekday,
                    at=at,
                    timezone=timezone,
                    paused=bool(answers.get("paused")),
                )
            except LookupError:
                log.info("nudge settings for roadmap %s, which no longer exists", roadmap_id)
                return
            await services.reviews.refresh_parent(roadmap_id)

        services.tasks.spawn(apply(), name=f"nudge-settings:{roadmap_id}")


def _observed(future: asyncio.Future[Any]) -> None:
    if not future.cancelled():
        future.exception()
