"""The capacity of a set of choices on a stage's start: demand cuts, overridden fleets, leave-one-out."""

from __future__ import annotations

from collections.abc import Iterable

from bot.roadmap.capacity import SCENARIOS, CapacityState, Projection, Scenario, TierState, pick, usl
from bot.roadmap.planning.choice import SHARED_MECHANISMS, SIZE_LEVERS, Choice
from bot.roadmap.schema import Tier


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
