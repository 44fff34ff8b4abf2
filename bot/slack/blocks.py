"""Block Kit for every message and view the bot shows, as pure functions of domain data.

Everything is built with ``slack_sdk.models`` so a broken limit fails here (in tests) rather than as an
``invalid_blocks`` in front of a user. Long content is split across sections and messages, never cut: Slack rejects
messages far below its documented limits (shared/PRODUCT.md), so each message keeps to the budgets below.

Conventions a listener relies on:

- An item's buttons live in one actions block whose ``block_id`` is ``item:<id>`` (``ids.ITEM_BLOCK_PREFIX``).
- Status buttons use ``action_id = "item_status:<new status>"`` (unique within the block, as Slack requires; match
  them with ``ids.ACTION_ITEM_STATUS_PATTERN``); the overflow uses ``ids.ACTION_ITEM_MENU``; "Details" uses
  ``ids.ACTION_ITEM_DETAILS``. Values are compact JSON: ``{"v": version_id, "i": item_id, "s": new, "f": shown}``.
- Where a stage is split, the split depends on the roadmap only, never on statuses, so re-rendering a stage after a
  status change yields the same parts with the same items: update part N with part N.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cache
from typing import Any

from babel.dates import format_date
from slack_sdk.models.blocks import (
    ActionsBlock,
    Block,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    ImageBlock,
    MarkdownTextObject,
    Option,
    OverflowMenuElement,
    PlainTextObject,
    SectionBlock,
)
from slack_sdk.models.views import View

from bot import i18n
from bot.i18n import N_, Language, t
from bot.roadmap import wording
from bot.roadmap.markdown import source_text
from bot.roadmap.numbers import money_range, percent
from bot.roadmap.schema import (
    CapacityPoint,
    ItemStatus,
    Range,
    Roadmap,
    RoadmapItem,
    Stage,
    Summary,
    SystemProfile,
)
from bot.services.ports import (
    DiscussionReply,
    NoticeKind,
    NudgeDigest,
    NudgeItem,
    ParentState,
    RoadmapListing,
    StageProgress,
)
from bot.services.schedule import ScheduleView, local_label
from bot.services.thread_queries import VersionLine
from bot.slack import ids, values

# --- budgets ------------------------------------------------------------------------------------------------------
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


# --- text helpers -------------------------------------------------------------------------------------------------
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


# --- block helpers ------------------------------------------------------------------------------------------------
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


# --- sizes and packing --------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Size:
    text: int = 0
    json: int = 0
    blocks: int = 0

    def __add__(self, other: _Size) -> _Size:
        return _Size(self.text + other.text, self.json + other.json, self.blocks + other.blocks)

    def max(self, other: _Size) -> _Size:
        return _Size(max(self.text, other.text), max(self.json, other.json), max(self.blocks, other.blocks))

    def within(self, limit: _Size) -> bool:
        return self.text <= limit.text and self.json <= limit.json and self.blocks <= limit.blocks


MESSAGE_LIMIT = _Size(MESSAGE_TEXT_BUDGET, MESSAGE_JSON_BUDGET, MESSAGE_MAX_BLOCKS)


def _texts(node: Any) -> Iterable[str]:
    """Every string of every text object inside a block dict."""
    if isinstance(node, Mapping):
        if node.get("type") in ("mrkdwn", "plain_text") and isinstance(node.get("text"), str):
            yield node["text"]
        for value in node.values():
            yield from _texts(value)
    elif isinstance(node, list):
        for value in node:
            yield from _texts(value)


def _size(blocks: Sequence[Block]) -> _Size:
    """Text and JSON size as Slack measures them (to_dict also runs slack_sdk's validators)."""
    dicts = [_as_dict(b) for b in blocks]
    text = sum(len(t) for d in dicts for t in _texts(d))
    size = sum(len(json.dumps(d, separators=(",", ":"), ensure_ascii=False)) + 1 for d in dicts) + 1
    return _Size(text, size, len(dicts))


Placement = list[list[tuple[int, int]]]  # per message: (group index, atom index)


class _TooBig(ValueError):
    pass


def _greedy(groups: Sequence[Sequence[_Size]], first: _Size, following: _Size, limit: _Size) -> Placement:
    parts: Placement = [[]]
    used = first
    for g, atoms in enumerate(groups):
        total = sum(atoms, _Size())
        if not (used + total).within(limit) and parts[-1] and (following + total).within(limit):
            parts.append([])
            used = following
        for a, atom in enumerate(atoms):
            if not (used + atom).within(limit):
                if not parts[-1] or not (following + atom).within(limit):
                    raise _TooBig("a block run is larger than a whole message")
                parts.append([])
                used = following
            parts[-1].append((g, a))
            used = used + atom
    return parts


def _pack(groups: Sequence[Sequence[_Size]], *, first: _Size, following: _Size) -> Placement:
    """Place atoms (block runs that must stay in one message) into as few, evenly filled messages as the budgets allow.

    A group (an item) stays in one message when it fits in one; only a group bigger than a whole message is spread
    over several, atom by atom. ``first``/``following`` are what every first/later message carries besides atoms.
    The fewest messages come from a greedy pass; the budget is then lowered as far as it can go without needing
    another message, so nine items become 3+3+3 rather than 4+4+1.
    """
    best = _greedy(groups, first, following, MESSAGE_LIMIT)  # SECTION_CHUNK keeps every atom within a message
    low, high = 0.0, 1.0
    for _ in range(8) if len(best) > 1 else ():
        scale = (low + high) / 2
        limit = _Size(int(MESSAGE_TEXT_BUDGET * scale), int(MESSAGE_JSON_BUDGET * scale), MESSAGE_MAX_BLOCKS)
        try:
            trial = _greedy(groups, first, following, limit)
        except _TooBig:
            low = scale
            continue
        if len(trial) <= len(best):
            best, high = trial, scale
        else:
            low = scale
    return best


# --- the parent message -------------------------------------------------------------------------------------------
def _share(point: CapacityPoint, target: int, lang: Language = "en") -> str:
    if point.meets_target:
        return ":white_check_mark: " + t(lang, "meets the target")
    if not target:
        return t(lang, "target unknown")
    return t(lang, "{share} of target", share=percent(point.users / target))


def parent_message(
    profile: SystemProfile,
    *,
    owner_user_id: str,
    state: ParentState,
    summary: Summary | None = None,
    engine: str | None = None,
    note: str | None = None,
    version: int | None = None,
    item_count: int | None = None,
    nudges: ScheduleView | None = None,
    roadmap_id: int | None = None,
    this_week: Sequence[tuple[str, str]] = (),
) -> SlackMessage:
    """The channel message that starts the thread: what is reviewed, by whom, and where generation stands.

    Kept to a handful of blocks; long summary texts are shortened here because the thread has them in full.
    ``nudges`` adds a line about the weekly check-ins once the roadmap is ready, with a "Nudge settings" button
    when ``roadmap_id`` is given. Everything is in the profile's language.
    """
    lang: Language = profile.language or "en"
    name = profile.system_name
    scale = t(
        lang,
        "{now} → {target} concurrent users",
        now=i18n.count(lang, profile.current_users),
        target=i18n.count(lang, profile.target_users),
    )
    blocks: list[Block] = [
        _header(t(lang, "Scale review: {name}", name=name)),
        _section(
            f"*{scale}* ({_times(profile.scale_factor)}) · " + t(lang, "requested by {who}", who=f"<@{owner_user_id}>")
        ),
    ]
    if summary is not None:
        now = summary.capacity_now
        capacity = t(
            lang,
            "*Capacity now:* about {users} concurrent users ({share}), target {target} · limit: {tier}",
            users=i18n.count(lang, now.users),
            share=_share(now, summary.target_users, lang),
            target=i18n.count(lang, summary.target_users),
            tier=tier_name(now.binding_tier, lang),
        )
        lines = [
            capacity,
            t(lang, "*Binding bottleneck:* {what}", what=escape_mrkdwn(shorten(summary.binding_bottleneck, 600))),
            f"{':dart:' if summary.target_reachable else ':warning:'} {escape_mrkdwn(shorten(summary.verdict, 900))}",
        ]
        if this_week:
            first = " · ".join(f"{item_id} {escape_mrkdwn(shorten(title, 80))}" for item_id, title in this_week)
            lines.append(t(lang, "*This week:* {items}", items=first))
        blocks.append(_section("\n".join(lines)))
    label = t(lang, "Roadmap v{version}", version=version) if version is not None else t(lang, "The roadmap")
    if state == "generating":
        line = ":hourglass_flowing_sand: " + t(lang, "Generating the roadmap… it arrives in this thread.")
        fallback = t(lang, "Scale review for {name}: {scale}, generating…", name=name, scale=scale)
    elif state == "ready":
        if item_count is not None:
            line = ":white_check_mark: " + t(
                lang, "{label} is in the thread: {count} items in 3 stages", label=label, count=item_count
            )
        else:
            line = ":white_check_mark: " + t(lang, "{label} is in the thread", label=label)
        if engine:
            line += " · " + t(lang, "engine: {engine}", engine=escape_mrkdwn(shorten(engine, 60)))
        fallback = t(
            lang, "Scale review for {name}: {scale}. {label} is in the thread.", name=name, scale=scale, label=label
        )
    else:
        line = ":x: " + t(
            lang,
            "The roadmap could not be generated. The answers are saved: retry from the message I sent {who}, "
            "or run `/scale-review` again.",
            who=f"<@{owner_user_id}>",
        )
        fallback = t(lang, "Scale review for {name}: generating the roadmap failed.", name=name)
    if note:
        line += f"\n{escape_mrkdwn(shorten(note, 600))}"
    blocks.append(_context(line))
    if state == "ready" and nudges is not None:
        blocks.append(_context(f":bell: {escape_mrkdwn(shorten(nudges.text(lang), 300))}"))
        if roadmap_id is not None:
            buttons = [
                _nudge_settings_button(roadmap_id, lang),
                _export_button(roadmap_id, lang),
                _button(t(lang, "Edit answers"), ids.ACTION_EDIT_ANSWERS, value=values.for_roadmap(roadmap_id)),
            ]
            blocks.append(ActionsBlock(elements=buttons, block_id="parent:nudges"))
    return SlackMessage(_fallback_text(fallback), blocks)


# --- the summary --------------------------------------------------------------------------------------------------
def _money(value: Range, currency: str, lang: Language) -> str:
    """Money as the reader says it: Korean won in 만 / 억 for Korean readers, the catalogue's format otherwise."""
    if lang == "ko" and currency == "KRW":
        return i18n.won_range(value.low, value.high)
    return money_range(value, currency)


def _currency(roadmap: Roadmap) -> str:
    return next((i.cost.currency for i in roadmap.items()), "USD")


def _capacity_row(label: str, point: CapacityPoint, target: int, currency: str | None, lang: Language) -> str:
    row = f"• *{label}:* {i18n.count(lang, point.users)} · " + t(
        lang, "limit: {tier}", tier=tier_name(point.binding_tier, lang)
    )
    row += f" · {_share(point, target, lang)}"
    if currency is not None and point.monthly_cost.high > 0:
        row += " · " + t(lang, "adds {money} a month", money=_money(point.monthly_cost, currency, lang))
    return row


def summary_message(
    roadmap: Roadmap,
    *,
    version: int,
    change_note: str | None = None,
    usage_note: str | None = None,
    regenerate_roadmap_id: int | None = None,
) -> list[SlackMessage]:
    """The thread's first message: the verdict and the capacity picture before the stages' details.

    Usually one message; an engine's long notes or assumptions spill into more rather than being cut.
    `usage_note` is the engine's accounting (model, tokens, estimated cost); `regenerate_roadmap_id`
    adds a "Regenerate with AI" button (the rules engine stood in for a failed AI engine).
    """
    lang = roadmap.language
    summary = roadmap.summary
    target = summary.target_users
    currency = _currency(roadmap)
    rows = [_capacity_row(t(lang, "Now"), summary.capacity_now, target, None, lang)]
    rows += [
        _capacity_row(t(lang, "After stage {n}", n=s.number), s.capacity_after, target, currency, lang)
        for s in roadmap.stages
    ]
    closing = t(lang, "The three stages follow in this thread.") + " " + t(lang, HOW_TO_MARK)
    texts: list[tuple[str, bool]] = []  # (mrkdwn text, as context)
    if change_note:
        changed = t(lang, "*What changed in v{version}:*", version=version)
        texts.append((f":arrows_counterclockwise: {changed} {escape_mrkdwn(change_note)}", False))
    verdict = t(lang, "*Verdict:*")
    texts += [
        (f"{':dart:' if summary.target_reachable else ':warning:'} {verdict} {escape_mrkdwn(summary.verdict)}", False),
        (
            t(lang, "*Capacity* (concurrent users it sustains; target {target})", target=i18n.count(lang, target))
            + "\n"
            + "\n".join(rows),
            False,
        ),
        (
            t(lang, "*Binding bottleneck:* {what}", what=escape_mrkdwn(summary.binding_bottleneck))
            + "\n"
            + t(lang, "*Budget:* {note}", note=escape_mrkdwn(summary.budget_note)),
            False,
        ),
    ]
    texts += _reading_texts(roadmap)
    if roadmap.notes:
        texts.append(("\n".join(f":information_source: {escape_mrkdwn(n)}" for n in roadmap.notes), False))
    if usage_note:
        texts.append((f":bar_chart: {escape_mrkdwn(usage_note)}", True))
    texts.append((closing, True))
    groups = [_contexts(text) if as_context else _sections(text) for text, as_context in texts]
    tail: list[Block] = []
    if regenerate_roadmap_id is not None:
        button = _button(
            t(lang, "Regenerate with AI"), ids.ACTION_REGENERATE, value=values.for_roadmap(regenerate_roadmap_id)
        )
        tail.append(ActionsBlock(elements=[button], block_id="summary:regenerate"))
    top = [
        _header(summary.headline),
        _context(
            t(
                lang,
                "Roadmap v{version} · {engine} engine · {times} scale-up · {count} items in 3 stages",
                version=version,
                engine=escape_mrkdwn(shorten(roadmap.engine, 60)),
                times=_times(summary.scale_factor),
                count=sum(1 for _ in roadmap.items()),
            )
        ),
    ]
    fallback = _fallback_text(
        t(
            lang,
            "Roadmap v{version} for {name}: {verdict}",
            version=version,
            name=roadmap.system_name,
            verdict=summary.verdict,
        )
    )

    def cont(k: int) -> list[Block]:
        return [_context(t(lang, "*Roadmap v{version} summary (continued, part {part})*", version=version, part=k))]

    return _assemble(groups, top=top, continued=cont, fallback=lambda k, n: fallback, tail=tail)


def _reading_texts(roadmap: Roadmap) -> list[tuple[str, bool]]:
    """What the engine read (the kind of system, with the team's phrases), where each named problem is answered,
    and the levers left out with why: so a reader can check the plan against what they wrote."""
    lang = roadmap.language
    texts: list[tuple[str, bool]] = []
    if roadmap.workload:
        lines = []
        for kind in roadmap.workload:
            quotes = ", ".join(f"“{escape_mrkdwn(shorten(e, 60))}”" for e in kind.evidence[:2])
            lines.append(f"• {escape_mrkdwn(kind.label)}" + (f" ({quotes})" if quotes else ""))
        texts.append((t(lang, "*What kind of system I read*") + "\n" + "\n".join(lines), False))
    if roadmap.problems:
        lines = []
        for answer in roadmap.problems:
            where = ", ".join(answer.item_ids) if answer.item_ids else (answer.note or t(lang, "no item answers it"))
            lines.append(f"• “{escape_mrkdwn(shorten(answer.said, 90))}” → {escape_mrkdwn(where)}")
        texts.append((t(lang, "*You said → where the plan answers it*") + "\n" + "\n".join(lines), False))
    return texts


def _closing(roadmap: Roadmap) -> list[Block]:
    """What the plan left out (with why) and what its figures rest on: once, after the last stage's items, so the
    summary stays a ten-second read and the thread stays short."""
    lang = roadmap.language
    blocks: list[Block] = []
    if roadmap.not_recommended:
        # one short line each: the thread is read on phones; the full reasons are in the exported roadmap
        lines = [
            f"• *{escape_mrkdwn(r.title)}*: {escape_mrkdwn(shorten(r.reason, 110))}" for r in roadmap.not_recommended
        ]
        blocks += _contexts(t(lang, "*Not recommended for this system*") + "\n" + "\n".join(lines))
    if roadmap.summary.assumptions:
        lines = [f"• {escape_mrkdwn(a)}" for a in roadmap.summary.assumptions]
        blocks += _contexts(t(lang, "*Assumptions*") + "\n" + "\n".join(lines))
    return blocks


def _assemble(
    groups: Sequence[Sequence[Block]],
    *,
    top: list[Block],
    continued: Callable[[int], list[Block]],
    fallback: Callable[[int, int], str],
    tail: Sequence[Block] = (),
) -> list[SlackMessage]:
    """Pack groups of single-block atoms into messages (summary-like content, no status-dependent layout)."""
    reserve = _Size(FALLBACK_MAX, 0, 0) + _size(tail)
    placement = _pack(
        [[_size([b]) for b in group] for group in groups],
        first=_size(top) + reserve,
        following=_size(continued(99)) + reserve,
    )
    messages: list[SlackMessage] = []
    for k, part in enumerate(placement, 1):
        blocks = list(top) if k == 1 else continued(k)
        blocks += [groups[g][a] for g, a in part]
        if k == len(placement):
            blocks += tail
        messages.append(SlackMessage(fallback(k, len(placement)), blocks))
    return messages


# --- stages -------------------------------------------------------------------------------------------------------
def _status_line(status: ItemStatus, lang: Language) -> str:
    return f"{STATUS_EMOJI[status]} {status_label(status, lang)}"


def _item_head(item: RoadmapItem, status: ItemStatus, lang: Language) -> str:
    return f"*{item.id} {escape_mrkdwn(item.title)}*\n{_status_line(status, lang)}"


_LEVELS = {"low": N_("low"), "medium": N_("medium"), "high": N_("high")}


def _item_summary(item: RoadmapItem, lang: Language = "en") -> str:
    """What a stage message shows of an item, in two short lines: gain, effort and cost, and what it waits for.
    The reason, the steps and how to verify open with the Details button, so the thread stays readable."""
    lines: list[str] = []
    if item.deferred:
        lines.append(":warning: " + t(lang, "*Held back:* {why}", why=escape_mrkdwn(item.deferred)))
    gain = f"{escape_mrkdwn(item.impact.metric)} {wording.percent_range(item.impact.change_pct, lang)}"
    if item.capacity_gain != 1:
        gain += " · " + t(lang, "capacity ×{gain}", gain=f"{item.capacity_gain:g}")
    cost = item.cost
    once, monthly = _money(cost.one_off, cost.currency, lang), _money(cost.monthly, cost.currency, lang)
    if cost.one_off.high == 0 and cost.monthly.high == 0:
        price = t(lang, "no added cost")
    elif cost.one_off.high == 0:
        price = t(lang, "{monthly} a month", monthly=monthly)
    elif cost.monthly.high == 0:
        price = t(lang, "{once} once", once=once)
    else:
        price = t(lang, "{once} once, {monthly} a month", once=once, monthly=monthly)
    days = wording.span(item.effort.person_days, lang)
    lines.append(t(lang, "{gain} · {days} person-days · {price}", gain=gain, days=days, price=price))
    if item.depends_on:
        lines.append(t(lang, "*After:* {items}", items=", ".join(item.depends_on)))
    return "\n".join(lines)


def _item_body(item: RoadmapItem, lang: Language = "en") -> str:
    """Everything but the status: the part of an item's text that does not change when people mark it."""
    lines: list[str] = []
    if item.deferred:
        lines.append(":warning: " + t(lang, "*Held back:* {why}", why=escape_mrkdwn(item.deferred)))
    tiers = f" ({', '.join(tier_name(x, lang) for x in item.tiers)})" if item.tiers else ""
    if item.capacity_gain != 1:
        gain = t(lang, "capacity ×{gain}", gain=f"{item.capacity_gain:g}") + tiers
    else:
        gain = t(lang, "no capacity effect in the model")
    cost = item.cost
    lines += [
        t(
            lang,
            "*Impact:* {metric} {change} (confidence {confidence}) · {gain}",
            metric=escape_mrkdwn(item.impact.metric),
            change=wording.percent_range(item.impact.change_pct, lang),
            confidence=t(lang, _LEVELS.get(item.impact.confidence.value, item.impact.confidence.value)),
            gain=gain,
        ),
        t(
            lang,
            "*Effort:* {difficulty} difficulty · {days} person-days · {weeks} weeks",
            difficulty=t(lang, _LEVELS.get(item.difficulty.value, item.difficulty.value)),
            days=wording.span(item.effort.person_days, lang),
            weeks=wording.span(item.effort.weeks, lang),
        ),
        t(
            lang,
            "*Cost:* one-off {once} · monthly {monthly} · benefit/cost score {score}",
            once=_money(cost.one_off, cost.currency, lang),
            monthly=_money(cost.monthly, cost.currency, lang),
            score=f"{item.score:g}",
        ),
    ]
    if item.depends_on:
        lines.append(t(lang, "*After:* {items}", items=", ".join(item.depends_on)))
    return "\n".join(lines) + "\n\n" + escape_mrkdwn(item.why)


# room for the longest status line in either language, so a status change never moves a split point
_HEAD_ROOM = max(len(_status_line(s, lang)) for s in ItemStatus for lang in i18n.LANGUAGES) + 3


def _item_sections(item: RoadmapItem, status: ItemStatus, lang: Language = "en", *, full: bool = False) -> list[Block]:
    """The item's text in sections (its compact summary, or `full` with the reason); the split points ignore the
    status so every status gives the same layout."""
    title = f"*{item.id} {escape_mrkdwn(item.title)}*"
    first_room = SECTION_CHUNK - len(title) - _HEAD_ROOM
    body = _item_body(item, lang) if full else _item_summary(item, lang)
    first = split_text(body, first_room)[0]
    pieces = [first, *split_text(body[len(first) :], SECTION_CHUNK)] if len(first) < len(body) else [first]
    return [_section(f"{_item_head(item, status, lang)}\n{pieces[0]}"), *(_section(p) for p in pieces[1:])]


def _status_value(version_id: int, item_id: str, new: ItemStatus, shown: ItemStatus) -> str:
    return values.for_status(version_id, item_id, new, shown)


def item_block_id(item_id: str) -> str:
    return f"{ids.ITEM_BLOCK_PREFIX}{item_id}"


def item_id_from_block_id(block_id: str | None) -> str | None:
    """The item an actions block belongs to ("item:1.2" -> "1.2"), or None for other blocks."""
    if block_id and block_id.startswith(ids.ITEM_BLOCK_PREFIX):
        return block_id.removeprefix(ids.ITEM_BLOCK_PREFIX) or None
    return None


def status_action_id(new: ItemStatus) -> str:
    return f"{ids.ACTION_ITEM_STATUS}:{new.value}"


def _item_actions(item_id: str, status: ItemStatus, version_id: int, lang: Language = "en") -> ActionsBlock:
    """An item's status buttons, Details and the overflow menu. Its dict is made here from the same values and kept
    with the block, so a thread's most repeated block skips slack_sdk's serialiser (tests/test_slack_blocks.py holds
    the two equal for every status and language)."""
    buttons: list[tuple[str, str, str, str | None]] = []  # label, action id, value, style
    offered: set[ItemStatus] = set()

    def status_button(label: str, new: ItemStatus, style: str | None = None) -> None:
        offered.add(new)
        buttons.append((t(lang, label), status_action_id(new), _status_value(version_id, item_id, new, status), style))

    if status == ItemStatus.TODO:
        status_button(N_("Start"), ItemStatus.IN_PROGRESS, "primary")
    if status != ItemStatus.DONE:
        status_button(N_("Done"), ItemStatus.DONE, "primary" if status == ItemStatus.IN_PROGRESS else None)
    if not status.is_open:
        status_button(N_("Reopen"), ItemStatus.TODO)
    buttons.append((t(lang, "Details"), ids.ACTION_ITEM_DETAILS, values.for_item(version_id, item_id), None))
    menu = [s for s in MENU_LABELS if s != status and s not in offered]
    options = [(t(lang, MENU_LABELS[s]), _status_value(version_id, item_id, s, status)) for s in menu]
    elements: list[Any] = [_button(label, action, value=value, style=style) for label, action, value, style in buttons]
    plain: list[dict[str, Any]] = [
        {"action_id": action, "text": {"text": label, "type": "plain_text"}, "type": "button", "value": value}
        | ({"style": style} if style else {})
        for label, action, value, style in buttons
    ]
    if options:
        menu_options = [Option(text=PlainTextObject(text=label), value=value) for label, value in options]
        elements.append(OverflowMenuElement(action_id=ids.ACTION_ITEM_MENU, options=menu_options))
        plain.append(
            {
                "action_id": ids.ACTION_ITEM_MENU,
                "options": [
                    {"text": {"text": label, "type": "plain_text"}, "value": value} for label, value in options
                ],
                "type": "overflow",
            }
        )
    block = ActionsBlock(elements=elements, block_id=item_block_id(item_id))
    block.__dict__[_CACHED] = {"block_id": block.block_id, "elements": plain, "type": "actions"}
    return block


def _item_atoms(
    item: RoadmapItem,
    status: ItemStatus,
    version_id: int,
    *,
    divider: bool,
    lang: Language = "en",
    sections: list[Block] | None = None,
) -> list[list[Block]]:
    """Block runs that must stay together: each extra section alone; the last section with the buttons.
    `sections` are the item's sections when already made for this status."""
    sections = sections or _item_sections(item, status, lang)
    atoms = [[s] for s in sections[:-1]] + [[sections[-1], _item_actions(item.id, status, version_id, lang)]]
    if divider:
        atoms[0].insert(0, _divider())
    return atoms


def _stage_top(roadmap: Roadmap, stage: Stage, closed: int) -> list[Block]:
    lang = roadmap.language
    n = len(stage.items)
    held = sum(1 for i in stage.items if i.deferred)
    facts = [
        escape_mrkdwn(stage.horizon),
        i18n.tn(lang, "{count} item, best benefit/cost first", "{count} items, best benefit/cost first", n),
    ]
    if held:
        facts.append(t(lang, "{count} held back", count=held))
    facts.append(t(lang, "{closed} of {count} closed", closed=closed, count=n))
    return [
        _header(t(lang, "Stage {n} · {name}", n=stage.number, name=stage.name)),
        _context(f"{escape_mrkdwn(roadmap.system_name)} · " + " · ".join(facts)),
    ]


def _stage_continued(stage: Stage, lang: Language = "en") -> list[Block]:
    return [_context(t(lang, "*Stage {n} (continued)* · {name}", n=stage.number, name=escape_mrkdwn(stage.name)))]


def _stage_tail(roadmap: Roadmap, stage: Stage) -> list[Block]:
    lang = roadmap.language
    point = stage.capacity_after
    target = roadmap.summary.target_users
    monthly = point.monthly_cost
    if monthly.high == 0:
        cost = t(lang, "no added monthly cost so far")
    else:
        cost = t(lang, "the plan adds {money} a month so far", money=_money(monthly, _currency(roadmap), lang))
    return [
        _context(
            t(
                lang,
                "*After stage {n}:* about {users} concurrent users, {share} ({target}) · limit: {tier} · {cost}",
                n=stage.number,
                users=i18n.count(lang, point.users),
                share=_share(point, target, lang),
                target=i18n.count(lang, target),
                tier=tier_name(point.binding_tier, lang),
                cost=cost,
            )
        )
    ]


def stage_layout(roadmap: Roadmap, stage: int) -> list[list[str]]:
    """Item ids per message of a stage (an item spread over two messages is listed in both).

    It depends on the roadmap only, never on statuses: a listener can tell which part to update.
    """
    target = _stage(roadmap, stage)
    layout: list[list[str]] = []
    for part in _stage_placement(target, roadmap):
        item_ids = [target.items[g].id for g, _ in part if g < len(target.items)]
        layout.append(list(dict.fromkeys(item_ids)))
    return layout


def _stage(roadmap: Roadmap, stage: int) -> Stage:
    if stage not in (1, 2, 3):
        raise ValueError(f"stage must be 1, 2 or 3, got {stage}")
    return roadmap.stages[stage - 1]


_LONGEST_ITEM_ID = "3.999"  # the longest id the schema allows; sizes are upper bounds


@cache
def _actions_bound(lang: Language = "en") -> _Size:
    """The largest actions block any item can have, whatever its status, id or version."""
    sizes = [_size([_item_actions(_LONGEST_ITEM_ID, s, MAX_VERSION_ID, lang)]) for s in ItemStatus]
    return functools.reduce(_Size.max, sizes)


def _head_delta(lang: Language = "en") -> int:
    """How much longer the longest status head is than the to-do one (the head is verbatim text)."""
    todo = len(_status_line(ItemStatus.TODO, lang))
    return max(len(_status_line(s, lang)) for s in ItemStatus) - todo


def _stage_placement(
    stage: Stage, roadmap: Roadmap, todo: Sequence[list[Block]] | None = None, closing: Sequence[Block] | None = None
) -> Placement:
    """The split of a stage into messages, from each item's largest rendering over all statuses.

    Only the first section's status line and the buttons change with the status, so the sections are
    measured once (the status line padded to the longest one) and the buttons by their largest form.
    `todo` (each item's to-do sections) and `closing` are the blocks the caller made already, if it did.
    """
    lang = roadmap.language
    groups: list[list[_Size]] = []
    delta = _head_delta(lang)
    for n, item in enumerate(stage.items):
        sections = todo[n] if todo is not None else _item_sections(item, ItemStatus.TODO, lang)
        sizes = [_size([_divider(), sections[0]]) + _Size(delta, delta, 0)]
        sizes += [_size([section]) for section in sections[1:]]
        sizes[-1] = sizes[-1] + _actions_bound(lang)
        groups.append(sizes)
    if stage.number == len(roadmap.stages):
        groups += [[_size([block])] for block in (closing if closing is not None else _closing(roadmap))]
    reserve = _Size(FALLBACK_MAX, 0, 0) + _size(_stage_tail(roadmap, stage))
    return _pack(
        groups,
        first=_size(_stage_top(roadmap, stage, len(stage.items))) + reserve,
        following=_size(_stage_continued(stage, lang)) + reserve,
    )


def stage_messages(
    roadmap: Roadmap, stage: int, statuses: Mapping[str, ItemStatus], *, version_id: int
) -> list[SlackMessage]:
    """One stage's items with their buttons, split over as many messages as the budgets need, never cut.

    An item stays whole in one message unless it is bigger than a message; then its sections flow on and its
    buttons follow its last section. Part 1 opens with the stage header, later parts with "(continued)", the last
    part ends with the capacity after the stage; the last stage's then says what was left out and the assumptions.
    """
    if not 0 <= version_id <= MAX_VERSION_ID:
        raise ValueError(f"version_id out of range: {version_id}")
    target = _stage(roadmap, stage)
    lang = roadmap.language
    todo = [_item_sections(item, ItemStatus.TODO, lang) for item in target.items]
    closing = _closing(roadmap) if target.number == len(roadmap.stages) else []
    placement = _stage_placement(target, roadmap, todo, closing)
    closed = sum(1 for i in target.items if not ItemStatus(statuses.get(i.id, ItemStatus.TODO)).is_open)
    name = shorten(roadmap.system_name, 80)
    messages: list[SlackMessage] = []
    for k, part in enumerate(placement, 1):
        blocks = _stage_top(roadmap, target, closed) if k == 1 else _stage_continued(target, lang)
        first_item = part[0][0] if part else -1
        after: list[Block] = []
        for g, a in part:
            if g >= len(target.items):  # the closing blocks, after every item
                after.append(closing[g - len(target.items)])
                continue
            item = target.items[g]
            status = ItemStatus(statuses.get(item.id, ItemStatus.TODO))
            made = todo[g] if status == ItemStatus.TODO else None
            atoms = _item_atoms(item, status, version_id, divider=g != first_item, lang=lang, sections=made)
            blocks += atoms[a]
        if k == len(placement):
            blocks += _stage_tail(roadmap, target)
        blocks += after
        where = t(lang, " (part {part} of {parts})", part=k, parts=len(placement)) if len(placement) > 1 else ""
        fallback = t(
            lang,
            "{name} · Stage {n} · {stage}{where}: {count} items",
            name=name,
            n=target.number,
            stage=target.name,
            where=where,
            count=len(target.items),
        )
        messages.append(SlackMessage(_fallback_text(fallback), blocks))
    return messages


def roadmap_messages(
    roadmap: Roadmap,
    *,
    version: int,
    version_id: int,
    statuses: Mapping[str, ItemStatus],
    change_note: str | None = None,
    usage_note: str | None = None,
    regenerate_roadmap_id: int | None = None,
) -> list[tuple[tuple[str, int, int], dict[str, Any]]]:
    """Every message of a version, in posting order, as ((kind, stage, part), chat arguments).

    Plain values in and out, so the server can render in a worker process: a roadmap is about
    ten messages, and slack_sdk's models check every element as they serialise.
    """
    summary = summary_message(
        roadmap,
        version=version,
        change_note=change_note,
        usage_note=usage_note,
        regenerate_roadmap_id=regenerate_roadmap_id,
    )
    planned = [(("summary", 0, part), message.to_args()) for part, message in enumerate(summary)]
    for stage in roadmap.stages:
        messages = stage_messages(roadmap, stage.number, statuses, version_id=version_id)
        planned += [(("stage", stage.number, part), message.to_args()) for part, message in enumerate(messages)]
    return planned


# --- item details (modal) -----------------------------------------------------------------------------------------
def item_details_view(item: RoadmapItem, status: ItemStatus, *, system_name: str, lang: Language = "en") -> View:
    """Everything about one item, including what the stage message leaves out: steps, checks, sources."""
    status = ItemStatus(status)
    where = t(lang, "Stage {n} · item {id}", n=item.stage, id=item.id)
    body: list[Block] = [
        _header(item.title),
        _context(f"{escape_mrkdwn(system_name)} · {where} · {_status_line(status, lang)}"),
    ]
    body += _sections(_item_body(item, lang))
    body.append(DividerBlock())
    steps = "\n".join(f"{n}. {escape_mrkdwn(s)}" for n, s in enumerate(item.steps, 1))
    body += _sections(t(lang, "*Steps*") + "\n" + steps)
    body += _sections(t(lang, "*How to verify*") + "\n" + "\n".join(f"• {escape_mrkdwn(v)}" for v in item.verify))
    if item.sources:
        sources = [f"• {escape_mrkdwn(source_text(s, lang))}" for s in item.sources]
        body += _contexts(t(lang, "*Sources*") + "\n" + "\n".join(sources))
    if len(body) > VIEW_MAX_BLOCKS:  # only for absurd items (hundreds of thousands of chars): say so, don't fail
        body = [*body[: VIEW_MAX_BLOCKS - 1], _context(t(lang, "This item is too long to show in full here."))]
    return View(
        type="modal",
        callback_id=ids.ITEM_DETAILS_CALLBACK,
        title=PlainTextObject(text=t(lang, "Item {id}", id=item.id), emoji=True),
        close=PlainTextObject(text=t(lang, "Close"), emoji=True),
        blocks=body,
    )


# --- help, list, notices, status notes, home ----------------------------------------------------------------------
def help_message(lang: Language = "en") -> SlackMessage:
    """Ephemeral usage for the slash command."""
    text = t(
        lang,
        "*`/scale-review`* opens the questionnaire: users now and the target, core features, database, servers, "
        "network, bottlenecks and budget. I post the roadmap in the channel you choose: a summary, then each stage "
        "with the impact, effort and cost of every item.\n"
        "*`/scale-review &lt;system name&gt;`* opens it prefilled with that system's last answers, to revise them.\n"
        "*`/scale-review list`* shows your roadmaps, their progress and links to their threads.\n"
        "*`/scale-review help`* shows this message.",
    )
    marking = t(
        lang,
        "*Marking progress:* {how} The ⋯ menu accepts a risk (won't do) or marks an item not applicable.",
        how=t(lang, HOW_TO_MARK),
    )
    asking = t(
        lang,
        "*Questions:* mention me in a roadmap's thread, e.g. `@scale-review why 2.3 after 2.2?` or "
        "`@scale-review why read replicas after the indexes?`, and I answer from the roadmap's own figures.",
    )
    invite = ":information_source: " + t(
        lang, "I can only post in channels I am a member of: type `/invite @scale-review` in the channel first."
    )
    blocks: list[Block] = [
        _header(t(lang, "Scale review: how it works")),
        _section(text),
        _section(marking),
        _section(asking),
        _context(invite),
    ]
    return SlackMessage(t(lang, "How to use /scale-review"), blocks)


def _entry_text(entry: RoadmapListing, lang: Language) -> str:
    version = f"v{entry.version}" if entry.version is not None else t(lang, "no roadmap yet")
    progress = (
        _bar(entry.closed_items, entry.total_items)
        + " "
        + t(lang, "{closed}/{total} closed", closed=entry.closed_items, total=entry.total_items)
    )
    if entry.channel_id:
        where = t(lang, "in {channel}", channel=_channel(entry.channel_id, lang))
    else:
        where = t(lang, "not posted yet")
    name = f"*{_link(entry.permalink, escape_mrkdwn(entry.system_name))}*"
    started = t(lang, "started {date}", date=_date(entry.created_at))
    return f"{name} · {version}\n{progress} · {where} · {started}"


def _entry_block(entry: RoadmapListing, lang: Language) -> SectionBlock:
    accessory = None
    if entry.permalink and _link(entry.permalink, "x") != "x":
        accessory = _button(t(lang, "Open thread"), ids.ACTION_OPEN_THREAD, url=entry.permalink)
    return _section(_entry_text(entry, lang), accessory=accessory)


def _newest(entries: Sequence[RoadmapListing]) -> list[RoadmapListing]:
    def key(e: RoadmapListing) -> float:
        moment = e.created_at if e.created_at.tzinfo else e.created_at.replace(tzinfo=UTC)
        return moment.timestamp()

    return sorted(entries, key=key, reverse=True)


def list_message(entries: Sequence[RoadmapListing], lang: Language = "en") -> SlackMessage:
    """`/scale-review list`: the newest roadmaps that fit one message, with progress and thread links."""
    if not entries:
        return SlackMessage(
            t(lang, "You have no scale reviews yet"),
            [
                _section(
                    ":seedling: "
                    + t(
                        lang,
                        "You have no scale reviews yet. Type `/scale-review` in a channel to describe a system "
                        "and get a staged roadmap in a thread.",
                    )
                )
            ],
        )
    ordered = _newest(entries)
    top: list[Block] = [_header(t(lang, "Your scale reviews"))]
    more_note = _context(_older_note(9999, lang))
    used = _size(top) + _size([more_note]) + _Size(FALLBACK_MAX, 0, 0)
    shown: list[Block] = []
    for entry in ordered[:LIST_MAX_ENTRIES]:
        block = _entry_block(entry, lang)
        if not (used + _size([block])).within(MESSAGE_LIMIT):
            break
        shown.append(block)
        used = used + _size([block])
    blocks = top + shown
    hidden = len(ordered) - len(shown)
    if hidden:
        blocks.append(_context(_older_note(hidden, lang)))
    return SlackMessage(t(lang, "Your scale reviews ({count})", count=len(ordered)), blocks)


def _older_note(hidden: int, lang: Language) -> str:
    return i18n.tn(
        lang,
        "…and {count} older one: open the app's Home tab to see more.",
        "…and {count} older ones: open the app's Home tab to see more.",
        hidden,
    )


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


def mention_reply(lang: Language = "en") -> str:
    """The answer to an @-mention that is not a status command: what I do and how to start."""
    return t(
        lang,
        "Hi! I turn “our servers fall over” into a staged scaling roadmap. Type `/scale-review` to describe a "
        "system, `/scale-review list` for your roadmaps, `/scale-review help` for the rest. In a roadmap's thread, "
        "write `start 1.2` or `done 1.2` to mark items, or mention me with a question such as “why 1.2 before 2.1?”.",
    )


def continued_above(stage: int, lang: Language = "en") -> SlackMessage:
    """Replaces a stage message that a re-render no longer needs (its items now fit in the messages above)."""
    text = t(lang, "Stage {n} continues in the messages above.", n=stage)
    return SlackMessage(text, [_context(f"_{text}_")])


def discussion_replies(reply: DiscussionReply) -> list[SlackMessage]:
    """The answer to a question in a roadmap's thread: the AI's answer when there is one, then the plan's reason
    for an order and the items asked about as their stage messages show them; or, when the question names no
    item, what is open now. Usually one message; long items flow on into a second rather than being cut."""
    lang = reply.language
    answer = reply.reading
    groups: list[list[Block]] = []
    if reply.ai_answer:
        groups.append(_sections(f":speech_balloon: {escape_mrkdwn(reply.ai_answer)}"))
    if answer.ordering is not None:
        order = answer.ordering
        before = t(lang, "*{first} comes before {then}*", first=order.first.id, then=order.then.id)
        groups.append([_section(f":scales: {before} — {escape_mrkdwn(order.reason)}.")])
    for item in answer.items:
        status = ItemStatus(answer.statuses.get(item.id, ItemStatus.TODO))
        groups.append(_item_sections(item, status, lang, full=True))
    if not answer.items:
        if not reply.ai_answer:
            groups.append(
                [
                    _section(
                        t(
                            lang,
                            "I could not tell which items you mean. Name them by id or by subject, e.g. "
                            "“why 1.2 before 2.1?” or “why read replicas after the indexes?”.",
                        )
                    )
                ]
            )
        lines = [f"• {i.id} {escape_mrkdwn(i.title)}" for i in answer.open_now]
        if lines:
            groups.append(_sections(t(lang, "*Open now:*") + "\n" + "\n".join(lines)))
        else:
            groups.append(_sections(t(lang, "Every item of this roadmap is closed.")))
    tail: list[Block] = []
    if reply.ai_failed:
        tail.append(
            _context(
                ":information_source: "
                + t(
                    lang,
                    "No AI answer this time ({why}): this one comes from the roadmap's own figures.",
                    why=escape_mrkdwn(reply.ai_failed),
                )
            )
        )
    if reply.ai_answer:
        fallback = shorten(reply.ai_answer, FALLBACK_MAX)
    elif answer.items:
        fallback = t(lang, "About {items} of this roadmap", items=", ".join(i.id for i in answer.items))
    else:
        fallback = t(lang, "I could not tell which items you mean; here is what is open now.")
    return _assemble(
        groups,
        top=[],
        continued=lambda k: [_context(t(lang, "_(answer continued, part {part})_", part=k))],
        fallback=lambda k, n: fallback,
        tail=tail,
    )


def status_note(item_id: str, title: str, status: ItemStatus, actor_user_id: str, lang: Language = "en") -> str:
    """One line for the thread when someone changes an item's status."""
    status = ItemStatus(status)
    return f"{STATUS_EMOJI[status]} " + t(
        lang,
        "{who} marked {id} *{title}* as {status}",
        who=f"<@{actor_user_id}>",
        id=item_id,
        title=escape_mrkdwn(title),
        status=status_label(status, lang),
    )


def _home_nudge_line(entry: RoadmapListing, lang: Language) -> str | None:
    nudges = entry.nudges
    if nudges is not None and nudges.paused:
        return ":double_vertical_bar: " + t(lang, "Weekly nudges paused")
    label = nudges.next_label(lang) if nudges is not None else None
    if label:
        return ":bell: " + t(lang, "Next nudge: {when}", when=escape_mrkdwn(shorten(label, 120)))
    if entry.total_items and entry.closed_items >= entry.total_items:
        return ":tada: " + t(lang, "Every item is closed, so no more nudges")
    return None


def _home_entry(entry: RoadmapListing, lang: Language, *, chart: bool = False) -> list[Block]:
    """One roadmap on the Home tab: overall and per-stage progress, the next nudge, and its buttons."""
    lines = [_entry_text(entry, lang)]
    current = next((st.number for st in sorted(entry.stages, key=lambda st: st.number) if st.closed < st.total), None)
    lines += _stage_lines(entry.stages, current, width=5, lang=lang)
    nudge = _home_nudge_line(entry, lang)
    if nudge:
        lines.append(nudge)
    blocks: list[Block] = [_section("\n".join(lines))]
    buttons: list[ButtonElement] = []
    if entry.permalink and _link(entry.permalink, "x") != "x":
        buttons.append(_button(t(lang, "Open thread"), ids.ACTION_OPEN_THREAD, url=entry.permalink))
    value = values.for_roadmap(entry.roadmap_id)
    if entry.nudges is not None and entry.nudges.paused:
        buttons.append(_button(t(lang, "Resume nudges"), ids.ACTION_NUDGE_RESUME, value=value))
    elif entry.nudges is not None and entry.nudges.next_due is not None:
        buttons.append(_button(t(lang, "Pause nudges"), ids.ACTION_NUDGE_PAUSE, value=value))
    if chart and entry.chart_file_id:  # the picture already in the thread, by its Slack file id (no public URL)
        alt = t(
            lang,
            "Capacity chart of {name}: users served now and after each stage, against the target",
            name=entry.system_name,
        )
        blocks.append(ImageBlock(slack_file={"id": entry.chart_file_id}, alt_text=shorten(alt, 1900)))
    if buttons:
        blocks.append(ActionsBlock(elements=buttons))
    return blocks


def home_view(entries: Sequence[RoadmapListing], *, user_id: str, lang: Language = "en") -> View:
    """The App Home tab: the user's newest roadmaps with progress per stage and their nudges, and how to start one.

    At most HOME_MAX_ENTRIES roadmaps (3 blocks each), so the view stays far below Slack's 100 blocks.
    """
    intro = t(
        lang,
        "Hi {who}. Type `/scale-review` in a channel to describe a system that falls over under load; "
        "I post a staged roadmap (immediate fixes, mid-term architecture, long-term scalability) in a thread "
        "there, and a weekly check-in until every item is closed.",
        who=f"<@{user_id}>",
    )
    blocks: list[Block] = [
        _header(t(lang, "Your scale reviews")),
        _section(f"{intro} {t(lang, HOW_TO_MARK)}"),
        _context(t(lang, "`/scale-review list` lists them in any channel · `/scale-review help` for everything else")),
        DividerBlock(),
    ]
    ordered = _newest(entries)
    if not ordered:
        empty = t(lang, "No scale reviews yet. Your roadmaps and their progress will show here.")
        blocks.append(_section(f":seedling: {empty}"))
    for k, entry in enumerate(ordered[:HOME_MAX_ENTRIES]):
        if k:
            blocks.append(DividerBlock())
        blocks += _home_entry(entry, lang, chart=k < HOME_CHARTS)
    hidden = len(ordered) - HOME_MAX_ENTRIES
    if hidden > 0:
        blocks.append(
            _context(
                t(
                    lang,
                    "Showing the newest {shown} of {count} · …and {hidden} more, not shown here.",
                    shown=HOME_MAX_ENTRIES,
                    count=len(ordered),
                    hidden=hidden,
                )
            )
        )
    return View(type="home", blocks=blocks)


# --- weekly nudges ------------------------------------------------------------------------------------------------
NUDGE_HOW_TO_CHANGE = N_("reply `nudge friday 09:00`, `nudge pause` or `nudge resume` in this thread")


def _nudge_settings_button(roadmap_id: int, lang: Language = "en") -> ButtonElement:
    return _button(t(lang, "Nudge settings"), ids.ACTION_NUDGE_SETTINGS, value=values.for_roadmap(roadmap_id))


def _export_button(roadmap_id: int, lang: Language = "en") -> ButtonElement:
    """The roadmap as files (Markdown checklist, CSV for Jira or Linear, JSON) in its thread."""
    return _button(t(lang, "Export"), ids.ACTION_EXPORT, value=values.for_roadmap(roadmap_id))


def _stage_lines(
    stages: Sequence[StageProgress], current: int | None, *, width: int = 10, lang: Language = "en"
) -> list[str]:
    """One line per stage: a bar, closed/total and the name; the current stage is pointed at and says so."""
    lines: list[str] = []
    for stage in sorted(stages, key=lambda s: s.number):
        if stage.number == current:
            mark = ":point_right:"
        elif stage.total and stage.closed >= stage.total:
            mark = ":white_check_mark:"
        else:
            mark = ":white_small_square:"
        line = (
            f"{mark} {_bar(stage.closed, stage.total, width)} {stage.closed}/{stage.total} · "
            + t(lang, "Stage {n}", n=stage.number)
            + f" · {escape_mrkdwn(shorten(stage.name, 80))}"
        )
        if stage.number == current:
            line += " · " + t(lang, "*current*")
        lines.append(line)
    return lines


def _progress_section(stages: Sequence[StageProgress], current: int | None, lang: Language = "en") -> list[Block]:
    if not stages:
        return []
    closed = sum(s.closed for s in stages)
    total = sum(s.total for s in stages)
    head = t(lang, "*Progress:* {closed}/{total} items closed", closed=closed, total=total)
    return [_section(head + "\n" + "\n".join(_stage_lines(stages, current, lang=lang)))]


def _mention(user_id: str | None, lang: Language = "en") -> str:
    return f"<@{user_id}>" if user_id and re.fullmatch(r"[UW][A-Z0-9]+", user_id) else t(lang, "no owner yet")


def day_label(day: date, lang: Language = "en") -> str:
    """A due day as its readers write it: "Fri 11 Dec" / "12월 11일 (금)"."""
    return format_date(day, "M월 d일 (EEE)" if lang == "ko" else "EEE d MMM", locale=lang)


def _nudge_item_blocks(item: NudgeItem, version_id: int, lang: Language, today: date | None = None) -> list[Block]:
    """An open item of the current stage: its line (with its due day, flagged when past), then a Done button."""
    status = ItemStatus(item.status)
    text = (
        f"*{escape_mrkdwn(item.item_id)}* {escape_mrkdwn(item.title)}\n"
        f"{_status_line(status, lang)} · {_mention(item.owner_user_id, lang)}"
    )
    if item.due_on is not None:
        late = today is not None and item.due_on < today
        due = t(lang, "overdue since {day}", day=day_label(item.due_on, lang)) if late else None
        text += " · " + (f":warning: {due}" if due else t(lang, "due {day}", day=day_label(item.due_on, lang)))
    done = _button(
        t(lang, "Done"),
        status_action_id(ItemStatus.DONE),
        value=_status_value(version_id, item.item_id, ItemStatus.DONE, status),
        style="primary" if status == ItemStatus.IN_PROGRESS else None,
    )
    return [_section(text), ActionsBlock(elements=[done], block_id=item_block_id(item.item_id))]


def _more_note(hidden: int, stage: int, lang: Language) -> Block:
    return _context(
        i18n.tn(
            lang,
            "…and {count} more open item in stage {stage} — see the stage message above.",
            "…and {count} more open items in stage {stage} — see the stage message above.",
            hidden,
            stage=stage,
        )
    )


def nudge_message(digest: NudgeDigest) -> SlackMessage:
    """The weekly check-in in the roadmap's thread: progress per stage, what is open in the current stage and who
    owns it (each with a Done button), how much waits in later stages, and how to snooze, pause or reschedule.

    Open items of the current stage are shown while the message keeps to the budgets; the rest are counted in a
    "…and K more" line, never dropped silently. Written in the roadmap's language.
    """
    if not 0 <= digest.version_id <= MAX_VERSION_ID:
        raise ValueError(f"version_id out of range: {digest.version_id}")
    lang = digest.language
    name = digest.system_name
    current = digest.current_stage
    seen: set[str] = set()
    now: list[NudgeItem] = []
    for item in digest.open_items:
        if item.stage == current and item.item_id not in seen and ItemStatus(item.status).is_open:
            seen.add(item.item_id)
            now.append(item)

    if digest.on_demand:
        top: list[Block] = [_header(t(lang, "Where we stand · {name}", name=name))]
    else:
        top = [_header(t(lang, "Weekly check-in · {name}", name=name))]
    if digest.catch_up:
        top.append(
            _context(
                ":hourglass: "
                + t(
                    lang,
                    "This check-in stands in for the ones missed while I was offline: one catch-up, not a backlog.",
                )
            )
        )
    top += _progress_section(digest.stages, current, lang)
    if current is None:
        top.append(_section(":tada: " + t(lang, "Every item is closed.")))
    elif now:
        stage_name = next((s.name for s in digest.stages if s.number == current), None)
        titled = f" · {escape_mrkdwn(shorten(stage_name, 80))}" if stage_name else ""
        top.append(_section(t(lang, "*Open in stage {n}*", n=current) + f"{titled} ({len(now)})"))

    tail: list[Block] = []
    if current is not None:
        later = _later_open(digest, current)
        if later:
            counts = " · ".join(t(lang, "stage {n}: {count}", n=n, count=k) for n, k in later.items())
            total = sum(later.values())
            still = i18n.tn(
                lang,
                "Still open in later stages: {count} item ({counts}).",
                "Still open in later stages: {count} items ({counts}).",
                total,
                counts=counts,
            )
            tail.append(_context(still))
    value = values.for_roadmap(digest.roadmap_id)
    controls = [_nudge_settings_button(digest.roadmap_id, lang)]
    if not digest.on_demand:  # snoozing and pausing are answers to a weekly check-in
        controls[:0] = [
            _button(t(lang, "Snooze a week"), ids.ACTION_NUDGE_SNOOZE, value=value),
            _button(t(lang, "Pause nudges"), ids.ACTION_NUDGE_PAUSE, value=value),
        ]
    tail.append(ActionsBlock(elements=controls, block_id="nudge:controls"))
    schedule = f":calendar: {escape_mrkdwn(shorten(digest.schedule.describe(lang), 200))}"
    if digest.next_due is not None:
        label = local_label(digest.next_due, digest.schedule.timezone, lang)
        schedule += " · " + t(lang, "next check-in {when}", when=escape_mrkdwn(shorten(label, 120)))
    change = t(lang, "To change it, {how}.", how=t(lang, NUDGE_HOW_TO_CHANGE))
    tail.append(_context(f"{schedule}. {change}"))

    base = _size(top) + _size(tail) + _Size(FALLBACK_MAX, 0, 0)
    today = datetime.now(UTC).date()
    pairs = [_nudge_item_blocks(item, digest.version_id, lang, today) for item in now]
    sizes = [_size(pair) for pair in pairs]
    shown = _fitting(sizes, base)
    if shown < len(pairs):  # not all fit: make room for the line that counts the others
        shown = _fitting(sizes, base + _size([_more_note(len(now), current or 0, lang)]))
    blocks = list(top)
    for pair in pairs[:shown]:
        blocks += pair
    if shown < len(pairs):
        blocks.append(_more_note(len(pairs) - shown, current or 0, lang))
    blocks += tail

    if current is None:
        fallback = t(lang, "Weekly check-in for {name}: every item is closed", name=name)
    else:
        fallback = i18n.tn(
            lang,
            "Weekly check-in for {name}: {count} open item in stage {stage}",
            "Weekly check-in for {name}: {count} open items in stage {stage}",
            len(now),
            name=name,
            stage=current,
        )
    return SlackMessage(_fallback_text(fallback), blocks)


def _later_open(digest: NudgeDigest, current: int) -> dict[int, int]:
    """Open items per later stage: from the stages' progress, or from the listed items when it is missing."""
    counts: dict[int, int] = {}
    if digest.stages:
        for stage in sorted(digest.stages, key=lambda s: s.number):
            if stage.number > current and stage.total > stage.closed:
                counts[stage.number] = stage.total - stage.closed
        return counts
    for item in digest.open_items:
        if item.stage > current and ItemStatus(item.status).is_open:
            counts[item.stage] = counts.get(item.stage, 0) + 1
    return dict(sorted(counts.items()))


def _fitting(sizes: Sequence[_Size], used: _Size) -> int:
    """How many of the runs, in order, fit in one message on top of ``used``."""
    count = 0
    for size in sizes:
        if not (used + size).within(MESSAGE_LIMIT):
            break
        used = used + size
        count += 1
    return count


def completion_message(system_name: str, stages: Sequence[StageProgress], lang: Language = "en") -> SlackMessage:
    """Posted once when every item is closed (done, accepted or not applicable): congratulations, and nudges stop."""
    name = escape_mrkdwn(shorten(system_name, 80))
    blocks: list[Block] = [
        _header(t(lang, "Every item is closed · {name}", name=system_name)),
        _section(
            ":tada: "
            + t(
                lang,
                "Every item on the roadmap for *{name}* is closed: done, accepted as a risk, or not applicable. "
                "Well done!",
                name=name,
            )
        ),
        *_progress_section(stages, None, lang),
        _context(
            ":bell: "
            + t(
                lang,
                "Weekly nudges stop now. If more work turns up, reply `nudge resume` in this thread "
                "to start them again.",
            )
        ),
    ]
    fallback = t(lang, "Every item for {name} is closed: weekly nudges stop now", name=system_name)
    return SlackMessage(_fallback_text(fallback), blocks)


# --- thread queries -------------------------------------------------------------------------------------------------
_VERSION_STATES = {"ready": N_("posted"), "generating": N_("being written"), "failed": N_("failed")}


def versions_message(versions: Sequence[VersionLine], system_name: str, lang: Language = "en") -> list[SlackMessage]:
    """`versions` in a roadmap's thread: every version, when and how it was made, and what it changed."""
    lines = []
    for v in versions:
        state = t(lang, _VERSION_STATES.get(v.status, v.status))
        line = f"• *v{v.version}* · {state} · {escape_mrkdwn(v.engine)} · {_date(v.created_at)}"
        if v.change:
            line += f"\n  {escape_mrkdwn(shorten(v.change, 280))}"
        lines.append(line)
    head = t(lang, "*Versions of {name}* (each one is in this thread)", name=escape_mrkdwn(shorten(system_name, 80)))
    texts = [(head + "\n" + "\n".join(lines), False)] if lines else [(t(lang, "No version yet."), False)]
    groups = [_sections(text) for text, _ in texts]
    fallback = t(lang, "Versions of {name}", name=system_name)
    return _assemble(
        groups,
        top=[],
        continued=lambda k: [_context(t(lang, "_(versions continued, part {part})_", part=k))],
        fallback=lambda k, n: fallback,
    )


def thread_help(lang: Language = "en") -> str:
    """`help` in a roadmap's thread: what can be written there."""
    return t(
        lang,
        "In this thread: `done 1.2`, `start 2.1`, `skip 3.4 because ...` (or `1.2 완료`, `2.1 시작`) mark items; "
        "`assign 1.3 @someone` and `due 2.1 friday` set an owner and a day; `status` shows "
        "where the team stands; `versions` lists the roadmap's versions; `export` uploads its files; "
        "`nudge friday 09:00` or `nudge pause` changes the weekly check-in. Mention me with a question, e.g. "
        "“why 1.2 before 2.1?”. *Edit answers* on the first message posts a new version, and so does a "
        "correction written here (`the budget is now $2k/month`, `we already run Redis`) once you confirm it.",
    )
