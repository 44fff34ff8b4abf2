"""The rules engine: a roadmap from a profile, on the capacity model.

Per stage it picks the catalogue patterns whose triggers fire, sizes scaling patterns to the
target (never past what the other tiers carry), values each item on the capacity model,
orders by benefit/cost with dependencies first, and holds back what the budget cannot carry.
The result says plainly whether the target is reached, and where the budget or the USL stops it.
"""

from __future__ import annotations

from dataclasses import replace

from bot.roadmap import money
from bot.roadmap.capacity import Projection
from bot.roadmap.catalogue import Catalogue, load_catalogue
from bot.roadmap.numbers import compact
from bot.roadmap.picture import capacity_notes
from bot.roadmap.planning.choice import Choice
from bot.roadmap.rounding import money2 as money_round
from bot.roadmap.rounding import sig2
from bot.roadmap.rules.context import (
    build_context,
)
from bot.roadmap.rules.items import build_item
from bot.roadmap.rules.stages import fit_team, plan_stages
from bot.roadmap.rules.verdict import (
    Unconstrained,
    budget_steps,
    monthly_total,
    with_traffic_growth,
    write_verdict,
)
from bot.roadmap.schema import (
    STAGE_HORIZONS,
    STAGE_NAMES,
    TIER_LABELS,
    Range,
    Roadmap,
    Stage,
    Summary,
    SystemProfile,
)

ENGINE_NAME = "rules"


def generate_rules_roadmap(profile: SystemProfile, catalogue: Catalogue | None = None) -> Roadmap:
    catalogue = catalogue or load_catalogue()
    ctx = build_context(profile, catalogue)
    catalogue = ctx.catalogue
    base = ctx.baseline
    ctx, planned, placed = fit_team(ctx, catalogue)
    zero = Range(low=0, high=0)
    capacity_now = base.point("now", Projection(base.state, base.state, base.state), zero)
    stages: list[Stage] = []
    running = zero
    funded: list[Choice] = []
    for number, choices, projection in planned:
        items = [build_item(c, ctx, placed) for c in choices]
        spent = monthly_total(choices)
        running = Range(low=money_round(running.low + spent.low), high=money_round(running.high + spent.high))
        funded += [c for c in choices if not c.deferred]
        bill = with_traffic_growth(running, funded, ctx, projection)
        stages.append(
            Stage(
                number=number,
                name=STAGE_NAMES[number],
                horizon=STAGE_HORIZONS[number],
                items=items,
                capacity_after=base.point(f"after stage {number}", projection, bill),
            )
        )
    by_item = {c.item_id: c for _, choices, _ in planned for c in choices}
    held = [i for s in stages for i in s.items if by_item[i.id].budget_limited]
    # The plain budget verdict compares with the same plan free of the budget, when it bit.
    unconstrained = plan_stages(replace(ctx, budget=None, detail=False), catalogue)[0] if held else planned
    free_monthly = monthly_total(c for _, choices, _ in unconstrained for c in choices)
    end_state = unconstrained[-1][2].expected
    free = Unconstrained(base.users_at(end_state.system_rps()), free_monthly, end_state.binding())
    steps = budget_steps(ctx, catalogue, free) if held and ctx.budget is not None else []
    reachable, verdict, budget_note = write_verdict(ctx, stages, held, free, steps)
    assumptions = list(base.assumptions)
    assumptions += ctx.costs.assumptions

    if ctx.currency != "USD":
        assumptions.append(
            f"Catalogue prices are in USD, converted at about {money.UNITS_PER_USD[ctx.currency]:g} "
            f"{ctx.currency} per USD ({money.RATES_DATE} rates)."
        )
    binding = base.binding_now
    summary = Summary(
        headline=(
            f"{profile.system_name}: {compact(profile.current_users)} → {compact(profile.target_users)} "
            "concurrent users"
        )[:150],
        current_users=profile.current_users,
        target_users=profile.target_users,
        scale_factor=sig2(profile.scale_factor),
        capacity_now=capacity_now,
        binding_bottleneck=(
            f"{TIER_LABELS[binding]}: about {base.utilisation[binding]:.0%} busy at today's peak of "
            f"~{compact(base.current_rps)} requests/s"
        ),
        target_reachable=reachable,
        verdict=verdict,
        budget_note=budget_note,
        assumptions=assumptions,
    )
    report = ctx.advice.report([i for s in stages for i in s.items], catalogue, ctx.keyword_hits)
    # what a stated deadline must not wait for: risk fixes, the first answer to each problem the team named, and
    # with a known event near, what the event needs
    planned_ids = {i.pattern_id for s in stages for i in s.items if i.pattern_id and not i.deferred}
    first_answers = {next((p for p in ids if p in planned_ids), None) for _, ids in ctx.advice.candidates}
    before = [
        i.id
        for s in stages
        for i in s.items
        if i.pattern_id
        and not i.deferred
        and (
            i.pattern_id in ctx.advice.lead
            or i.pattern_id in first_answers
            or (ctx.advice.event_near and catalogue.get(i.pattern_id).event_lever)
        )
    ]
    known_time = ctx.advice.reading.has("known-event")  # a burst at a known time can be pre-scaled for
    notes = capacity_notes(profile, ctx.costs, base, stages, ctx.advice.postponed, before, known_time)
    return Roadmap(
        engine=ENGINE_NAME, system_name=profile.system_name, summary=summary, stages=stages, notes=notes, **report
    )
