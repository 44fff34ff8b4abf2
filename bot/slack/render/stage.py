"""A stage's messages in the thread, split so the split depends on the roadmap only (re-rendering after a status
change updates part N with part N), and the whole roadmap's messages in posting order."""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from functools import cache
from typing import Any

from slack_sdk.models.blocks import Block

from bot import i18n
from bot.i18n import Language, t
from bot.roadmap.schema import ItemStatus, Roadmap, Stage
from bot.slack.render.items import _item_actions, _item_atoms, _item_sections, _status_line
from bot.slack.render.kit import (
    FALLBACK_MAX,
    MAX_VERSION_ID,
    SlackMessage,
    _context,
    _currency,
    _divider,
    _fallback_text,
    _header,
    _money,
    _share,
    escape_mrkdwn,
    shorten,
    tier_name,
)
from bot.slack.render.packing import Placement, _pack, _Size, _size
from bot.slack.render.summary import _closing, summary_message


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


def continued_above(stage: int, lang: Language = "en") -> SlackMessage:
    """Replaces a stage message that a re-render no longer needs (its items now fit in the messages above)."""
    text = t(lang, "Stage {n} continues in the messages above.", n=stage)
    return SlackMessage(text, [_context(f"_{text}_")])
