"""What each planned item does, said: its share of the stage's gain, its effect in the model, re-size texts."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from bot.roadmap.capacity import Projection
from bot.roadmap.numbers import compact
from bot.roadmap.planning.choice import Choice
from bot.roadmap.planning.mix import Mix
from bot.roadmap.rounding import sig, users2
from bot.roadmap.schema import TIER_LABELS, Range


def _share(mix: Mix, empty: Mix, choice: Choice) -> float:
    """Geometric mean of the gain alone (first in) and the gain lost without it (last in).

    That is exactly the Shapley value of a two-item set on the log scale and a cheap stand-in
    for larger sets, so overlapping fixes are not all credited in full, nor complementary ones at zero.
    """
    alone = empty.system_rps_with(choice)
    return math.sqrt((alone / empty.system_rps()) * (mix.system_rps() / mix.system_rps(without=choice)))


def describe(
    choices: Sequence[Choice], start: Projection, users_at: Callable[[float], int] | None = None
) -> Projection:
    """Final capacity figures for each item, and the stage's end state."""
    kept = [c for c in choices if not c.deferred]
    final, empty = Mix(start, kept), Mix(start, ())
    for choice in choices:
        mix = Mix(start, [*kept, choice]) if choice.deferred else final
        choice.capacity_gain = _share(mix, empty, choice) if choice.active else 1.0
        scaling = choice.pattern.scaling
        if scaling is not None and choice.units is not None:
            changes = []
            for scenario in ("conservative", "optimistic"):
                if scaling.tier == "cells":
                    after, before = mix.system_rps(scenario), mix.system_rps(scenario, without=choice)
                else:
                    after = mix.tier_rps(scenario, scaling.tier)
                    before = mix.tier_rps(scenario, scaling.tier, without=choice)
                changes.append(round((after / before - 1) * 100))
            changes.sort()
            choice.impact_change = Range(low=changes[0], high=changes[1])
    if users_at is not None:
        _effects(choices, start, users_at)
    return final.projection()


def _effects(choices: Sequence[Choice], start: Projection, users_at: Callable[[float], int]) -> None:
    """Each item's honest effect: what it does to its own tiers, and which tier binds once it is in.

    Items are taken in the stage's order, each on top of the ones before it, so "after it" means
    after it and everything listed before it in the stage.
    """
    done: list[Choice] = []
    before = Mix(start, ())
    for choice in choices:
        if choice.deferred or not choice.active:
            choice.effect = None
            continue
        after = Mix(start, [*done, choice])
        parts = []
        scaling = choice.pattern.scaling
        if scaling is not None and choice.units is not None and choice.units_from is not None:
            if choice.relative:
                parts.append(
                    f"{scaling.units_label} {choice.units_from}x -> {choice.units}x today's (count not stated)"
                )
            else:
                parts.append(f"{scaling.units_label} {choice.units_from} -> {choice.units}")
        for tier in after.tiers:
            gain = after.tier_rps("expected", tier) / before.tier_rps("expected", tier)
            if gain > 1.005:
                parts.append(f"{TIER_LABELS[tier]} capacity x{sig(gain, 2):g}")
        system = after.system_rps()
        binding = min(after.tiers, key=lambda t: after.tier_rps("expected", t))
        if parts:
            choice.effect = (
                f"In the model: {', '.join(parts)}; binding tier after it: {TIER_LABELS[binding]}, "
                f"about {compact(users2(users_at(system)))} users."
            )
        else:
            choice.effect = None
        done.append(choice)
        before = after


RESIZE_EFFORT = (Range(low=1, high=3), Range(low=0.5, high=1))  # person-days, weeks: adding nodes to a working fleet


def resize_text(choice: Choice) -> tuple[str, list[str], list[str]]:
    """Title, steps and checks of a re-size item: more of a lever the plan already built."""
    if choice.is_size:
        return _size_text(choice)
    scaling = choice.pattern.scaling
    assert scaling is not None and choice.resize_of is not None
    label = scaling.units_label
    title = f"Grow the {label} from {choice.units_from} to {choice.units}"
    if choice.relative:
        title = f"Grow the {label} from {choice.units_from}x to {choice.units}x today's fleet"
    steps = [
        f"Add the {label} in two or three steps (about a third each), watching p95 latency, errors and the "
        "busiest tier after every step.",
        f"Raise the autoscaling or capacity limits to {choice.units} {label} and keep one extra for failures "
        "if you run close to the ceiling.",
        "Re-run the load test at this stage's goal and feed the measured throughput back into the plan.",
    ]
    verify = [
        f"A load test at this stage's goal passes with {choice.units} {label}, p95 within the objective.",
        "Throughput rose with the added units (if it did not, the tier is not the limit: stop adding).",
    ]
    return title, steps, verify


def _size_text(choice: Choice) -> tuple[str, list[str], list[str]]:
    """Title, steps and checks of growing the database by more instance sizes than an earlier item did."""
    more = choice.steps - choice.steps_from
    title = (
        f"Grow the database by {more} more instance size{'s' if more > 1 else ''} "
        f"({2**choice.steps}x today's vCPU and memory)"
    )  # Korean: korean/sentences.py SIZE_TITLES
    steps = [
        "Check first that the database is short of CPU, memory or IO at peak rather than waiting on locks; a "
        "bigger node does nothing for lock waits.",
        "Grow one size at a time in a low-traffic window (with a standby the change is a short failover), "
        "replicas to the same size, and raise the memory settings with it.",
        "Re-run the load test after each size and stop when the database is no longer the tier that binds.",
    ]
    verify = [
        "Database CPU at this stage's peak is at or below 70% after the change.",
        "Throughput rose with the size (if it did not, the node is not the limit: stop growing it).",
    ]
    return title, steps, verify
