"""One roadmap item as the thread and the details modal show it: its heading, body, status buttons and overflow
menu, and the ids a listener reads a click back from."""

from __future__ import annotations

from typing import Any

from slack_sdk.models.blocks import ActionsBlock, Block, DividerBlock, Option, OverflowMenuElement, PlainTextObject
from slack_sdk.models.views import View

from bot import i18n
from bot.i18n import N_, Language, t
from bot.roadmap import wording
from bot.roadmap.markdown import source_text
from bot.roadmap.schema import ItemStatus, RoadmapItem
from bot.slack import ids, values
from bot.slack.render.kit import (
    _CACHED,
    MENU_LABELS,
    SECTION_CHUNK,
    STATUS_EMOJI,
    VIEW_MAX_BLOCKS,
    _button,
    _context,
    _contexts,
    _divider,
    _header,
    _money,
    _section,
    _sections,
    escape_mrkdwn,
    split_text,
    status_label,
    tier_name,
)


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
    with the block, so a thread's most repeated block skips slack_sdk's serialiser
    (tests/slack/test_slack_blocks.py holds the two equal for every status and language)."""
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
