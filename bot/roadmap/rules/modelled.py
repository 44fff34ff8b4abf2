"""Modelling a plan chosen elsewhere (the OpenAI engine's drafts): sizing and capacity after each stage come from
the capacity model, never from the plan's author.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.roadmap import money
from bot.roadmap.capacity import Projection
from bot.roadmap.catalogue import Catalogue, load_catalogue
from bot.roadmap.numbers import compact
from bot.roadmap.planning.choice import Choice
from bot.roadmap.planning.effects import describe
from bot.roadmap.planning.mix import Mix
from bot.roadmap.planning.prices import price
from bot.roadmap.planning.sizing import size_scaling
from bot.roadmap.rules.context import (
    build_context,
    nodes_per_unit,
    stage_ceiling,
    stage_pricing,
)
from bot.roadmap.schema import (
    TIER_LABELS,
    CapacityPoint,
    Range,
    SystemProfile,
)


@dataclass(frozen=True)
class ModelledItem:
    capacity_gain: float
    units: int | None = None  # scaling patterns: the size the model chose
    units_from: int | None = None
    units_label: str | None = None
    impact_change: Range | None = None  # scaling patterns: the modelled tier change, in percent
    monthly: Range | None = None  # scaling patterns: the modelled monthly cost in the roadmap's currency


@dataclass(frozen=True)
class SelectionModel:
    """The capacity model's view of a plan: figures come from here, never from the plan's author."""

    capacity_now: CapacityPoint
    after: list[CapacityPoint]
    items: dict[str, ModelledItem]  # by item id
    binding_bottleneck: str
    assumptions: list[str]
    currency: str
    budget: float | None


def model_selection(
    profile: SystemProfile,
    stages: Sequence[Sequence[tuple[str, str | None]]],
    monthly_costs: dict[str, Range],
    catalogue: Catalogue | None = None,
) -> SelectionModel:
    """Project a plan given as (item id, pattern id or None) per stage: sizing, capacity after each stage.

    Items without a catalogue pattern are not modelled (gain 1.0); their costs still count.
    """
    catalogue = catalogue or load_catalogue()
    ctx = build_context(profile, catalogue)
    catalogue = ctx.catalogue
    base = ctx.baseline
    known = {p.id for p in catalogue.patterns}
    projection = Projection(base.state, base.state, base.state)
    zero = Range(low=0, high=0)
    running = zero
    after: list[CapacityPoint] = []
    modelled: dict[str, ModelledItem] = {}
    for number, entries in enumerate(stages, 1):
        choices: dict[str, Choice] = {}
        owners: dict[str, str] = {}
        for item_id, pattern_id in entries:
            if pattern_id in known and pattern_id not in choices:
                choices[pattern_id] = Choice(catalogue.get(pattern_id), [])
                owners[pattern_id] = item_id
        listed = list(choices.values())
        size_scaling(listed, projection, stage_ceiling(number, listed, ctx, projection), base.users_at)
        active = [c for c in listed if c.active]
        mix = Mix(projection, active)
        pricing = stage_pricing(ctx, min(base.required_rps, mix.system_rps()), projection, number)
        for choice in active:
            price(choice, ctx.currency, nodes_per_unit(choice, mix), pricing)
        end = describe(active, projection)
        for choice in listed:
            scaling = choice.pattern.scaling
            modelled[owners[choice.pattern.id]] = ModelledItem(
                capacity_gain=round(choice.capacity_gain, 2) if choice.active else 1.0,
                units=choice.units,
                units_from=choice.units_from,
                units_label=scaling.units_label if scaling else None,
                impact_change=choice.impact_change,
                monthly=choice.monthly if scaling is not None and choice.units is not None else None,
            )
        for item_id, _ in entries:
            cost = modelled[item_id].monthly if item_id in modelled and modelled[item_id].monthly else None
            cost = cost or monthly_costs.get(item_id, zero)
            running = Range(low=running.low + cost.low, high=running.high + cost.high)
        after.append(base.point(f"after stage {number}", end, running))
        projection = end
    assumptions = list(base.assumptions)
    if ctx.currency != "USD":
        assumptions.append(
            f"Catalogue prices are in USD, converted at about {money.UNITS_PER_USD[ctx.currency]:g} "
            f"{ctx.currency} per USD ({money.RATES_DATE} rates)."
        )
    binding = base.binding_now
    return SelectionModel(
        capacity_now=base.point("now", Projection(base.state, base.state, base.state), zero),
        after=after,
        items=modelled,
        binding_bottleneck=(
            f"{TIER_LABELS[binding]}: about {base.utilisation[binding]:.0%} busy at today's peak of "
            f"~{compact(base.current_rps)} requests/s"
        ),
        assumptions=assumptions,
        currency=ctx.currency,
        budget=ctx.budget,
    )
