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
from bot.roadmap.costs import CostModel
from bot.roadmap.numbers import compact
from bot.roadmap.numbers import money as fmt_money
from bot.roadmap.overlap import mechanism, shared_mechanisms
from bot.roadmap.rounding import money2 as money_round
from bot.roadmap.rounding import sig, users2
from bot.roadmap.schema import TIER_LABELS, Range, Tier

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
    doublings: float = 0.0  # capacity doublings toward the target on its tiers: part of the benefit
    system_gain: float = 0.0  # doublings of system capacity it adds at its turn: the main benefit
    capacity_gain: float = 1.0  # its share of the stage's system capacity gain, for display
    score: float = 0.0
    one_off: Range = ZERO
    monthly: Range = ZERO
    impact_change: Range | None = None  # scaling patterns: the modelled tier change, in percent
    deferred: str | None = None
    budget_limited: bool = False
    item_id: str = ""
    resize_of: Choice | None = None  # a later stage growing what an earlier item scaled out
    base_monthly: Range = ZERO  # the lever's own monthly cost, before units
    unit_monthly: Range = ZERO  # one more unit (scaling levers), in the roadmap's currency
    pricing: Pricing | None = None
    effect: str | None = None  # what the model computes for it: its tiers' change and the binding tier after it
    relative: bool = False  # today's count was not stated: units are multiples of today's fleet
    steps: int = 1  # a size lever's instance sizes above today's, in total: its factor to this power
    steps_from: int = 0  # a size lever's sizes before this item (a later stage growing it further)
    size_factor: float = 1.0  # database nodes added at a grown size cost this many times today's node
    goal: float = 0.0  # scaling levers: the capacity (req/s) the last planning sizing aimed at
    full_goal: float = 0.0  # ... and the largest one this stage aimed at: lower means money cut it down
    full_units: int | None = None  # units at the largest goal
    _effects_cache: tuple[tuple[Tier, tuple[float, float, float], str], ...] | None = field(default=None, repr=False)
    _usl_cache: tuple[tuple[float, float], ...] | None = field(default=None, repr=False)

    def picked_effects(self) -> tuple[tuple[Tier, tuple[float, float, float], str], ...]:
        """Each effect's demand factor in the three scenarios and its mechanism, computed once per choice."""
        if self._effects_cache is None:
            self._effects_cache = tuple(
                (
                    e.tier,
                    tuple(pick(e.demand_factor, s) ** self.steps for s in SCENARIOS),  # type: ignore[misc]
                    mechanism(self.pattern.id, e.tier),
                )
                for e in self.pattern.effects
            )
        return self._effects_cache

    def set_steps(self, steps: int) -> None:
        self.steps = steps
        self._effects_cache = None

    def picked_usl(self) -> tuple[tuple[float, float], ...]:
        scaling = self.pattern.scaling
        assert scaling is not None
        if self._usl_cache is None:
            self._usl_cache = tuple((pick(scaling.sigma, s), pick(scaling.kappa, s)) for s in SCENARIOS)
        return self._usl_cache

    @property
    def first(self) -> Choice:
        """The item that introduced this lever (itself, unless this is a re-size)."""
        return self.resize_of.first if self.resize_of is not None else self

    @property
    def is_scaling(self) -> bool:
        return self.pattern.scaling is not None

    @property
    def is_size(self) -> bool:
        """A vertical lever: each step one instance size up for every node of its tier."""
        return self.pattern.id in SIZE_LEVERS

    @property
    def active(self) -> bool:
        if self.pattern.scaling is not None:
            return self.units is not None
        if self.resize_of is not None and self.pattern.id in SIZE_LEVERS:
            return self.steps > self.steps_from  # growing a size lever further, or nothing
        return True


# Levers that grow a tier's nodes by instance sizes (each doubles vCPU, memory and price).
SIZE_LEVERS: dict[str, Tier] = {"database-scale-up": "database"}
# Mechanisms the model takes the strongest of: those several patterns share, and a size lever's own
# (a later stage's further sizes are counted beyond the earlier ones). The rest simply multiply.
SHARED_MECHANISMS = shared_mechanisms() | {mechanism(p, t) for p, t in SIZE_LEVERS.items()}


def rebase(count: int, sigma: float, kappa: float, new_sigma: float, new_kappa: float) -> float:
    """Factor on one unit's capacity so that `count` units carry the same under the new USL coefficients.

    Today's capacity is measured; a lever changes how capacity grows from there, not where it stands.
    """
    return usl(count, sigma, kappa) / usl(count, new_sigma, new_kappa) if count > 1 else 1.0


def _beyond(cuts: tuple[tuple[str, float], ...], mech: str, value: float) -> float:
    for name, done in cuts:
        if name == mech:
            return min(1.0, value / done)
    return value


class Mix:
    """Capacity of a set of choices applied to the stage's start, and of the set minus one member.

    Demand cuts by different mechanisms multiply; by the same mechanism (two caches on the read
    path) only the strongest counts, against what earlier stages already cut that way
    (bot/roadmap/overlap.py). Scaling choices override a tier's units, partitions or cells. Each
    query is O(tiers), which keeps leave-one-out cheap.
    """

    def __init__(self, start: Projection, choices: Iterable[Choice]) -> None:
        self.start = start
        self.tiers: tuple[Tier, ...] = tuple(start.expected.tiers)
        self.choices = [c for c in choices if c.active]
        low, mid, high = (dict.fromkeys(self.tiers, 1.0) for _ in SCENARIOS)
        self.factors: dict[Scenario, dict[Tier, float]] = {"optimistic": low, "expected": mid, "conservative": high}
        # (tier, mechanism) -> per scenario, the strongest cut's factor beyond what the start already cut
        # that way, and the choice making it
        best: dict[tuple[Tier, str], tuple[list[float], list[Choice | None]]] = {}
        states = (start.optimistic, start.expected, start.conservative)  # in SCENARIOS order
        for choice in self.choices:
            for tier, picked, mech in choice.picked_effects():
                if tier not in mid:
                    continue
                if mech not in SHARED_MECHANISMS:  # its own mechanism: nothing to take the larger of
                    low[tier] *= picked[0]
                    mid[tier] *= picked[1]
                    high[tier] *= picked[2]
                    continue
                found = best.get((tier, mech))
                if found is None:
                    found = best[(tier, mech)] = ([1.0, 1.0, 1.0], [None, None, None])
                values, owners = found
                for index in (0, 1, 2):
                    value = picked[index]
                    cuts = states[index].tiers[tier].cuts
                    if cuts:
                        value = _beyond(cuts, mech, value)
                    if value < values[index] or owners[index] is None:
                        values[index], owners[index] = value, choice
        for (tier, _), (values, _) in best.items():
            low[tier] *= values[0]
            mid[tier] *= values[1]
            high[tier] *= values[2]
        self._best = best
        self.scaling = [c for c in self.choices if c.is_scaling]
        self._full: dict[tuple[Scenario, Tier], float] = {}
        # (scenario, tier or "cells", mode) -> (choice, units, sigma, kappa); a later choice overrides
        self._overrides: dict[tuple[Scenario, str, str], tuple[Choice, int, float, float]] = {}
        for choice in self.scaling:
            scaling = choice.pattern.scaling
            assert scaling is not None and choice.units is not None
            for scenario, (sigma, kappa) in zip(SCENARIOS, choice.picked_usl(), strict=True):
                self._overrides[(scenario, scaling.tier, scaling.mode)] = (choice, choice.units, sigma, kappa)

    def relative(self, scenario: Scenario, tier: Tier, mech: str, value: float) -> float:
        """A cut's factor beyond what earlier stages cut by the same mechanism (1 when it adds nothing)."""
        return _beyond(self.start.get(scenario).tiers[tier].cuts, mech, value)

    def factor(
        self, scenario: Scenario, tier: Tier, without: Choice | None = None, extra: Choice | None = None
    ) -> float:
        """The stage's demand factor on a tier, leaving one choice out or adding one."""
        factor = self.factors[scenario][tier]
        index = SCENARIOS.index(scenario)
        if without is not None:
            for effect_tier, picked, mech in without.picked_effects():
                if effect_tier == tier and mech not in SHARED_MECHANISMS:
                    factor /= picked[index]
                    continue
                found = self._best.get((tier, mech)) if effect_tier == tier else None
                if found is not None and found[1][index] is without:
                    factor *= self._runner_up(scenario, tier, mech, without) / found[0][index]
        if extra is not None:
            for effect_tier, picked, mech in extra.picked_effects():
                if effect_tier == tier and mech not in SHARED_MECHANISMS:
                    factor *= picked[index]
                elif effect_tier == tier:
                    found = self._best.get((tier, mech))
                    current = found[0][index] if found is not None else 1.0
                    factor *= min(current, self.relative(scenario, tier, mech, picked[index])) / current
        return factor

    def _runner_up(self, scenario: Scenario, tier: Tier, mech: str, without: Choice) -> float:
        """The strongest cut by a mechanism once one choice is left out (1 when none is left)."""
        index = SCENARIOS.index(scenario)
        result = 1.0
        for choice in self.choices:
            if choice is not without:
                for effect_tier, picked, name in choice.picked_effects():
                    if effect_tier == tier and name == mech:
                        result = min(result, self.relative(scenario, tier, mech, picked[index]))
        return result

    def _layout(self, scenario: Scenario, tier: Tier, without: Choice | None) -> tuple[float, ...]:
        state = self.start.get(scenario)
        current = state.tiers[tier]
        factor = self.factor(scenario, tier, without)
        units, sigma, kappa = current.units, current.sigma, current.kappa
        parts, p_sigma, p_kappa = current.partitions, current.part_sigma, current.part_kappa
        cells, c_sigma, c_kappa = state.cells, state.cell_sigma, state.cell_kappa
        if without is not None and without.is_scaling:
            overrides = self._overrides_without(scenario, without)
        else:
            overrides = self._overrides
        per_unit = current.unit_rps
        found = overrides.get((scenario, tier, "units"))
        if found is not None:
            units, sigma, kappa = found[1:]
            # the lever's curve starts from today's measured point: no capacity appears at today's count
            per_unit *= rebase(current.units, current.sigma, current.kappa, sigma, kappa)
        found = overrides.get((scenario, tier, "partitions"))
        if found is not None:
            parts, p_sigma, p_kappa = found[1:]
            per_unit *= rebase(current.partitions, current.part_sigma, current.part_kappa, p_sigma, p_kappa)
        found = overrides.get((scenario, "cells", "units"))
        if found is not None and tier != "contention":  # a hot row stays one row in every cell
            cells, c_sigma, c_kappa = found[1:]
        if tier == "contention":
            cells, c_sigma, c_kappa = 1, 0.0, 0.0
        per_unit = per_unit / (current.demand * factor)
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
        # capacity is inversely proportional to demand
        return full * self.factors[scenario][tier] / self.factor(scenario, tier, without)

    def system_rps(self, scenario: Scenario = "expected", without: Choice | None = None) -> float:
        return min(self.tier_rps(scenario, t, without) for t in self.tiers)

    def system_rps_with(self, choice: Choice, scenario: Scenario = "expected") -> float:
        """System capacity with one more demand cut (or, rarely, scaling) on top of this set."""
        if choice.is_scaling:
            return Mix(self.start, [*self.choices, choice]).system_rps(scenario)
        return min(
            self.tier_rps(scenario, t) * self.factors[scenario][t] / self.factor(scenario, t, extra=choice)
            for t in self.tiers
        )

    def sizing_base(self, choice: Choice) -> tuple[float, int]:
        """(capacity of one unit of what `choice` scales, units before it), expected scenario."""
        scaling = choice.pattern.scaling
        assert scaling is not None
        if scaling.tier == "cells":
            layouts = [self._layout("expected", t, choice) for t in self.tiers if t != "contention"]
            per_cell = min(lay[0] * usl(lay[1], lay[2], lay[3]) * usl(lay[4], lay[5], lay[6]) for lay in layouts)
            return per_cell, int(layouts[0][7])
        per_unit, units, sigma, kappa, parts, p_sigma, p_kappa, cells, c_sigma, c_kappa = self._layout(
            "expected", scaling.tier, choice
        )
        cell_factor = usl(cells, c_sigma, c_kappa)
        if scaling.mode == "partitions":
            return per_unit * usl(units, sigma, kappa) * cell_factor, int(parts)
        return per_unit * usl(parts, p_sigma, p_kappa) * cell_factor, int(units)

    def layout_of(self, tier: Tier) -> tuple[float, ...]:
        return self._layout("expected", tier, None)

    def nodes_per_partition(self, tier: Tier) -> int:
        return int(self._layout("expected", tier, None)[1])

    def partitions(self, tier: Tier) -> int:
        """Shards of the tier: a replica added "per node" is added in every shard."""
        return int(self._layout("expected", tier, None)[4])

    def projection(self) -> Projection:
        """The end-of-stage states, the next stage's start."""

        def build(scenario: Scenario) -> CapacityState:
            state = self.start.get(scenario)
            tiers: dict[Tier, TierState] = {}
            layout: tuple[float, ...] = ()
            for tier in self.tiers:
                layout = self._layout(scenario, tier, None)
                current = state.tiers[tier]
                tiers[tier] = TierState(
                    counted=current.counted,
                    unit_rps=current.unit_rps,
                    units=int(layout[1]),
                    sigma=layout[2],
                    kappa=layout[3],
                    demand=current.demand * self.factors[scenario][tier],
                    partitions=int(layout[4]),
                    part_sigma=layout[5],
                    part_kappa=layout[6],
                    cuts=self._cuts(scenario, tier),
                    size_steps=max(
                        [current.size_steps, *(c.steps for c in self.choices if SIZE_LEVERS.get(c.pattern.id) == tier)]
                    ),
                    size_room=current.size_room,
                )
            return CapacityState(tiers=tiers, cells=int(layout[7]), cell_sigma=layout[8], cell_kappa=layout[9])

        return Projection(*(build(s) for s in SCENARIOS))

    def _cuts(self, scenario: Scenario, tier: Tier) -> tuple[tuple[str, float], ...]:
        """What the tier's demand has been cut by, per mechanism, once this stage is done."""
        done = dict(self.start.get(scenario).tiers[tier].cuts)
        index = SCENARIOS.index(scenario)
        for (on, mech), (values, _) in self._best.items():
            if on == tier:
                done[mech] = done.get(mech, 1.0) * values[index]
        return tuple(sorted(done.items()))


_SCALING_ORDER = {"units": 0, "partitions": 1}


def _scaling_rank(choice: Choice) -> int:
    scaling = choice.pattern.scaling
    assert scaling is not None
    if scaling.tier == "cells":
        return 3
    return 2 if scaling.tier == "app" else _SCALING_ORDER[scaling.mode]  # app servers after shards: see unit_cap


def size_scaling(  # type: ignore[no-untyped-def]
    choices: Sequence[Choice],
    start: Projection,
    sizing_rps: float,
    users_at: Callable[[float], int],
    wanted: Callable[[str], bool] | None = None,
):
    """Size each scaling choice to `sizing_rps` after the stage's demand cuts; None = not needed.

    A lever wanted for something other than capacity (cells to limit a failure's blast radius) and
    not needed for capacity gets its minimum size, never more.
    """
    for choice in choices:
        if choice.is_scaling:
            choice.units = None
            choice.notes = [n for n in choice.notes if not n.startswith(("Even ", "Sized at its minimum"))]
        elif choice.is_size and choice.resize_of is not None:
            choice.set_steps(choice.steps_from)  # sized again below, after the scale-out
    for choice in sorted((c for c in choices if c.is_scaling), key=_scaling_rank):
        scaling = choice.pattern.scaling
        assert scaling is not None
        if scaling.tier != "cells" and scaling.tier not in start.expected.tiers:
            continue  # the system has no such tier: nothing to scale
        mix = Mix(start, choices)
        per_unit, units_from = mix.sizing_base(choice)
        sigma, kappa = scaling.sigma.mid, scaling.kappa.mid
        if scaling.tier != "cells":  # the lever's curve from today's measured point, as Mix does
            layout = mix.layout_of(scaling.tier)
            if scaling.mode == "units":
                per_unit *= rebase(units_from, layout[2], layout[3], sigma, kappa)
            else:
                per_unit *= rebase(units_from, layout[5], layout[6], sigma, kappa)
        ceiling = usl_peak(sigma, kappa, unit_cap(scaling.tier, scaling.max_units, mix))
        # what the tier carries now, with its own coefficients (not the lever's): the choice is not active yet
        current = mix.system_rps() if scaling.tier == "cells" else mix.tier_rps("expected", scaling.tier)
        if ceiling <= units_from or current >= sizing_rps:
            if wanted is not None and wanted(choice.pattern.id) and choice.resize_of is None:
                choice.units, choice.units_from = max(scaling.min_units, units_from + 1), units_from
                choice.notes.append(
                    f"Sized at its minimum ({choice.units} {scaling.units_label}): capacity does not need more."
                )
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
        if wanted is not None:  # a planning sizing: the largest goal of the stage is what it builds unless money binds
            choice.goal = sizing_rps
            if sizing_rps >= choice.full_goal:
                choice.full_goal, choice.full_units = sizing_rps, needed
        tier_state = start.expected.tiers.get(scaling.tier) if scaling.tier != "cells" else None
        choice.relative = tier_state is not None and not tier_state.counted and scaling.mode == "units"
    grown = _size_vertical(choices, start, sizing_rps)
    for choice in choices:
        scaling = choice.pattern.scaling
        if scaling is not None and scaling.tier in grown:
            choice.size_factor = 2.0 ** grown[scaling.tier]  # new nodes match the grown size


def _size_vertical(choices: Sequence[Choice], start: Projection, sizing_rps: float) -> dict[Tier, int]:
    """Grow a size lever placed earlier by as few more instance sizes as reach the goal, within its room.

    Sized after the stage's scale-out: only where replicas and shards (at their limits, or absent) leave
    the tier short does it grow bigger nodes, one size doubling every node's price. Returns each tier's
    sizes above today's at the stage's end.
    """
    grown: dict[Tier, int] = {}
    for choice in choices:
        tier = SIZE_LEVERS.get(choice.pattern.id)
        state = start.expected.tiers.get(tier) if tier is not None else None
        if tier is None or state is None:
            continue
        if choice.resize_of is not None:
            cuts = [c for c in choices if c.active or c is choice]
            choice.set_steps(choice.steps_from)  # adds nothing unless the tier needs it
            if Mix(start, cuts).tier_rps("expected", tier) < sizing_rps:
                for steps in range(choice.steps_from + 1, max(choice.steps_from, state.size_room) + 1):
                    choice.set_steps(steps)
                    if Mix(start, cuts).tier_rps("expected", tier) >= sizing_rps:
                        break
        grown[tier] = max(grown.get(tier, state.size_steps), choice.steps)
    return grown


def unit_cap(tier: str, max_units: int, mix: Mix) -> int:
    """The most units a lever may plan: the catalogue's limit, times the database's shards for app servers.

    The app fleet's limit (200 servers in the catalogue, a stated default) is the connection fan-in to
    one database: 200 servers with pools of 10-20 connections open 2,000-4,000 connections, about what
    one primary and its pooler take, and about what one load-balancer target group spreads evenly. Each
    shard takes its own fan-in, so a sharded database lets the fleet grow by as many times; the USL peak
    still bounds it.
    """
    if tier == "app" and "database" in mix.tiers:
        return max_units * max(1, mix.partitions("database"))
    return max_units


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


def _share(mix: Mix, empty: Mix, choice: Choice) -> float:
    """Geometric mean of the gain alone (first in) and the gain lost without it (last in).

    That is exactly the Shapley value of a two-item set on the log scale and a cheap stand-in
    for larger sets, so overlapping fixes are not all credited in full, nor complementary ones at zero.
    """
    alone = empty.system_rps_with(choice)
    return math.sqrt((alone / empty.system_rps()) * (mix.system_rps() / mix.system_rps(without=choice)))


def resizes(earlier: Iterable[Choice], existing: Iterable[Pattern] = ()) -> list[Choice]:
    """Every scale-out lever placed before this stage, offered again to be re-sized to this stage's goal.

    The latest placement of each (tier, mode) wins; the sizing step leaves it out when the tier
    already carries what the stage needs.
    """
    latest: dict[tuple[str, str], Choice] = {}
    for choice in earlier:
        scaling = choice.pattern.scaling
        if scaling is not None and choice.units is not None and choice.deferred is None:
            latest[(scaling.tier, scaling.mode)] = choice
    sized: dict[str, Choice] = {}
    for choice in earlier:
        if choice.is_size and choice.deferred is None and choice.steps > choice.steps_from:
            sized[choice.pattern.id] = choice
    grown = [
        Choice(c.pattern, [f"Grows what item {c.item_id} built, to what this stage needs."], resize_of=c)
        for c in latest.values()
    ]
    grown += [
        Choice(
            c.pattern,
            [f"Grows what item {c.item_id} built, to what this stage needs."],
            resize_of=c,
            steps=c.steps,
            steps_from=c.steps,
        )
        for c in sized.values()
    ]
    for pattern in existing:  # a fleet the team already runs (stateless containers, replicas) grows too
        scaling = pattern.scaling
        if scaling is not None and scaling.tier != "cells" and (scaling.tier, scaling.mode) not in latest:
            origin = Choice(pattern, [], item_id="")
            grown.append(Choice(pattern, ["You already run it: it grows to what this stage needs."], resize_of=origin))
    return grown


# Hosted metrics per host and month at list prices (Datadog's infrastructure tier is about $15 a host, APM
# extra; Grafana Cloud and Sentry have free tiers that a few hosts fit in): a default, not a quote.
PER_HOST_MONITORING = 15.0
# The top of a range for one or two servers and one database node, where the catalogue's top is a fleet's
# bill (defaults): backups of tens of GB in object storage (~$0.023/GB-month) or a droplet backup add-on;
# 100-200 GB more disk at $0.08-0.10/GB-month; sessions in the database or a small managed Redis.
SMALL_SYSTEM_MONTHLY = {"backups-pitr": 25.0, "storage-headroom": 20.0, "externalize-session-state": 30.0}
OBJECT_STORAGE_SMALL_MONTHLY = 25.0  # 500 GB at S3's ~$0.023/GB-month list price, plus requests (a default)


@dataclass(frozen=True)
class Pricing:
    """What prices a stage's items: the team's own instances (costs.py) and the load the stage is built for."""

    costs: CostModel
    load_rps: float  # the peak request rate the stage is sized for
    layout: tuple[int, int] = (1, 1)  # (app servers, database nodes) a new cell copies


def _usage_monthly(choice: Choice, pricing: Pricing) -> Range | None:
    """A usage-based monthly cost (USD) for the patterns whose bill follows traffic or instance size."""
    pattern_id = choice.pattern.id
    costs = pricing.costs
    if pattern_id == "cdn-static-assets":
        return costs.cdn_monthly(pricing.load_rps)
    if choice.is_size:  # each size up doubles the price of every node of the tier
        unit, nodes = costs.db_unit(), pricing.layout[1]
        added = (2.0**choice.steps - 2.0**choice.steps_from) * nodes
        return Range.model_construct(low=unit.low * added, high=unit.high * added)
    if pattern_id == "async-queue-workers" and pricing.layout[0] <= 2:
        # a small fleet runs its workers as one more process on the box it has, the queue in its database
        # or Redis: at most a third of a server, not a managed queue
        return Range.model_construct(low=0.0, high=costs.app_unit().high / 3)
    small = pricing.layout[0] <= 2 and pricing.layout[1] <= 1  # one or two servers and one database node
    if pattern_id == "observability-baseline":
        # hosted monitoring is priced per host (free tiers below that): the catalogue's top is a fleet's bill
        hosts = pricing.layout[0] + pricing.layout[1]
        return Range.model_construct(
            low=0.0, high=min(choice.pattern.cost.monthly_usd.high, PER_HOST_MONITORING * hosts)
        )
    if small and pattern_id in SMALL_SYSTEM_MONTHLY:
        return Range.model_construct(low=choice.pattern.cost.monthly_usd.low, high=SMALL_SYSTEM_MONTHLY[pattern_id])
    if pattern_id == "media-object-storage" and pricing.layout[0] <= 2:
        # a small site's uploads are tens to hundreds of GB: object storage at about $0.02 per GB-month
        # plus requests, and the egress the CDN already carries
        return Range.model_construct(low=1.0, high=OBJECT_STORAGE_SMALL_MONTHLY)
    return None


def unit_cost_usd(choice: Choice, pricing: Pricing | None) -> Range:
    """Monthly price of one more unit of what the choice scales, from what the team runs."""
    scaling = choice.pattern.scaling
    assert scaling is not None
    if pricing is not None:
        if scaling.tier == "app":
            return pricing.costs.app_unit()
        if scaling.tier == "database":
            return pricing.costs.db_unit()
        if scaling.tier == "cells":
            app, db = pricing.layout
            app_unit, db_unit = pricing.costs.app_unit(), pricing.costs.db_unit()
            return Range.model_construct(
                low=app * app_unit.low + db * db_unit.low, high=app * app_unit.high + db * db_unit.high
            )
    return scaling.unit_cost_monthly_usd


def price(choice: Choice, currency: str, nodes_per_partition: int = 1, pricing: Pricing | None = None) -> None:
    pattern = choice.pattern
    pricing = pricing or choice.pricing
    choice.pricing = pricing
    if choice.resize_of is not None:  # the lever exists already: only the added units (or sizes) cost
        choice.one_off = ZERO
        usage = _usage_monthly(choice, pricing) if pricing is not None and choice.is_size else None
        monthly = money.range_from_usd(usage, currency) if usage is not None else ZERO
    else:
        choice.one_off = money.range_from_usd(pattern.cost.one_off_usd, currency)
        usage = _usage_monthly(choice, pricing) if pricing is not None else None
        monthly = money.range_from_usd(usage or pattern.cost.monthly_usd, currency)
    choice.base_monthly = monthly
    scaling = pattern.scaling
    if scaling is not None:
        unit_usd = unit_cost_usd(choice, pricing)
        if choice.size_factor != 1.0:
            unit_usd = Range.model_construct(
                low=unit_usd.low * choice.size_factor, high=unit_usd.high * choice.size_factor
            )
        choice.unit_monthly = money.range_from_usd(unit_usd, currency)
    if scaling is not None and choice.units is not None and choice.units_from is not None:
        added = (choice.units - choice.units_from) * nodes_per_partition  # per shard for replicas, per node for shards
        unit = choice.unit_monthly
        monthly = Range.model_construct(
            low=money_round(monthly.low + added * unit.low), high=money_round(monthly.high + added * unit.high)
        )
    choice.monthly = monthly


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


def _capacity_critical(ordered: Sequence[Choice]) -> set[int]:
    """Choices that move capacity, and the prerequisites they need in the same stage."""
    by_id = {c.pattern.id: c for c in ordered}
    critical: set[int] = set()

    def mark(choice: Choice) -> None:
        if id(choice) in critical:
            return
        critical.add(id(choice))
        for dep in choice.pattern.requires:
            if dep in by_id:
                mark(by_id[dep])

    for choice in ordered:
        if choice.pattern.effects or choice.pattern.scaling is not None:
            mark(choice)
    return critical


@dataclass
class Budget:
    """The monthly budget across the three stages, spent at the top of each cost range.

    Funding order: first what the team's named problems and risks need (as the plan orders them),
    then capacity work in plan order, skipping within a stage what does not fit; once a stage's
    capacity work was held back or cut down for money, later stages' capacity work waits (so more
    budget does not buy a later stage at the cost of an earlier one); last, from what is left,
    practices that do not move capacity.
    """

    total: float | None
    spent: float = 0.0
    stopped_at: str | None = None  # the capacity item where the money ran out
    pending: list[Choice] = field(default_factory=list)
    reserve_later: float = 0.0  # kept for what later stages' named problems and risks need

    def left(self) -> float | None:
        return None if self.total is None else self.total - self.spent

    def fit_stage(
        self,
        ordered: Sequence[Choice],
        earlier: dict[str, Choice],
        currency: str,
        nodes_per_partition: Callable[[Choice], int],
        wanted: Callable[[str], bool] = lambda _: False,
    ) -> None:
        critical = _capacity_critical(ordered)
        by_id = {c.pattern.id: c for c in ordered} | earlier
        first = [c for c in ordered if wanted(c.pattern.id)]
        # the cuts first (caching, object storage): the scale-out was sized on the goal they reach, so a budget that
        # runs out must run out on the scale-out, not on the cheaper cut it assumed
        second = sorted((c for c in ordered if id(c) in critical and c not in first), key=lambda c: c.is_scaling)
        for choice in first:
            self._fund(choice, by_id, currency, nodes_per_partition, skip=True)
        for choice in second:
            self._fund(choice, by_id, currency, nodes_per_partition, skip=False)
        if self.total is not None:
            for choice in second:  # sized to a lower common goal because the stage's full scale-out did not fit
                cut = choice.full_units is not None and choice.units is not None and choice.units < choice.full_units
                if cut and choice.goal < choice.full_goal * (1 - 1e-6) and not choice.deferred:
                    scaling = choice.pattern.scaling
                    assert scaling is not None
                    choice.notes.append(  # the same sentence as a lever cut down below (read in Korean too)
                        f"The budget allows {choice.units} of the {choice.full_units} {scaling.units_label} this needs."
                    )
                    choice.budget_limited = True
        limited = [c.item_id for c in second if c.budget_limited]
        if limited:
            self.stopped_at = self.stopped_at or limited[0]
        self.pending += [c for c in ordered if c not in first and c not in second]

    def finish(self, currency: str) -> None:
        """Fund the practices that do not move capacity from what the capacity work left."""
        by_id = {c.pattern.id: c for c in self.pending}
        for choice in self.pending:
            self._fund(choice, by_id, currency, lambda _: 1, skip=True)
        self.pending = []

    def _fund(
        self,
        choice: Choice,
        by_id: dict[str, Choice],
        currency: str,
        nodes_per_partition: Callable[[Choice], int],
        *,
        skip: bool,
    ) -> None:
        blocked = [by_id[d].item_id or d for d in choice.pattern.requires if d in by_id and by_id[d].deferred]
        if choice.resize_of is not None and choice.resize_of.deferred:
            blocked = [choice.resize_of.item_id]
        if blocked:
            choice.deferred = f"Waits for {', '.join(blocked)}, which is held back."
            return
        reserve = 0.0 if skip else self.reserve_later  # capacity work leaves later stages' named answers their money
        if not skip and self.stopped_at is not None and choice.monthly.high > 0:
            choice.deferred = (
                f"Waits for budget: capacity work is funded stage by stage and the money ran out at {self.stopped_at}."
            )
            choice.budget_limited = True
            return
        left = self.left()
        if left is not None:
            left -= reserve
        if left is not None and choice.monthly.high > left:
            scaling = choice.pattern.scaling
            if scaling is not None and choice.units is not None and choice.units_from is not None:
                nodes = nodes_per_partition(choice)
                fixed = 0.0 if choice.resize_of is not None else choice.base_monthly.high
                per_unit = choice.unit_monthly.high * nodes
                affordable = choice.units_from + max(0, math.floor((left - fixed) / per_unit)) if per_unit else 0
                if affordable > choice.units_from:
                    needed = choice.units
                    choice.units = affordable
                    price(choice, currency, nodes)
                    while choice.monthly.high > left and choice.units > choice.units_from + 1:
                        choice.units -= 1  # rounded prices can land just above what is left
                        price(choice, currency, nodes)
                    choice.notes.append(
                        f"The budget allows {choice.units} of the {needed} {scaling.units_label} this needs."
                    )
                    choice.budget_limited = True
            if choice.is_size and choice.steps > choice.steps_from + 1:
                needed = choice.steps
                while choice.monthly.high > left and choice.steps > choice.steps_from + 1:
                    choice.set_steps(choice.steps - 1)  # one size less
                    price(choice, currency)
                if choice.steps < needed:
                    choice.notes.append(
                        f"The budget allows {choice.steps - choice.steps_from} of the "
                        f"{needed - choice.steps_from} instance sizes this needs."
                    )
                    choice.budget_limited = True
            if choice.monthly.high > left:
                choice.deferred = (
                    f"Over budget: adds up to {fmt_money(money_round(choice.monthly.high), currency)} a month and "
                    f"{fmt_money(money_round(max(left, 0)), currency)} of the monthly budget is left."
                )
                choice.budget_limited = True
                return
        self.spent += choice.monthly.high


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
