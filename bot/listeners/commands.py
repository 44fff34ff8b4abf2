"""`/scale-review`, `/scale-review help`, `/scale-review list`, `/scale-review <system name>`."""

from __future__ import annotations

import asyncio
import logging
import time

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from bot import i18n
from bot.services import Services
from bot.slack import render, values
from bot.slack.ids import COMMAND
from bot.slack.inbound import SlashCommand
from bot.slack.modal.questionnaire import questionnaire_view

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
        team_id, user_id = inbound.team_id, inbound.user_id
        # the acknowledgement cannot wait for users.info: a Korean keyword, or what is remembered of the person
        said_in: i18n.Language | None = "ko" if keyword in ("도움말", "목록") else None
        lang = i18n.choose(said_in, services.people.known_language(user_id), services.people.default)
        if keyword in ("help", "?", "도움말"):
            await ack(**render.help_message(lang).to_args())
            return
        await ack()
        if keyword in ("list", "ls", "목록"):

            async def send_list() -> None:
                listings = await services.reviews.listings(team_id, user_id)
                await respond(response_type="ephemeral", **render.list_message(listings, lang).to_args())

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
    previous, locale = None, None
    lookup = services.reviews.previous_answers(command.team_id, command.user_id, system_name)
    language = services.people.language(command.user_id)
    both = asyncio.gather(lookup, language, return_exceptions=True)
    try:
        found = await asyncio.wait_for(both, max(0.0, arrived + PREFILL_DEADLINE_S - time.monotonic()))
    except TimeoutError:
        log.warning(
            "prefill lookup not done %.1f s after the command; opening an empty questionnaire", PREFILL_DEADLINE_S
        )
    else:
        previous = found[0] if not isinstance(found[0], BaseException) else None
        locale = found[1] if not isinstance(found[1], BaseException) else None
        for failure in (f for f in found if isinstance(f, BaseException)):
            log.warning("questionnaire lookup failed: %s", type(failure).__name__)
    # the form speaks the person's Slack language, else the language of their last answers or of the command
    earlier = previous.profile.language if previous is not None else None
    lang = i18n.choose(locale, earlier, i18n.written_in(system_name), services.people.default)
    note = None
    if previous is not None:
        note = i18n.t(
            lang,
            "Prefilled from your review of *{system}* on {date}. Change anything that moved on.",
            system=previous.profile.system_name,
            date=f"{previous.created_at:%Y-%m-%d}",
        )
    # "lang" is the Slack locale only (None when Slack did not say): the submission weighs it against the answers
    metadata = values.encode(values.FormContext(channel=command.channel_id, lang=locale, ui=lang))
    view = questionnaire_view(
        private_metadata=metadata, prefill=previous.profile if previous else None, prefill_note=note, lang=lang
    )
    try:
        await client.views_open(trigger_id=command.trigger_id, view=view)
    except SlackApiError as exc:
        log.warning("views.open failed: %s", exc.response.get("error"))
        await respond(
            response_type="ephemeral",
            text=i18n.t(
                lang, "Sorry, Slack did not let me open the questionnaire in time. Please run /scale-review again."
            ),
        )
