"""The message that asks a thread to confirm a profile change read from it ("Update the profile: budget $8,000 ->
$2,000 / month? [Revise] [Cancel]"), and the same message once someone has decided. Built with slack_sdk's models."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ConfirmObject,
    ContextBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.i18n import Language, t
from bot.roadmap.amendment import Change
from bot.roadmap.amendment_words import describe, refusal
from bot.services.amendments import Decision, Proposal
from bot.slack import values
from bot.slack.ids import ACTION_CANCEL_REVISION, ACTION_REVISE_PROFILE
from bot.slack.render.kit import FALLBACK_MAX, SlackMessage, escape_mrkdwn, shorten

BLOCK_ID = "profile_update"


def _lines(changes: tuple[Change, ...], lang: Language) -> str:
    return "\n".join(f"• {escape_mrkdwn(describe(c, lang))}" for c in changes)


def _fallback(text: str) -> str:
    return shorten(" ".join(text.split()), FALLBACK_MAX)


def proposal_message(proposal: Proposal) -> SlackMessage:
    """The question with Revise and Cancel, or (when nothing can be changed) why not."""
    lang = proposal.language
    blocks: list[Block] = []
    refused = "\n".join(f"• {escape_mrkdwn(refusal(c, lang))}" for c in proposal.refused)
    if proposal.pending_id is None or not proposal.changes:
        text = t(lang, "I read a change to the profile but left it as it is:") + "\n" + refused
        return SlackMessage(_fallback(text), [SectionBlock(text=MarkdownTextObject(text=text))])
    question = t(lang, "Update the profile: {changes}?", changes="; ".join(describe(c, lang) for c in proposal.changes))
    body = t(lang, "*Update the profile?*") + "\n" + _lines(proposal.changes, lang)
    blocks.append(SectionBlock(text=MarkdownTextObject(text=body)))
    if refused:
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=t(lang, "Left as it is:") + "\n" + refused)]))
    carried = values.encode(values.PendingRef(p=proposal.pending_id))
    blocks.append(
        ActionsBlock(
            block_id=BLOCK_ID,
            elements=[
                ButtonElement(
                    text=t(lang, "Revise"),
                    action_id=ACTION_REVISE_PROFILE,
                    value=carried,
                    style="primary",
                    confirm=ConfirmObject(
                        title=t(lang, "Make a new version?"),
                        text=t(lang, "The roadmap is made again from the updated answers; statuses carry over."),
                        confirm=t(lang, "Revise"),
                        deny=t(lang, "Not yet"),
                    ),
                ),
                ButtonElement(text=t(lang, "Cancel"), action_id=ACTION_CANCEL_REVISION, value=carried),
            ],
        )
    )
    blocks.append(
        ContextBlock(
            elements=[
                MarkdownTextObject(
                    text=t(
                        lang,
                        "Anyone writing in this thread can decide; statuses carry over to the new version.",
                    )
                )
            ]
        )
    )
    return SlackMessage(_fallback(question), blocks)


def decided_message(decision: Decision, user_id: str) -> SlackMessage | None:
    """The proposal once decided, without its buttons; None when the message should stay as it is."""
    proposal = decision.proposal
    if proposal is None or decision.outcome not in ("applied", "cancelled", "stale"):
        return None
    lang = proposal.language
    who = f"<@{user_id}>"
    if decision.outcome == "applied":
        head = t(lang, "*Profile updated* by {who}: the next version is being made in this thread.", who=who)
    elif decision.outcome == "cancelled":
        head = t(lang, "*Left as it was*: {who} cancelled this change.", who=who)
    else:
        head = t(lang, "*Not applied*: a newer version came out since this change was read. Say it again to apply it.")
    text = head + "\n" + _lines(proposal.changes, lang)
    return SlackMessage(_fallback(text), [SectionBlock(text=MarkdownTextObject(text=text))])


def decision_note(decision: Decision, lang: Language) -> str | None:
    """A line only the clicker sees, when the click changed nothing."""
    if decision.outcome == "already":
        if decision.decided_by:
            return t(lang, "This change was already decided by {who}.", who=f"<@{decision.decided_by}>")
        return t(lang, "This change was already decided.")
    if decision.outcome == "not_in_thread":
        return t(lang, "Only people taking part in this thread can decide this change. Write in the thread first.")
    if decision.outcome == "gone":
        return t(lang, "That change belongs to a roadmap that no longer exists, so nothing was changed.")
    return None
