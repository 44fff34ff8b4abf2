"""`/scale-review`, `/scale-review help`, `/scale-review list`, `/scale-review <system name>`."""

from __future__ import annotations

import asyncio
import json
import logging
import time

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot.services import Services
from bot.slack import blocks, modal
from bot.slack.ids import COMMAND
from bot.slack.inbound import SlashCommand

log = logging.getLogger(__name__)

# The command's trigger id lives 3 s, and views.open needs one Slack round trip of it: the prefill lookup
# may take until this long after the command arrived, then the questionnaire opens empty rather than late.
PREFILL_DEADLINE_S = 2.0


def register(app: AsyncApp, services: Services) -> None:
    @app.command(COMMAND)
    async def scale_review(ack: AsyncAck, inbound: SlashCommand, client: AsyncWebClient, respond: AsyncRespond) -> None:
        arrived = time.monotonic()
        text = inbound.text.strip()
        keyword = text.lower()
        if keyword in ("help", "?", "도움말"):
            await ack(**blocks.help_message().to_args())
            return
        await ack()
        team_id, user_id = inbound.team_id, inbound.user_id
        if keyword in ("list", "ls", "목록"):

            async def send_list() -> None:
                listings = await services.reviews.listings(team_id, user_id)
                await respond(response_type="ephemeral", **blocks.list_message(listings).to_args())

            services.tasks.spawn(send_list(), name=f"list:{user_id}")
            return
        services.tasks.spawn(
            _open_questionnaire(services, client, respond, inbound, system_name=text or None, arrived=arrived),
            name=f"questionnaire:{user_id}",
        )


async def _open_questionnaire(
    services: Services,
    client: AsyncWebClient,
    respond: AsyncRespond,
    command: SlashCommand,
    *,
    system_name: str | None,
    arrived: float,
) -> None:
    previous = None
    lookup = services.reviews.previous_answers(command.team_id, command.user_id, system_name)
    try:
        previous = await asyncio.wait_for(lookup, max(0.0, arrived + PREFILL_DEADLINE_S - time.monotonic()))
    except TimeoutError:
        log.warning(
            "prefill lookup not done %.1f s after the command; opening an empty questionnaire", PREFILL_DEADLINE_S
        )
    note = None
    if previous is not None:
        note = (
            f"Prefilled from your review of *{previous.profile.system_name}* on "
            f"{previous.created_at:%Y-%m-%d}. Change anything that moved on."
        )
    metadata = json.dumps({"channel": command.channel_id}, separators=(",", ":"))
    view = modal.questionnaire_view(
        private_metadata=metadata, prefill=previous.profile if previous else None, prefill_note=note
    )
    try:
        await client.views_open(trigger_id=command.trigger_id, view=view)
    except SlackApiError as exc:
        log.warning("views.open failed: %s", exc.response.get("error"))
        await respond(
            response_type="ephemeral",
            text="Sorry, Slack did not let me open the questionnaire in time. Please run /scale-review again.",
        )
