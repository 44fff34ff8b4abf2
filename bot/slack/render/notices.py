"""Notices to the submitter when a roadmap could not be generated or posted: what went wrong, that nothing is
lost, and the one thing to do next (a button when there is one)."""

from __future__ import annotations

from slack_sdk.models.blocks import ActionsBlock, Block

from bot.i18n import N_, Language, t
from bot.services.ports import NoticeKind
from bot.slack import ids, values
from bot.slack.render.kit import FALLBACK_MAX, SlackMessage, _button, _channel, _section, escape_mrkdwn, shorten

_NOTICE_WHAT: dict[str, str] = {
    "not_in_channel": N_("I'm not a member of {channel}, so I couldn't post the scale review for *{name}* there."),
    "channel_not_found": N_(
        "I couldn't find {channel} to post the scale review for *{name}* (it may be archived, or "
        "private without me in it)."
    ),
    "is_archived": N_("{channel} is archived, so I couldn't post the scale review for *{name}* there."),
    "generation_failed": N_("Generating the roadmap for *{name}* failed."),
    "posting_failed": N_("Posting the roadmap for *{name}* failed."),
    "rate_limited": N_("Slack is rate-limiting me, so the roadmap for *{name}* isn't fully posted yet."),
}


def _notice_next(kind: NoticeKind, channel: str, name: str, can_press: bool, lang: Language) -> str:
    """The one thing to do next; with no roadmap to act on, running the command again is the way back."""
    again = t(lang, "run `/scale-review {name}` (your answers are prefilled)", name=name)
    if kind == "generation_failed":
        return t(lang, "Press *Retry* to try again.") if can_press else t(lang, "To try again, {again}.", again=again)
    press = t(lang, "press *Post again*") if can_press else again
    if kind == "not_in_channel":
        return t(
            lang, "Invite me with `/invite @scale-review` in {channel}, then {press}.", channel=channel, press=press
        )
    if kind == "channel_not_found":
        if not can_press:
            return t(
                lang,
                "Run `/scale-review {name}` (your answers are prefilled) and pick a channel I'm in, or invite me "
                "there first with `/invite @scale-review`.",
                name=name,
            )
        return t(
            lang,
            "Invite me with `/invite @scale-review` in {channel} and {press}, or {again} to choose another channel.",
            channel=channel,
            press=press,
            again=again,
        )
    if kind == "is_archived":  # posting again cannot help: another channel is the way
        return t(lang, "To post it elsewhere, {again} and pick another channel.", again=again)
    if kind == "rate_limited":
        return t(lang, "Wait a minute, then {press}; I continue where I stopped.", press=press)
    return t(lang, "To retry, {press}; I continue where I stopped.", press=press)


def notice_message(
    kind: NoticeKind,
    *,
    channel_id: str | None,
    roadmap_id: int | None,
    system_name: str,
    detail: str | None = None,
    lang: Language = "en",
) -> SlackMessage:
    """What went wrong, that nothing is lost, and the one thing to do next (a button when there is one)."""
    if kind not in _NOTICE_WHAT:
        raise ValueError(f"unknown notice kind {kind!r}")
    channel = _channel(channel_id, lang)
    name = escape_mrkdwn(shorten(system_name, 80))
    what = t(lang, _NOTICE_WHAT[kind], channel=channel, name=name)
    lines = [f":warning: {what}"]
    if detail:
        lines.append(t(lang, "_Details:_ {detail}", detail=escape_mrkdwn(shorten(detail, 500))))
    can_press = roadmap_id is not None
    if kind == "generation_failed":
        kept = t(lang, "Your answers are saved.")
    else:
        kept = t(lang, "Your answers and the roadmap are saved.")
    lines.append(f"{kept} {_notice_next(kind, channel, name, can_press, lang)}")
    blocks: list[Block] = [_section("\n".join(lines))]
    if roadmap_id is not None and kind != "is_archived":  # an archived channel: posting again cannot help
        ref = values.for_roadmap(roadmap_id)
        if kind == "generation_failed":
            button = _button(t(lang, "Retry"), ids.ACTION_RETRY, value=ref, style="primary")
        else:
            button = _button(t(lang, "Post again"), ids.ACTION_REPOST, value=ref, style="primary")
        blocks.append(ActionsBlock(elements=[button], block_id=f"notice:{kind}"))
    template = t(lang, _NOTICE_WHAT[kind]).replace("*", "")
    for room in (80, 40, 16):  # the fallback is mrkdwn too: escaped name, live channel link
        fallback = template.format(channel=channel, name=escape_mrkdwn(shorten(system_name, room)))
        if len(fallback) <= FALLBACK_MAX:
            break
    return SlackMessage(fallback, blocks)
