""" "Edit answers" on a roadmap's parent message: the questionnaire opens with the answers the roadmap was made
from; submitting it posts the next version in the same thread (the questionnaire listener in views.py)."""

from __future__ import annotations

from slack_bolt.async_app import AsyncAck, AsyncApp, AsyncRespond
from slack_sdk.web.async_client import AsyncWebClient

from bot import i18n
from bot.listeners.actions import STALE_BUTTON, open_view
from bot.services import Services
from bot.slack import values
from bot.slack.ids import ACTION_EDIT_ANSWERS
from bot.slack.inbound import BlockActions
from bot.slack.modal.questionnaire import questionnaire_view


def register(app: AsyncApp, services: Services) -> None:
    @app.action(ACTION_EDIT_ANSWERS)
    async def edit_answers(ack: AsyncAck, inbound: BlockActions, client: AsyncWebClient, respond: AsyncRespond) -> None:
        await ack()
        ref = values.decode(values.RoadmapRef, inbound.action.carried)
        ui = i18n.choose(services.people.known_language(inbound.user.id), services.people.default)
        try:
            if ref is None or inbound.trigger_id is None:
                raise LookupError("unreadable edit button")
            answers = await services.revisions.answers(ref.r)
        except LookupError:
            if respond is not None:
                await respond(response_type="ephemeral", replace_original=False, text=i18n.t(ui, STALE_BUTTON))
            return
        lang = answers.profile.language or ui  # the roadmap's language: the new version keeps it
        note = i18n.t(
            lang,
            "Editing the answers of *{system}* (v{version}). Submitting posts the next version in its thread; "
            "statuses carry over and the summary says what changed.",
            system=answers.profile.system_name,
            version=answers.version or 1,
        )
        metadata = values.encode(values.FormContext(channel=answers.channel_id, edit=ref.r, ui=lang))
        view = questionnaire_view(private_metadata=metadata, prefill=answers.profile, prefill_note=note, lang=lang)
        await open_view(client, inbound.trigger_id, view, respond, ui)
