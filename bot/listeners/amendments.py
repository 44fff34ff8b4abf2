"""Revise / Cancel under a profile change read from a roadmap's thread: acknowledged at once, decided by the
service (once, by someone in the thread), and the question replaced by what was decided."""

from __future__ import annotations

import logging

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import i18n
from bot.listeners.actions import STALE_BUTTON
from bot.services import Services
from bot.slack import profile_update, values
from bot.slack.ids import ACTION_CANCEL_REVISION, ACTION_REVISE_PROFILE
from bot.slack.inbound import BlockActions

log = logging.getLogger(__name__)


def register(app: AsyncApp, services: Services) -> None:
    @app.action(ACTION_REVISE_PROFILE)
    @app.action(ACTION_CANCEL_REVISION)
    async def decide(ack: AsyncAck, inbound: BlockActions, client: AsyncWebClient, respond: AsyncRespond) -> None:
        await ack()
        ref = values.decode(values.PendingRef, inbound.action.carried)
        user_id = inbound.user.id
        revise = inbound.action.action_id == ACTION_REVISE_PROFILE
        container = inbound.container

        async def apply() -> None:
            ui = i18n.choose(await services.people.language(user_id), services.people.default)
            if ref is None:
                await respond(response_type="ephemeral", replace_original=False, text=i18n.t(ui, STALE_BUTTON))
                return
            decision = await services.revisions.from_thread.decide(ref.p, user_id, revise=revise)
            note = profile_update.decision_note(decision, decision.proposal.language if decision.proposal else ui)
            if note is not None:
                await respond(response_type="ephemeral", replace_original=False, text=note)
            message = profile_update.decided_message(decision, user_id)
            if message is not None and container is not None and container.channel_id and container.message_ts:
                try:
                    await client.chat_update(channel=container.channel_id, ts=container.message_ts, **message.to_args())
                except SlackApiError as exc:  # the decision stands; only the question's wording is left behind
                    log.warning("could not update the profile question: %s", exc.response.get("error"))

        services.tasks.spawn(apply(), name=f"amend:{ref.p if ref else '?'}")
