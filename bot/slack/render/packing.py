"""Fitting blocks into messages: each block's size against Slack's budgets, and the packing of groups of blocks
into as few messages as fit (long content is split across messages, never cut)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from slack_sdk.models.blocks import Block

from bot.slack.render.kit import (
    FALLBACK_MAX,
    MESSAGE_JSON_BUDGET,
    MESSAGE_MAX_BLOCKS,
    MESSAGE_TEXT_BUDGET,
    SlackMessage,
    _as_dict,
)


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


def _fitting(sizes: Sequence[_Size], used: _Size) -> int:
    """How many of the runs, in order, fit in one message on top of ``used``."""
    count = 0
    for size in sizes:
        if not (used + size).within(MESSAGE_LIMIT):
            break
        used = used + size
        count += 1
    return count
