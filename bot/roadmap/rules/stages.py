"""Planning the three stages: one stage selected, sized to its goal (or to the budget's lower one), ordered and
funded; the stages drawn again when the team's time moves work to a later one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from functools import partial
from typing import Literal

from bot.roadmap import team_time
from bot.roadmap.capacity import Projection
from bot.roadmap.catalogue import Catalogue
from bot.roadmap.planning.budget import Budget
from bot.roadmap.planning.choice import Choice
from bot.roadmap.planning.effects import describe
from bot.roadmap.planning.mix import Mix
from bot.roadmap.planning.prices import price
from bot.roadmap.planning.ranking import order, rank
from bot.roadmap.planning.sizing import resizes, size_scaling
from bot.roadmap.rules.context import (
    Context,
    nodes_per_unit,
    stage_ceiling,
    stage_pricing,
)
from bot.roadmap.rules.selection import (
    existing_fleets,
    late_scale_out,
    prune,
    select_stage,
    with_prerequisites,
)


def _plan_stage(
    stage: int,
    ctx: Context,
    catalogue: Catalogue,
    start: Projection,
    earlier: dict[str, Choice],
    budget: Budget,
    history: Sequence[Choice] = (),
) -> tuple[list[Choice], Projection]:
    selected = select_stage(stage, ctx, catalogue, start, earlier)
    grown = resizes(history, existing_fleets(ctx, earlier))
    selected += [c for c in grown if not _shared_box(c) or "managed-database" in earlier]
    selected += late_scale_out(stage, ctx, earlier, selected)
    choices = prune(stage, selected, ctx, start, earlier)
    if not choices:  # never an empty stage: the stage's baseline practices always apply
        choices = [Choice(p, []) for p in catalogue.patterns if p.stage == stage and p.triggers.always]
        for choice in choices:
            price(choice, ctx.currency, pricing=stage_pricing(ctx, ctx.baseline.required_rps, start, stage))
        rank(Mix(start, choices), ctx.baseline.required_rps, ctx.currency)
    # sizing leaves later stages' named answers their money, except in stage 1: today's relief comes first
    budget.reserve_later = _reserve_after(stage, ctx, start, earlier) if stage > 1 else 0.0
    if _size_to_budget(stage, choices, ctx, start, budget):  # a lever the lower goal does not need goes
        choices = with_prerequisites([c for c in choices if c.active], ctx, earlier)
    mix = Mix(start, choices)
    ordered = ctx.advice.lead_first(order(choices, ctx.catalogue_index))
    for position, choice in enumerate(ordered, 1):
        choice.item_id = f"{stage}.{position}"
    budget.fit_stage(ordered, earlier, ctx.currency, lambda c: nodes_per_unit(c, mix), ctx.advice.keep)
    if not ctx.detail:
        return ordered, Mix(start, [c for c in ordered if not c.deferred]).projection()
    end = describe(ordered, start, ctx.baseline.users_at)
    return ordered, end


def _shared_box(choice: Choice) -> bool:
    """A resize of one box that runs app and database: a stop-gap once; it grows again only once the database
    has moved off the box to its own plan (managed-database in an earlier stage)."""
    return choice.is_size and {e.tier for e in choice.pattern.effects} >= {"app", "database"}


def _reserve_after(stage: int, ctx: Context, start: Projection, earlier: dict[str, Choice]) -> float:
    """Money later stages need for what the team named (the advice's wanted levers), at the top of each range."""
    if ctx.budget is None:
        return 0.0
    pricing = stage_pricing(ctx, ctx.baseline.required_rps, start)
    total = 0.0
    for pattern in ctx.catalogue.patterns:
        later = pattern.id not in earlier and ctx.advice.stage_of(pattern) > stage
        if later and pattern.id in ctx.advice.wanted and pattern.scaling is None:
            choice = Choice(pattern, [])
            price(choice, ctx.currency, pricing=pricing)
            total += choice.monthly.high
    return total


def _size_to_budget(stage: int, choices: list[Choice], ctx: Context, start: Projection, budget: Budget) -> bool:
    """With a budget that cannot buy the stage's full scale-out, size every lever to one lower goal.

    Cutting the first lever down to whatever money is left would buy one tier past what the others
    carry; a lower common goal keeps the tiers in balance. Found by bisection on the goal.
    """
    left = budget.left()
    scaling = [c for c in choices if c.is_scaling and c.units is not None]
    if left is None or not scaling:
        return False
    left -= sum(c.monthly.high for c in choices if ctx.advice.keep(c.pattern.id) and not c.is_scaling)
    left -= budget.reserve_later  # what the funding step keeps back for later stages' named answers
    need = ctx.baseline.required_rps

    def cost(goal: float) -> float:
        size_scaling(choices, start, goal, ctx.baseline.users_at, ctx.advice.keep)
        active = [c for c in choices if c.active]
        mix = Mix(start, active)
        pricing = stage_pricing(ctx, goal, start, stage)
        for choice in active:
            price(choice, ctx.currency, nodes_per_unit(choice, mix), pricing)
        return sum(c.monthly.high for c in active if c.pattern.effects or c.pattern.scaling)

    high = stage_ceiling(stage, choices, ctx, start)
    if cost(high) <= left:
        return False
    low = Mix(start, [c for c in choices if not c.is_scaling]).system_rps()
    if low >= high:
        cost(high)
        return False
    for _ in range(6 if ctx.detail else 4):  # on a log scale, halving the gap each time
        middle = (low * high) ** 0.5
        if cost(middle) <= left:
            low = middle
        else:
            high = middle
    cost(low)
    rank(Mix(start, [c for c in choices if c.active]), need, ctx.currency)
    return True


StageNumber = Literal[1, 2, 3]
StagePlan = tuple[StageNumber, list[Choice], Projection]


def fit_team(ctx: Context, catalogue: Catalogue) -> tuple[Context, list[StagePlan], dict[str, Choice]]:
    """The three stages, each within the team's time when the answers say how many engineers there are.

    Work past a stage's person-weeks moves to the next stage (the advice's stage overrides), and the plan
    is drawn again with it there.
    """
    planned, placed = plan_stages(ctx, catalogue)
    team = ctx.baseline.traffic.team_size
    if not team:
        return ctx, planned, placed
    for stage in (1, 2):
        choices = planned[stage - 1][1]
        moved = team_time.postpone(choices, team, stage, partial(_urgent, ctx=ctx))
        if moved:
            advice = ctx.advice
            ctx = replace(
                ctx,
                advice=replace(
                    advice,
                    stages={**advice.stages, **dict.fromkeys(moved, stage + 1)},
                    postponed={**advice.postponed, **dict.fromkeys(moved, stage)},
                ),
            )
            planned, placed = plan_stages(ctx, catalogue)
    return ctx, planned, placed


def _urgent(choice: Choice, ctx: Context) -> bool:
    """Never moved for lack of time: the answer to a named problem or risk, a capacity gain that takes a day or
    two (resizing a machine), or what lifts a tier failing today."""
    advice = ctx.advice
    if choice.pattern.id in advice.lead or choice.pattern.id in advice.answering:
        return True
    if any(choice.pattern.id in ids for _, ids in advice.candidates):
        return True  # an answer to a named problem, even when not the first one
    if choice.pattern.id in advice.stages and choice.pattern.id not in advice.postponed:
        return True  # pulled into this stage on purpose: a first fix, a lever for a known event
    if advice.event_near and choice.pattern.event_lever:
        return True  # what the known event needs before it starts (a load test at its rate, pre-scaling)
    if (
        choice.pattern.category == "observability"
        and ctx.baseline.measure
        and "tiny-team" not in advice.reading.kind_ids
    ):
        return True  # the load test and the golden signals replace the model's defaults: every later item needs them
    if choice.system_gain <= 0:
        return False
    base = ctx.baseline
    failing = base.users_at(base.state.system_rps()) < ctx.profile.current_users
    return failing or team_time.person_days(choice) <= team_time.QUICK_DAYS


def plan_stages(ctx: Context, catalogue: Catalogue) -> tuple[list[StagePlan], dict[str, Choice]]:
    base = ctx.baseline
    projection = Projection(base.state, base.state, base.state)
    placed: dict[str, Choice] = {}
    history: list[Choice] = []
    budget = Budget(ctx.budget)
    stages: list[StagePlan] = []
    numbers: tuple[StageNumber, ...] = (1, 2, 3)
    for number in numbers:
        choices, projection = _plan_stage(number, ctx, catalogue, projection, placed, budget, history)
        placed.update({c.pattern.id: c for c in choices if c.resize_of is None})
        history += choices
        stages.append((number, choices, projection))
    budget.finish(ctx.currency)  # practices that move no capacity, from what the capacity work left
    return stages, placed
