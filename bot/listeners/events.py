"""Events API: thread replies ("done 1.2"), mentions (questions about a roadmap in its thread), the App Home;
each event handled once."""

from __future__ import annotations

import logging
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncSay
from slack_bolt.response import BoltResponse

from bot import i18n
from bot.roadmap import amendment
from bot.services import Services
from bot.services.amendments import message_day
from bot.services.exports import is_export_command
from bot.services.items import Assignment, CommandResult, DueDates, parse_assign, parse_due, parse_status_command
from bot.services.schedule import ScheduleError, parse_nudge_command
from bot.services.thread_queries import ThreadAnswer, parse_query
from bot.slack import boundary, profile_update, render
from bot.slack.inbound import AppHomeOpened, AppMention, EventCallback, MessageEvent

log = logging.getLogger(__name__)

# The Events API subscriptions this module relies on (the manifest must list exactly these):
# a Bolt `message` listener cannot say which conversation types it is meant for, so we do.
# app_uninstalled and tokens_revoked: bot/listeners/installs.py.
SUBSCRIBED_EVENTS = (
    "app_mention",
    "message.channels",
    "message.groups",
    "app_home_opened",
    "app_uninstalled",
    "tokens_revoked",
)

_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
_IGNORED_SUBTYPES = {"bot_message", "message_changed", "message_deleted", "channel_join", "channel_leave"}


def register_middleware(app: AsyncApp, services: Services) -> None:
    @app.middleware
    async def handle_each_event_once(body: dict[str, Any], next: Callable[[], Awaitable[None]]) -> BoltResponse | None:
        """Slack retries an event it believes unacknowledged (X-Slack-Retry-Num); the event id tells."""
        event_id = body.get("event_id") if body.get("type") == "event_callback" else None
        if event_id and not await services.events.first_time(str(event_id)):
            log.info("event %s already handled; ignoring Slack's retry", event_id)
            return BoltResponse(status=200, body="")
        await next()
        return None


def register(app: AsyncApp, services: Services) -> None:
    @app.event("message")
    async def thread_reply(inbound: EventCallback, say: AsyncSay) -> None:
        event = inbound.event
        if not isinstance(event, MessageEvent):
            return
        thread_ts, user_id, channel = event.thread_ts, event.user, event.channel
        if event.subtype in _IGNORED_SUBTYPES or event.bot_id or not thread_ts or not user_id:
            return
        if thread_ts == event.ts:
            return  # a top-level message, not a reply
        text = event.text

        async def handle() -> None:
            await boundary.after_acknowledgements()
            await services.discussion.remember(channel, thread_ts, event.ts, user_id, text)
            if is_export_command(text):  # "export" / "내보내기": the roadmap's files, uploaded into the thread
                await services.exports.export_thread(channel, thread_ts)
                return
            query = parse_query(text)
            if query is not None:
                answer = await services.queries.answer(channel, thread_ts, query, now=datetime.now(UTC))
                if answer is not None:
                    for message in _query_replies(answer):
                        await say(**message, thread_ts=thread_ts)
                return
            reply = await services.nudges.command(channel, thread_ts, text, now=datetime.now(UTC))
            if reply is not None:
                await say(text=reply, thread_ts=thread_ts)
                roadmap_refresh = await services.reviews.roadmap_for_thread(channel, thread_ts)
                if roadmap_refresh is not None:
                    await services.reviews.refresh_parent(roadmap_refresh)
                return
            due = await services.items.thread_due(channel, thread_ts, text, today=datetime.now(UTC).date())
            if due is not None:
                await say(text=_due_reply(due), thread_ts=thread_ts)
                return
            assignment = await services.items.thread_assign(channel, thread_ts, text)
            if assignment is not None:
                await say(text=_assigned(assignment, user_id), thread_ts=thread_ts)
                return
            result = await services.items.thread_command(channel, thread_ts, text, actor=user_id)
            if result is not None:
                await say(text=_summarise(result, user_id), thread_ts=thread_ts)
                return
            proposal = await services.revisions.from_thread.propose(channel, thread_ts, event.ts, user_id, text)
            if proposal is not None:  # "the budget is now $2k/month": asked to confirm in one click
                await say(**profile_update.proposal_message(proposal).to_args(), thread_ts=thread_ts)

        services.tasks.spawn(handle(), name=f"thread:{channel}:{thread_ts}")

    @app.event("app_mention")
    async def mentioned(inbound: EventCallback, say: AsyncSay) -> None:
        event = inbound.event
        if not isinstance(event, AppMention):
            return
        if event.bot_id:
            return
        text, in_thread, channel, user = event.text, event.thread_ts, event.channel, event.user
        thread_ts = in_thread or event.ts

        async def reply() -> None:
            await boundary.after_acknowledgements()
            # parsed off the acknowledgement path: the ack never waits for the text, however long it is
            command = parse_status_command(text) or _looks_like_nudge_command(text) or is_export_command(text)
            command = command or parse_assign(text) is not None or _looks_like_due(text)
            today = message_day(event.ts)
            command = command or amendment.read_claims(_MENTION.sub("", text), today).any  # a change: confirmed
            if in_thread and (command or parse_query(text)):
                return  # the message event for the same reply carries the command
            question = _MENTION.sub("", text).strip()
            answer = None
            if in_thread:
                await services.discussion.remember(channel, in_thread, event.ts, user, text)
                answer = await services.discussion.answer(channel, in_thread, question, asked_ts=event.ts)
            if answer is None:  # not in a roadmap's thread: say what I do, in the person's language
                lang = i18n.choose(
                    await services.people.language(user) if user else None,
                    i18n.written_in(question),
                    services.people.default,
                )
                await say(text=render.mention_reply(lang), thread_ts=thread_ts)
            else:
                for message in render.discussion_replies(answer):
                    await say(**message.to_args(), thread_ts=thread_ts)

        services.tasks.spawn(reply(), name=f"mention:{channel}:{thread_ts}")

    @app.event("app_home_opened")
    async def home_opened(inbound: EventCallback) -> None:
        event = inbound.event
        if not isinstance(event, AppHomeOpened):
            return
        if event.tab != "home":
            return
        team_id, user_id = inbound.team_id, event.user

        async def publish() -> None:
            lang = i18n.choose(await services.people.language(user_id), services.people.default)
            await services.reviews.publish_home(team_id, user_id, lang)

        services.tasks.spawn(publish(), name="home")


def _due_reply(due: DueDates) -> str:
    lang = due.language
    if due.problem is not None:
        return i18n.t(lang, "I could not set the due date: {why}.", why=due.problem.say(lang))
    lines = []
    if due.set:
        if due.due_on is None:
            lines.append(i18n.t(lang, "{ids}: no due date any more.", ids=", ".join(due.set)))
        else:
            day = render.day_label(due.due_on, lang)
            lines.append(
                i18n.t(lang, "{ids}: due {day}; the weekly check-in shows it.", ids=", ".join(due.set), day=day)
            )
    if due.unknown:
        lines.append(i18n.t(lang, "{ids}: not an item of this roadmap.", ids=", ".join(due.unknown)))
    return "\n".join(lines)


def _assigned(assignment: Assignment, actor: str) -> str:
    lang = assignment.language
    lines = []
    if assignment.assigned:
        lines.append(
            i18n.t(
                lang,
                "{who} assigned {ids} to {owner}: the weekly check-in mentions them there.",
                who=f"<@{actor}>",
                ids=", ".join(assignment.assigned),
                owner=f"<@{assignment.owner}>",
            )
        )
    if assignment.unknown:
        lines.append(i18n.t(lang, "{ids}: not an item of this roadmap.", ids=", ".join(assignment.unknown)))
    return "\n".join(lines)


def _query_replies(answer: ThreadAnswer) -> list[dict[str, Any]]:
    if answer.query == "help":
        return [{"text": render.thread_help(answer.language)}]
    if answer.query == "versions":
        return [m.to_args() for m in render.versions_message(answer.versions, answer.system_name, answer.language)]
    if answer.digest is None:
        return [{"text": i18n.t(answer.language, "There is no roadmap in this thread yet.")}]
    return [render.nudge_message(answer.digest).to_args()]


def _looks_like_due(text: str) -> bool:
    try:
        return parse_due(text, datetime.now(UTC).date()) is not None
    except ScheduleError:
        return True  # a due command with a bad day: the message listener answers it


def _looks_like_nudge_command(text: str) -> bool:
    try:
        return parse_nudge_command(text) is not None
    except ScheduleError:
        return True  # a nudge command with a bad value: the message listener answers it


def _summarise(result: CommandResult, user_id: str) -> str:
    lines = []
    for outcome in result.outcomes:
        if outcome.kind == "outdated_version":
            continue
        lines.append(render.status_note(outcome.item_key, outcome.title, outcome.status, user_id, result.language))
    if result.reason and lines:
        lines.append(i18n.t(result.language, "Reason kept with the change: {why}", why=result.reason))
    if result.unknown:
        lines.append(i18n.t(result.language, "{ids}: not an item of this roadmap.", ids=", ".join(result.unknown)))
    return "\n".join(lines) or i18n.t(result.language, "Nothing to change.")
