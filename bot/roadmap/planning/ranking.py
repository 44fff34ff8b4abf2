"""Valuing a stage's choices: capacity doublings toward the target per cost, redundancy, and their order.

Every tier must carry the target in the end, so an item's benefit is the capacity doublings
it brings the tiers it relieves, counted only up to what each tier still lacks. Walking the
items best-first, one whose tiers are already covered by better ones adds nothing and goes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

from bot.roadmap import money
from bot.roadmap.capacity import Projection
from bot.roadmap.planning.choice import Choice
from bot.roadmap.planning.mix import Mix
from bot.roadmap.schema import Tier


def gaps(start: Projection, need_rps: float) -> dict[Tier, float]:
    """Doublings of capacity each tier still needs to carry the target (0 once it can)."""
    return {t: max(0.0, math.log2(need_rps / start.expected.tier_rps(t))) for t in start.expected.tiers}


def _cut_doublings(choice: Choice, mix: Mix) -> list[tuple[Tier, str, float]]:
    """(tier, mechanism, doublings) of each demand cut the choice makes, beyond what earlier stages cut that way."""
    return [
        (tier, mech, -math.log2(mix.relative("expected", tier, mech, picked[1])))
        for tier, picked, mech in choice.picked_effects()
        if tier in mix.tiers
    ]


def tier_doublings(choice: Choice, mix: Mix) -> dict[Tier, float]:
    """Capacity doublings the choice gives each tier on its own (expected figures)."""
    result = dict.fromkeys(mix.tiers, 0.0)
    cuts = _cut_doublings(choice, mix)
    for tier, _, doublings in cuts:
        result[tier] += doublings
    scaling = choice.pattern.scaling
    if scaling is not None and choice.units is not None:
        tiers = [t for t in mix.tiers if t != "contention"] if scaling.tier == "cells" else (scaling.tier,)
        for tier in tiers:
            with_it, without = mix.tier_rps("expected", tier), mix.tier_rps("expected", tier, without=choice)
            result[tier] += math.log2(with_it / without) - sum(d for t, _, d in cuts if t == tier)
    return result


def rank(mix: Mix, need_rps: float, currency: str) -> None:
    """Benefit and score of every active choice, in the order a capacity engineer would take them.

    Each choice's tier doublings (capped at what each tier lacks) count a quarter; what counts in
    full is the system capacity it adds at its turn, taking the choices greedily by that value per
    cost: the binding tier is relieved first, then the tier that binds next, and so on.
    """
    missing = gaps(mix.start, need_rps)
    for choice in mix.choices:
        gained = tier_doublings(choice, mix)
        choice.doublings = sum(min(gained[t], missing[t]) for t in mix.tiers)
        choice.system_gain = 0.0
    # Units, shards and cells multiply a tier's capacity independently, so each scaling choice is
    # one vector of per-tier multipliers; a demand cut multiplies by what it removes beyond the
    # strongest cut already taken by the same mechanism (bot/roadmap/overlap.py).
    empty = Mix(mix.start, ())
    tiers = mix.tiers
    position = {t: i for i, t in enumerate(tiers)}
    base = [empty.tier_rps("expected", t) for t in tiers]
    multipliers: dict[int, list[float]] = {}
    cuts: dict[int, list[tuple[int, str, float]]] = {}
    for choice in mix.choices:
        if choice.is_scaling:
            alone = Mix(mix.start, [choice])
            multipliers[id(choice)] = [alone.tier_rps("expected", t) / b for t, b in zip(tiers, base, strict=True)]
        else:
            cuts[id(choice)] = [(position[t], m, 2.0**-d) for t, m, d in _cut_doublings(choice, mix)]
    taken: dict[tuple[int, str], float] = {}

    def multiplier(choice: Choice) -> list[float]:
        found = multipliers.get(id(choice))
        if found is not None:
            return found
        result = [1.0] * len(tiers)
        for index, mech, cut in cuts[id(choice)]:
            current = taken.get((index, mech), 1.0)
            result[index] *= current / min(current, cut)
        return result

    remaining = list(mix.choices)
    costs = {id(c): _cost(c, currency) for c in remaining}
    current = list(base)
    while remaining:
        now = min(min(current), need_rps)
        best: tuple[float, Choice, list[float]] | None = None
        for choice in remaining:
            factor = multiplier(choice)
            after = min(min(c * f for c, f in zip(current, factor, strict=True)), need_rps)
            choice.system_gain = max(0.0, math.log2(after / now)) if now > 0 else 0.0
            benefit = 10 * (choice.system_gain + 0.25 * choice.doublings) + choice.pattern.resilience
            value = benefit / costs[id(choice)]
            if best is None or value > best[0] + 1e-12:
                best = (value, choice, factor)
        assert best is not None
        chosen = best[1]
        chosen.score = best[0]
        remaining.remove(chosen)
        current = [c * f for c, f in zip(current, best[2], strict=True)]
        for index, mech, cut in cuts.get(id(chosen), ()):
            taken[(index, mech)] = min(taken.get((index, mech), 1.0), cut)


def redundant(mix: Mix, need_rps: float) -> list[Choice]:
    """Demand cuts, best first, whose tiers better ones already bring to the target.

    A cut by the same mechanism as a stronger one adds only what it removes beyond it. Scaling
    choices do not count here: they are sized after the cuts, so a cut is never made redundant by
    servers that were only sized small because of it.
    """
    remaining = gaps(mix.start, need_rps)
    taken: dict[tuple[Tier, str], float] = {}
    result: list[Choice] = []
    for choice in sorted((c for c in mix.choices if not c.is_scaling), key=lambda c: -c.score):
        gained = dict.fromkeys(mix.tiers, 0.0)
        for tier, mech, doublings in _cut_doublings(choice, mix):
            already = taken.get((tier, mech), 0.0)
            gained[tier] += max(0.0, doublings - already)
            taken[(tier, mech)] = max(already, doublings)
        used = {t: min(gained[t], remaining[t]) for t in mix.tiers}
        if sum(used.values()) <= 1e-9:
            result.append(choice)
        for tier, amount in used.items():
            remaining[tier] -= amount
    return result


def redundant_scaling(mix: Mix, sizing_rps: float, wanted: Callable[[str], bool] | None = None) -> Choice | None:
    """The costliest scaling choice whose tier reaches the goal without it (cells cover shards, say)."""
    candidates = []
    for choice in mix.scaling:
        if wanted is not None and wanted(choice.pattern.id) and choice.resize_of is None:
            continue
        scaling = choice.pattern.scaling
        assert scaling is not None
        without = (
            mix.system_rps(without=choice)
            if scaling.tier == "cells"
            else mix.tier_rps("expected", scaling.tier, without=choice)
        )
        if without >= sizing_rps * (1 - 1e-9):
            candidates.append(choice)
    return max(candidates, key=lambda c: c.monthly.mid, default=None)


def score(choice: Choice, currency: str) -> float:
    """Benefit per cost: capacity doublings x 10 plus resilience points, per person-day equivalent.

    Doublings of system capacity at the choice's turn count in full, its own tiers' doublings a quarter.
    """
    benefit = 10 * (choice.system_gain + 0.25 * choice.doublings) + choice.pattern.resilience
    return benefit / _cost(choice, currency)


def _cost(choice: Choice, currency: str) -> float:
    """Person-days plus a year of money at 600 USD a person-day; never below half a day."""
    rate = money.UNITS_PER_USD[currency]
    money_days = (choice.one_off.mid + 12 * choice.monthly.mid) / rate / money.PERSON_DAY_USD
    return max(choice.pattern.effort.person_days.mid + money_days, 0.5)


def order(choices: Sequence[Choice], catalogue_index: dict[str, int]) -> list[Choice]:
    """Highest score first, each dependency hoisted just before the first item that needs it."""
    by_id = {c.pattern.id: c for c in choices}
    ranked = sorted(choices, key=lambda c: (-round(c.score, 9), catalogue_index[c.pattern.id]))
    result: list[Choice] = []

    def visit(choice: Choice) -> None:
        if choice in result:
            return
        for dep in choice.pattern.requires:
            if dep in by_id:
                visit(by_id[dep])
        result.append(choice)

    for choice in ranked:
        visit(choice)
    return result
