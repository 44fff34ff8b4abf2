"""The renderers' common kit: Slack's budgets, the status and tier words, text escaping and splitting, and the
block builders every surface uses (blocks keep the dict slack_sdk made for them, so measuring and sending reuse it).
Names with a leading underscore are shared inside bot/slack/render/ only; callers outside use the package's exports."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot import i18n
from bot.i18n import N_, Language, t
from bot.roadmap.numbers import money_range, percent
from bot.roadmap.schema import CapacityPoint, ItemStatus, Range, Roadmap
from bot.slack import ids, values

MESSAGE_MAX_BLOCKS = 50  # Slack's documented limit
MESSAGE_TEXT_BUDGET = 3400  # all text of one message incl. the fallback; msg_too_long is reported near 4,000
MESSAGE_JSON_BUDGET = 11_500  # compact JSON of one message's blocks; msg_blocks_too_long is reported near 13,000
SECTION_TEXT_MAX = 3000  # Slack's limit for a section's text
BLOCK_ID_MAX = 255  # Slack's limit for a block id
SECTION_CHUNK = 2400  # longest text one block gets when content is split: leaves room for header, footer, fallback
FALLBACK_MAX = 300  # notification text
HEADER_MAX = 150
VIEW_MAX_BLOCKS = 100
HOME_MAX_ENTRIES = 20
HOME_CHARTS = 3  # the newest roadmaps show their capacity chart on the Home tab (one image block each)
LIST_MAX_ENTRIES = 15
MAX_VERSION_ID = values.MAX_DB_ID  # stage layouts are sized with the longest key


STATUS_EMOJI: dict[ItemStatus, str] = {
    ItemStatus.TODO: ":white_circle:",
    ItemStatus.IN_PROGRESS: ":hourglass_flowing_sand:",
    ItemStatus.DONE: ":white_check_mark:",
    ItemStatus.ACKNOWLEDGED: ":no_entry_sign:",
    ItemStatus.NOT_APPLICABLE: ":heavy_minus_sign:",
}
# Overflow entries for the statuses no button offers.
MENU_LABELS: dict[ItemStatus, str] = {
    ItemStatus.ACKNOWLEDGED: N_("Accept the risk (won't do)"),
    ItemStatus.NOT_APPLICABLE: N_("Not applicable"),
    ItemStatus.TODO: N_("Back to to do"),
}
STATUS_LABELS: dict[ItemStatus, str] = {
    ItemStatus.TODO: N_("To do"),
    ItemStatus.IN_PROGRESS: N_("In progress"),
    ItemStatus.DONE: N_("Done"),
    ItemStatus.ACKNOWLEDGED: N_("Acknowledged (won't do)"),
    ItemStatus.NOT_APPLICABLE: N_("Not applicable"),
}
TIER_NAMES: dict[str, str] = {  # the model's tiers as a reader names them (schema.TIER_LABELS in English)
    "app": N_("app servers"),
    "database": N_("database"),
    "network": N_("network / static delivery"),
    "contention": N_("lock contention (hot rows)"),
}
HOW_TO_MARK = N_(
    "Mark items with the buttons under each one, or write `start 1.2` / `done 1.2` in the thread. "
    "Ask questions in the thread too: I answer with the roadmap in mind and can revise it."
)


def status_label(status: ItemStatus, lang: Language = "en") -> str:
    return t(lang, STATUS_LABELS[status])


def tier_name(tier: str, lang: Language = "en") -> str:
    return t(lang, TIER_NAMES.get(tier, tier))


@dataclass(frozen=True)
class SlackMessage:
    """A message body: ``text`` is the notification and screen-reader fallback, so it is short and never empty."""

    text: str
    blocks: list[Block]

    def __post_init__(self) -> None:
        if not self.text.strip() or len(self.text) > FALLBACK_MAX:
            raise ValueError(f"fallback text must be 1..{FALLBACK_MAX} chars, got {len(self.text)}")

    def to_args(self) -> dict[str, Any]:
        return {"text": self.text, "blocks": [_as_dict(b) for b in self.blocks]}


_CACHED = "_scale_review_dict"  # where a block keeps its dict: never one of slack_sdk's own attributes


def _as_dict(block: Block) -> dict[str, Any]:
    """The block as Slack gets it, made once: slack_sdk's to_dict validates every element, and the packing measures
    each block before the message is built from the same blocks (the blocks are never changed once made)."""
    cached: dict[str, Any] | None = block.__dict__.get(_CACHED)
    if cached is None:
        cached = block.to_dict()
        block.__dict__[_CACHED] = cached
    return cached


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_BREAKS = ("\n\n", "\n", ". ", "; ", ", ", " ")


def escape_mrkdwn(text: str) -> str:
    """Slack reads &, < and > as markup; what a person or an engine wrote must show as written.

    Control characters (other than newline and tab) become spaces: they are invisible and cost JSON escapes.
    """
    text = _CONTROL.sub(" ", text)
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def split_text(text: str, limit: int) -> list[str]:
    """Pieces of at most ``limit`` chars whose concatenation is exactly ``text``.

    Breaks after a paragraph, line, sentence or word when one falls in the second half of the window, and never
    inside an ``&amp;``-style entity, so each piece still renders correctly on its own.
    """
    if limit < 16:
        raise ValueError("limit too small to split text sensibly")
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = _cut(rest, limit)
        pieces.append(rest[:cut])
        rest = rest[cut:]
    if rest or not pieces:
        pieces.append(rest)
    return pieces


def _cut(text: str, limit: int) -> int:
    window = text[:limit]
    for sep in _BREAKS:
        at = window.rfind(sep)
        if at >= limit // 2:
            return at + len(sep)
    amp = window.rfind("&", limit - 6)
    if amp > 0 and ";" not in window[amp:]:
        return amp
    return limit


def shorten(text: str, limit: int) -> str:
    """For fallbacks and one-line notes only, never for roadmap content: cut at a word and add an ellipsis."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit - 1)
    return text[: cut if cut > limit // 2 else limit - 1].rstrip() + "…"


def _fallback_text(raw: str) -> str:
    """Notification text from plain words: escaped (the fallback is mrkdwn too) and within FALLBACK_MAX."""
    limit = FALLBACK_MAX
    while len(text := escape_mrkdwn(shorten(raw, limit))) > FALLBACK_MAX:
        limit -= 20
    return text


def _times(factor: float) -> str:
    if factor >= 100:
        return f"×{factor:,.0f}"
    return f"×{factor:.1f}".removesuffix(".0") if factor < 10 else f"×{factor:.0f}"


def _link(url: str | None, text: str) -> str:
    """A mrkdwn link when the URL is safe to embed, else the text alone."""
    if url and url.startswith(("https://", "http://")) and not re.search(r"[\s|<>]", url) and len(url) < 2000:
        return f"<{url}|{text}>"
    return text


def _channel(channel_id: str | None, lang: Language = "en") -> str:
    return f"<#{channel_id}>" if channel_id and re.fullmatch(r"[A-Z0-9]+", channel_id) else t(lang, "the channel")


def _date(moment: datetime) -> str:
    """Slack's date token: shown in the reader's time zone, with a plain fallback."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return f"<!date^{int(moment.timestamp())}^{{date_short}}|{moment.strftime('%Y-%m-%d')}>"


def _bar(closed: int, total: int, width: int = 10) -> str:
    share = closed / total if total else 0.0
    filled = min(width, round(share * width))
    return "▰" * filled + "▱" * (width - filled)


def _md(text: str) -> MarkdownTextObject:
    # verbatim: no automatic parsing, so "@channel" typed in an answer never pings anyone; our <@U>/<#C> still work.
    return MarkdownTextObject(text=text, verbatim=True)


def _section(text: str, *, block_id: str | None = None, accessory: ButtonElement | None = None) -> SectionBlock:
    block = SectionBlock(text=_md(text), block_id=block_id, accessory=accessory)
    if accessory is None and len(text) <= SECTION_TEXT_MAX and len(block_id or "") <= BLOCK_ID_MAX:
        # the plain case's dict, made here (within the limits slack_sdk would check) rather than by its serialiser
        plain = {"text": {"text": text, "type": "mrkdwn", "verbatim": True}, "type": "section"}
        block.__dict__[_CACHED] = plain | ({"block_id": block_id} if block_id else {})
    return block


def _context(text: str) -> ContextBlock:
    block = ContextBlock(elements=[_md(text)])
    if len(text) <= SECTION_TEXT_MAX:
        block.__dict__[_CACHED] = {"elements": [{"text": text, "type": "mrkdwn", "verbatim": True}], "type": "context"}
    return block


def _divider() -> DividerBlock:
    block = DividerBlock()
    block.__dict__[_CACHED] = {"type": "divider"}
    return block


def _sections(text: str, limit: int = SECTION_CHUNK) -> list[Block]:
    return [_section(piece) for piece in split_text(text, limit)]


def _contexts(text: str, limit: int = SECTION_CHUNK) -> list[Block]:
    return [_context(piece) for piece in split_text(text, limit)]


def _header(text: str) -> Block:
    """A header when the text fits one; otherwise a bold section, so nothing is cut."""
    text = " ".join(text.split()) or "Scale review"
    if len(text) <= HEADER_MAX:
        return HeaderBlock(text=PlainTextObject(text=text, emoji=True))
    return _section(f"*{escape_mrkdwn(text)}*")


def _button(
    text: str, action_id: str, *, value: str | None = None, url: str | None = None, style: str | None = None
) -> ButtonElement:
    # no "emoji" flag: labels have no :codes:, and each item's buttons would carry it five times into the JSON budget
    return ButtonElement(text=PlainTextObject(text=text), action_id=action_id, value=value, url=url, style=style)


def _share(point: CapacityPoint, target: int, lang: Language = "en") -> str:
    if point.meets_target:
        return ":white_check_mark: " + t(lang, "meets the target")
    if not target:
        return t(lang, "target unknown")
    return t(lang, "{share} of target", share=percent(point.users / target))


def _money(value: Range, currency: str, lang: Language) -> str:
    """Money as the reader says it: Korean won in 만 / 억 for Korean readers, the catalogue's format otherwise."""
    if lang == "ko" and currency == "KRW":
        return i18n.won_range(value.low, value.high)
    return money_range(value, currency)


def _currency(roadmap: Roadmap) -> str:
    return next((i.cost.currency for i in roadmap.items()), "USD")


def _nudge_settings_button(roadmap_id: int, lang: Language = "en") -> ButtonElement:
    return _button(t(lang, "Nudge settings"), ids.ACTION_NUDGE_SETTINGS, value=values.for_roadmap(roadmap_id))


def _export_button(roadmap_id: int, lang: Language = "en") -> ButtonElement:
    """The roadmap as files (Markdown checklist, CSV for Jira or Linear, JSON) in its thread."""
    return _button(t(lang, "Export"), ids.ACTION_EXPORT, value=values.for_roadmap(roadmap_id))
