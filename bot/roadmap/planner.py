"""Planning one stage on the capacity model: size, value, order and budget its patterns.

Every tier must carry the target in the end, so an item's benefit is the capacity doublings
it brings the tiers it relieves, counted only up to what each tier still lacks. Walking the
items best-first, one whose tiers are already covered by better ones adds nothing and goes.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from bot.roadmap import money
from bot.roadmap.capacity import (
    SCENARIOS,
    CapacityState,
    Projection,
    Scenario,
    TierState,
    pick,
    units_for,
    usl,
    usl_peak,
)
from bot.roadmap.catalogue import Pattern
from bot.roadmap.numbers import compact
from bot.roadmap.numbers import money as fmt_money
from bot.roadmap.schema import TIERS, Range, Tier

ZERO = Range(low=0, high=0)


@dataclass(eq=False)
class Choice:
    """A pattern chosen for a stage, and everything the planner learns about it."""

    pattern: Pattern
    reasons: list[str]
    prerequisite: bool = False  # pulled in only because another choice needs it first
    units: int | None = None  # scaling patterns: the size chosen; None = not (or not usefully) sized
    units_from: int | None = None
    notes: list[str] = field(default_factory=list)
    doublings: float = 0.0  # capacity doublings toward the target on its tiers: the benefit
    capacity_gain: float = 1.0  # its share of the stage's system capacity gain, for display
    score: float = 0.0
    one_off: Range = ZERO
    monthly: Range = ZERO
    impact_change: Range | None = None  # scaling patterns: the modelled tier change, in percent
    deferred: str | None = None
    budget_limited: bool = False
    item_id: str = ""

    @property
    def is_scaling(self) -> bool:
        return self.pattern.scaling is not None

    @property
    def active(self) -> bool:
        return self.pattern.scaling is None or self.units is not None


class Mix:
    """Capacity of a set of choices applied to the stage's start, and of the set minus one member.

    Demand factors multiply, so removing one divides it back out; scaling choices override a
    tier's units, partitions or cells. Each query is O(tiers), which keeps leave-one-out cheap.
    """

    def __init__(self, start: Projection, choices: Iterable[Choice]) -> None:
        self.start = start
        self.choices = [c for c in choices if c.active]
        self.factors: dict[Scenario, dict[Tier, float]] = {s: dict.fromkeys(TIERS, 1.0) for s in SCENARIOS}
        for choice in self.choices:
            for effect in choice.pattern.effects:
                for scenario in SCENARIOS:
                    self.factors[scenario][effect.tier] *= pick(effect.demand_factor, scenario)
        self.scaling = [c for c in self.choices if c.is_scaling]
        self._full: dict[tuple[Scenario, Tier], float] = {}
        # (scenario, tier or "cells", mode) -> (choice, units, sigma, kappa); a later choice overrides
        self._overrides: dict[tuple[Scenario, str, str], tuple[Choice, int, float, float]] = {}
        for choice in self.scaling:
            scaling = choice.pattern.scaling
            assert scaling is not None and choice.units is not None
            for scenario in SCENARIOS:
                key = (scenario, scaling.tier, scaling.mode)
                self._overrides[key] = (
                    choice,
                    choice.units,
                    pick(scaling.sigma, scenario),
                    pick(scaling.kappa, scenario),
                )

    def _layout(self, scenario: Scenario, tier: Tier, without: Choice | None) -> tuple[float, ...]:
        state = self.start.get(scenario)
        current = state.tiers[tier]
        factor = self.factors[scenario][tier]
        if without is not None:
            for effect in without.pattern.effects:
                if effect.tier == tier:
                    factor /= pick(effect.demand_factor, scenario)
        units, sigma, kappa = current.units, current.sigma, current.kappa
        parts, p_sigma, p_kappa = current.partitions, current.part_sigma, current.part_kappa
        cells, c_sigma, c_kappa = state.cells, state.cell_sigma, state.cell_kappa
        if without is not None and without.is_scaling:
            overrides = self._overrides_without(scenario, without)
        else:
            overrides = self._overrides
        found = overrides.get((scenario, tier, "units"))
        if found is not None:
            units, sigma, kappa = found[1:]
        found = overrides.get((scenario, tier, "partitions"))
        if found is not None:
            parts, p_sigma, p_kappa = found[1:]
        found = overrides.get((scenario, "cells", "units"))
        if found is not None:
            cells, c_sigma, c_kappa = found[1:]
        per_unit = current.unit_rps / (current.demand * factor)
        return per_unit, units, sigma, kappa, parts, p_sigma, p_kappa, cells, c_sigma, c_kappa

    def _overrides_without(
        self, scenario: Scenario, without: Choice
    ) -> dict[tuple[Scenario, str, str], tuple[Choice, int, float, float]]:
        result: dict[tuple[Scenario, str, str], tuple[Choice, int, float, float]] = {}
        for choice in self.scaling:
            if choice is not without:
                scaling = choice.pattern.scaling
                assert scaling is not None and choice.units is not None
                result[(scenario, scaling.tier, scaling.mode)] = (
                    choice,
                    choice.units,
                    pick(scaling.sigma, scenario),
                    pick(scaling.kappa, scenario),
                )
        return result

    def _rps(self, scenario: Scenario, tier: Tier, without: Choice | None) -> float:
        per_unit, units, sigma, kappa, parts, p_sigma, p_kappa, cells, c_sigma, c_kappa = self._layout(
            scenario, tier, without
        )
        return per_unit * usl(units, sigma, kappa) * usl(parts, p_sigma, p_kappa) * usl(cells, c_sigma, c_kappa)

    def tier_rps(self, scenario: Scenario, tier: Tier, without: Choice | None = None) -> float:
        key = (scenario, tier)
        full = self._full.get(key)
        if full is None:
            full = self._full[key] = self._rps(scenario, tier, None)
        if without is None:
            return full
        scaling = without.pattern.scaling
        if scaling is not None and without.units is not None and scaling.tier in ("cells", tier):
            return self._rps(scenario, tier, without)
        for effect in without.pattern.effects:  # capacity is inversely proportional to demand
            if effect.tier == tier:
                full *= pick(effect.demand_factor, scenario)
        return full

    def system_rps(self, scenario: Scenario = "expected", without: Choice | None = None) -> float:
        return min(self.tier_rps(scenario, t, without) for t in TIERS)

    def system_rps_with(self, choice: Choice, scenario: Scenario = "expected") -> float:
        """System capacity with one more demand cut (or, rarely, scaling) on top of this set."""
        if choice.is_scaling:
            return Mix(self.start, [*self.choices, choice]).system_rps(scenario)
        factors = dict.fromkeys(TIERS, 1.0)
        for effect in choice.pattern.effects:
            factors[effect.tier] *= pick(effect.demand_factor, scenario)
        return min(self.tier_rps(scenario, t) / factors[t] for t in TIERS)

    def sizing_base(self, choice: Choice) -> tuple[float, int]:
        """(capacity of one unit of what `choice` scales, units before it), expected scenario."""
        scaling = choice.pattern.scaling
        assert scaling is not None
        if scaling.tier == "cells":
            layouts = [self._layout("expected", t, choice) for t in TIERS]
            per_cell = min(lay[0] * usl(lay[1], lay[2], lay[3]) * usl(lay[4], lay[5], lay[6]) for lay in layouts)
            return per_cell, int(layouts[0][7])
        per_unit, units, sigma, kappa, parts, p_sigma, p_kappa, cells, c_sigma, c_kappa = self._layout(
            "expected", scaling.tier, choice
        )
        cell_factor = usl(cells, c_sigma, c_kappa)
        if scaling.mode == "partitions":
            return per_unit * usl(units, sigma, kappa) * cell_factor, int(parts)
        return per_unit * usl(parts, p_sigma, p_kappa) * cell_factor, int(units)

    def nodes_per_partition(self, tier: Tier) -> int:
        return int(self._layout("expected", tier, None)[1])

    def projection(self) -> Projection:
        """The end-of-stage states, the next stage's start."""

        def build(scenario: Scenario) -> CapacityState:
            state = self.start.get(scenario)
            tiers: dict[Tier, TierState] = {}
            layout: tuple[float, ...] = ()
            for tier in TIERS:
                layout = self._layout(scenario, tier, None)
                current = state.tiers[tier]
                tiers[tier] = TierState(
                    unit_rps=current.unit_rps,
                    units=int(layout[1]),
                    sigma=layout[2],
                    kappa=layout[3],
                    demand=current.demand * self.factors[scenario][tier],
                    partitions=int(layout[4]),
                    part_sigma=layout[5],
                    part_kappa=layout[6],
                )
            return CapacityState(tiers=tiers, cells=int(layout[7]), cell_sigma=layout[8], cell_kappa=layout[9])

        return Projection(*(build(s) for s in SCENARIOS))


_SCALING_ORDER = {"units": 0, "partitions": 1}


def _scaling_rank(choice: Choice) -> int:
    scaling = choice.pattern.scaling
    assert scaling is not None
    return 2 if scaling.tier == "cells" else _SCALING_ORDER[scaling.mode]


def size_scaling(choices: Sequence[Choice], start: Projection, sizing_rps: float, users_at: Callable[[float], int]):  # type: ignore[no-untyped-def]
    """Size each scaling choice to `sizing_rps` after the stage's demand cuts; None = not needed."""
    for choice in choices:
        if choice.is_scaling:
            choice.units = None
            choice.notes = [n for n in choice.notes if not n.startswith("Even ")]
    for choice in sorted((c for c in choices if c.is_scaling), key=_scaling_rank):
        scaling = choice.pattern.scaling
        assert scaling is not None
        mix = Mix(start, choices)
        per_unit, units_from = mix.sizing_base(choice)
        sigma, kappa = scaling.sigma.mid, scaling.kappa.mid
        ceiling = usl_peak(sigma, kappa, scaling.max_units)
        current = per_unit * usl(units_from, sigma, kappa) if units_from > 1 else per_unit
        if ceiling <= units_from or current >= sizing_rps:
            continue  # already as large as it can usefully be
        needed = units_for(sizing_rps, per_unit, sigma, kappa, max(scaling.min_units, units_from + 1), ceiling)
        if needed is None:
            needed = ceiling
            limit = "the catalogue's limit" if ceiling == scaling.max_units else "the USL peak"
            reach = users_at(per_unit * usl(ceiling, sigma, kappa))
            choice.notes.append(
                f"Even {ceiling} {scaling.units_label} ({limit}) carry only about {compact(reach)} users."
            )
        choice.units, choice.units_from = needed, units_from


def gaps(start: Projection, need_rps: float) -> dict[Tier, float]:
    """Doublings of capacity each tier still needs to carry the target (0 once it can)."""
    return {t: max(0.0, math.log2(need_rps / start.expected.tier_rps(t))) for t in TIERS}


def tier_doublings(choice: Choice, mix: Mix) -> dict[Tier, float]:
    """Capacity doublings the choice gives each tier (expected figures)."""
    result = dict.fromkeys(TIERS, 0.0)
    for effect in choice.pattern.effects:
        result[effect.tier] -= math.log2(effect.demand_factor.mid)
    scaling = choice.pattern.scaling
    if scaling is not None and choice.units is not None:
        tiers = TIERS if scaling.tier == "cells" else (scaling.tier,)
        for tier in tiers:
            with_it, without = mix.tier_rps("expected", tier), mix.tier_rps("expected", tier, without=choice)
            result[tier] += math.log2(with_it / without) - sum(
                -math.log2(e.demand_factor.mid) for e in choice.pattern.effects if e.tier == tier
            )
    return result


def rank(mix: Mix, need_rps: float, currency: str) -> None:
    """Benefit (doublings toward the target, capped per tier) and score of every active choice."""
    missing = gaps(mix.start, need_rps)
    for choice in mix.choices:
        gained = tier_doublings(choice, mix)
        choice.doublings = sum(min(gained[t], missing[t]) for t in TIERS)
        choice.score = score(choice, currency)


def redundant(mix: Mix, need_rps: float) -> list[Choice]:
    """Demand cuts, best first, whose tiers better ones already bring to the target.

    Scaling choices do not count here: they are sized after the cuts, so a cut is never made
    redundant by servers that were only sized small because of it.
    """
    remaining = gaps(mix.start, need_rps)
    result: list[Choice] = []
    for choice in sorted((c for c in mix.choices if not c.is_scaling), key=lambda c: -c.score):
        gained = tier_doublings(choice, mix)
        used = {t: min(gained[t], remaining[t]) for t in TIERS}
        if sum(used.values()) <= 1e-9:
            result.append(choice)
        for tier, amount in used.items():
            remaining[tier] -= amount
    return result


def redundant_scaling(mix: Mix, sizing_rps: float) -> Choice | None:
    """The costliest scaling choice whose tier reaches the goal without it (cells cover shards, say)."""
    candidates = []
    for choice in mix.scaling:
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


def _share(mix: Mix, empty: Mix, choice: Choice) -> float:
    """Geometric mean of the gain alone (first in) and the gain lost without it (last in).

    That is exactly the Shapley value of a two-item set on the log scale and a cheap stand-in
    for larger sets, so overlapping fixes are not all credited in full, nor complementary ones at zero.
    """
    alone = empty.system_rps_with(choice)
    return math.sqrt((alone / empty.system_rps()) * (mix.system_rps() / mix.system_rps(without=choice)))


def price(choice: Choice, currency: str, nodes_per_partition: int = 1) -> None:
    pattern = choice.pattern
    choice.one_off = money.range_from_usd(pattern.cost.one_off_usd, currency)
    monthly = money.range_from_usd(pattern.cost.monthly_usd, currency)
    scaling = pattern.scaling
    if scaling is not None and choice.units is not None and choice.units_from is not None:
        added = (choice.units - choice.units_from) * (nodes_per_partition if scaling.mode == "partitions" else 1)
        unit = money.range_from_usd(scaling.unit_cost_monthly_usd, currency)
        monthly = Range.model_construct(low=monthly.low + added * unit.low, high=monthly.high + added * unit.high)
    choice.monthly = monthly


def score(choice: Choice, currency: str) -> float:
    """Benefit per cost: capacity doublings x 10 plus resilience points, per person-day equivalent."""
    pattern = choice.pattern
    benefit = 10 * choice.doublings + pattern.resilience
    rate = money.UNITS_PER_USD[currency]
    cost = pattern.effort.person_days.mid + (choice.one_off.mid + 12 * choice.monthly.mid) / rate / money.PERSON_DAY_USD
    return benefit / max(cost, 0.5)


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


def fit_budget(
    ordered: Sequence[Choice],
    earlier: dict[str, Choice],
    budget_left: float | None,
    currency: str,
    nodes_per_partition: Callable[[Choice], int],
) -> float:
    """Hold back (or cut down) what the monthly budget cannot carry; returns the budget spent."""
    spent = 0.0
    by_id = {c.pattern.id: c for c in ordered} | earlier
    for choice in ordered:
        blocked = [by_id[d].item_id or d for d in choice.pattern.requires if d in by_id and by_id[d].deferred]
        if blocked:
            choice.deferred = f"Waits for {', '.join(blocked)}, which is held back."
            continue
        left = None if budget_left is None else budget_left - spent
        if left is not None and choice.monthly.mid > left:
            scaling = choice.pattern.scaling
            if scaling is not None and choice.units is not None and choice.units_from is not None:
                nodes = nodes_per_partition(choice)
                fixed = money.range_from_usd(choice.pattern.cost.monthly_usd, currency).mid
                per_unit = money.range_from_usd(scaling.unit_cost_monthly_usd, currency).mid * nodes
                affordable = choice.units_from + max(0, math.floor((left - fixed) / per_unit)) if per_unit else 0
                if affordable > choice.units_from:
                    choice.notes.append(
                        f"The budget allows {affordable} of the {choice.units} {scaling.units_label} this needs."
                    )
                    choice.units = affordable
                    choice.budget_limited = True
                    price(choice, currency, nodes)
            if choice.monthly.mid > left:
                choice.deferred = (
                    f"Over budget: adds about {fmt_money(choice.monthly.mid, currency)} a month and "
                    f"{fmt_money(max(left, 0), currency)} of the monthly budget is left."
                )
                choice.budget_limited = True
                continue
        spent += choice.monthly.mid
    return spent


def describe(choices: Sequence[Choice], start: Projection) -> Projection:
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
    return final.projection()
