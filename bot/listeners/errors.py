"""The last resort when a listener raises: log it once, and tell the person where Slack gives a way to.

It cannot fail: every step is guarded, so one crash is one log line with its traceback, never a second
traceback from the handler itself. Only verified, validated requests reach it (bot.slack.boundary).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from slack_bolt.async_app import AsyncApp, AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from bot import i18n
from bot.i18n import N_, Language, t
from bot.services.people import People
from bot.slack.inbound import AppMention, BlockActions, EventCallback, MessageEvent, SlashCommand, ViewSubmission

log = logging.getLogger(__name__)

SORRY = N_("Sorry, something went wrong on my side (it is logged). Please try again in a moment.")


@dataclass(frozen=True)
class Apology:
    """Where to say sorry: a response_url, an ephemeral in a channel, or a direct message."""

    response_url: str | None = None
    channel: str | None = None
    user: str | None = None  # with channel: an ephemeral; alone: a direct message


def apology_for(inbound: Any) -> Apology | None:
    """The way back to the person for each kind of request; None where there is none (App Home, bot messages)."""
    if isinstance(inbound, SlashCommand | BlockActions) and inbound.response_url:
        return Apology(response_url=inbound.response_url)
    if isinstance(inbound, BlockActions):
        return Apology(user=inbound.user.id)
    if isinstance(inbound, ViewSubmission):
        return Apology(user=inbound.user.id)  # a modal has no response_url: a direct message
    if isinstance(inbound, EventCallback) and isinstance(inbound.event, MessageEvent | AppMention):
        event = inbound.event
        if event.user and not event.bot_id:
            return Apology(channel=event.channel, user=event.user)
    return None


def describe(inbound: Any) -> str:
    if isinstance(inbound, SlashCommand):
        return f"slash command {inbound.command}"
    if isinstance(inbound, BlockActions):
        return f"block action {inbound.action.action_id}"
    if isinstance(inbound, ViewSubmission):
        return f"view submission {inbound.view.callback_id}"
    if isinstance(inbound, EventCallback):
        return f"{inbound.event.type} event"
    return type(inbound).__name__


async def apologise(apology: Apology, context: AsyncBoltContext, client: AsyncWebClient, lang: Language) -> None:
    sorry = t(lang, SORRY)
    if apology.response_url and context.respond is not None:
        await context.respond(response_type="ephemeral", replace_original=False, text=sorry)
    elif apology.channel and apology.user:
        await client.chat_postEphemeral(channel=apology.channel, user=apology.user, text=sorry)
    elif apology.user:
        await client.chat_postMessage(channel=apology.user, text=sorry)


def register(app: AsyncApp, people: People) -> None:
    @app.error
    async def on_error(error: Exception, context: AsyncBoltContext) -> None:
        inbound = context.get("inbound")
        try:
            log.error("unhandled error in a %s listener (user %s)", describe(inbound), context.user_id, exc_info=error)
            apology = apology_for(inbound)
            if apology is not None and context.client is not None:
                lang = i18n.choose(people.known_language(context.user_id or ""), people.default)
                await apologise(apology, context, context.client, lang)
        except Exception as exc:  # the handler of last resort must not raise in turn
            log.warning("could not tell the person about the error: %s", type(exc).__name__)
