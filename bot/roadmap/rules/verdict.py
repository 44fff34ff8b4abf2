"""The plan's verdict and budget wording: whether the target is reached, where a wall or the budget stops it, what
more budget buys, and the monthly bill as traffic grows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from bot.roadmap import money
from bot.roadmap.capacity import MEASURE_TO_REPLACE, Projection
from bot.roadmap.catalogue import Catalogue
from bot.roadmap.numbers import compact, money_range, percent
from bot.roadmap.numbers import money as fmt_money
from bot.roadmap.planning.choice import Choice
from bot.roadmap.rounding import money2 as money_round
from bot.roadmap.rounding import users2
from bot.roadmap.rules.context import (
    Context,
)
from bot.roadmap.rules.stages import plan_stages
from bot.roadmap.schema import (
    TIER_LABELS,
    Range,
    RoadmapItem,
    Stage,
)

USAGE_GROWS = "cdn-static-assets"  # the lever whose bill follows the bytes served (costs.CostModel.cdn_monthly)


@dataclass(frozen=True)
class Unconstrained:
    """What the same plan would reach with no budget limit, for the plain budget verdict."""

    users: int
    monthly: Range
    binding: str = "database"


# The lever that lifts each tier once the catalogue's own levers are spent: the wall, named.
_WALLS = {
    "database": (
        "a single-writer database: replicas only add reads, so the next lever is splitting the writes "
        "(sharding by a key, or moving the heaviest write path to a store built for it)"
    ),
    "app": "the app tier's shared state: the next lever is removing what the servers share (sessions, locks, caches)",
    "network": "origin bandwidth: the next lever is serving more of the bytes from the edge (CDN, object storage)",
    "contention": (
        "lock contention on hot rows: no hardware lifts it; the levers are shorter lock holds (atomic "
        "updates, no network calls inside a transaction), queueing the writes, or splitting the hot row"
    ),
}


def _wall(ctx: Context, tier: str) -> str:
    """The wall a tier hits once the plan's levers are spent; a small database grows up before it splits."""
    database = ctx.baseline.state.tiers.get("database")
    if tier == "database" and database is not None and database.units == 1 and database.partitions == 1:
        return (
            "a single database node: the next levers are a larger instance (vertical scaling, measured first), "
            "then read replicas for reads, then splitting the writes"
        )
    return _WALLS[tier]


def budget_steps(ctx: Context, catalogue: Catalogue, free: Unconstrained) -> list[tuple[float, int]]:
    """What each doubling of the monthly budget buys, up to what the unconstrained plan costs."""
    assert ctx.budget is not None
    steps: list[tuple[float, int]] = []
    amount = max(ctx.budget, 1.0)
    for _ in range(3):
        amount *= 2
        if amount >= free.monthly.high:
            break
        stages = plan_stages(replace(ctx, budget=amount, detail=False), catalogue)[0]
        users = ctx.baseline.users_at(stages[-1][2].expected.system_rps())
        if not steps or users > steps[-1][1]:
            steps.append((amount, users))
    return steps


def write_verdict(
    ctx: Context,
    stages: list[Stage],
    limited: list[RoadmapItem],
    free: Unconstrained,
    steps: list[tuple[float, int]],
) -> tuple[bool, str, str]:
    target = ctx.profile.target_users
    reached = next((s for s in stages if s.capacity_after.meets_target), None)
    final = stages[-1].capacity_after
    if final.monthly_cost.high == 0:
        cost_text = "no monthly cost"
    else:
        cost_text = f"about {money_range(final.monthly_cost, ctx.currency)} a month"
    if ctx.budget is None:
        if ctx.profile.budget.monthly_amount is not None:
            budget_note = (
                f"No exchange rate for {ctx.profile.budget.currency}: costs are in USD and the budget was not "
                f"applied. The plan adds {cost_text}."
            )
        else:
            budget_note = f"No monthly budget given, so nothing was held back. The plan adds {cost_text}."
    else:
        budget_note = (
            f"Budget {fmt_money(ctx.budget, ctx.currency)} a month: the plan adds {cost_text} "
            "(checked at the top of each range)."
        )
        if ctx.spend is not None:
            total = ctx.budget + ctx.spend
            budget_note = (
                f"Budget {fmt_money(money_round(total), ctx.currency)} a month, of which you spend about "
                f"{fmt_money(money_round(ctx.spend), ctx.currency)} today: "
                f"{fmt_money(money_round(ctx.budget), ctx.currency)} for the plan, which adds {cost_text} "
                "(checked at the top of each range)."
            )
        if limited:
            budget_note += f" Held back or cut down: {', '.join(i.id for i in limited)}."
        if steps:
            bought = "; ".join(f"{fmt_money(money_round(a), ctx.currency)} -> {compact(u)} users" for a, u in steps)
            budget_note += f" More budget a month: {bought}."
    share = percent(final.users / target)
    wall = final.binding_tier
    # the ceiling that stops the plan is the model's default for that tier, not the team's figure: the verdict
    # names the measurement that replaces it instead of the general advice to measure
    assumed = reached is None and wall not in ctx.facts.quoted_utilisation and wall in MEASURE_TO_REPLACE
    if reached is not None:
        verdict = (
            f"Target reached after stage {reached.number}: about {compact(reached.capacity_after.users)} "
            f"concurrent users expected against {compact(target)}."
        )
        bill = final.monthly_cost
        if ctx.budget is not None and bill.low > ctx.budget:
            verdict += (
                f" At the target, the bytes it serves bring the plan to about {money_range(bill, ctx.currency)} a "
                "month, more than the budget: plan the bandwidth first."
            )
        elif ctx.budget is not None and bill.high > ctx.budget:
            verdict += (
                f" It fits the budget only if costs land low: at the target, the bytes it serves bring the plan to "
                f"about {money_range(bill, ctx.currency)} a month."
            )
        elif ctx.budget is not None:
            verdict += " It fits the budget (top of each cost range)."
    elif limited and free.users > final.users and free.users >= target and free.monthly.low <= (ctx.budget or 0):
        # the full path's low end fits: the budget binds only at the top of the ranges, so say it may fit
        verdict = (
            f"The target fits the budget only if costs land low: within the top of each cost range the plan reaches "
            f"about {compact(final.users)} concurrent users ({share} of {compact(target)}); the full path costs "
            f"about {money_range(free.monthly, ctx.currency)} a month."
        )
        if not assumed:
            verdict += " Measure, then price it again."
    elif limited and free.users > final.users:
        if free.users >= target:
            unlimited = f"Reaching it costs about {money_range(free.monthly, ctx.currency)} a month (cheapest path)"
        else:
            unlimited = (
                f"Without the budget limit it would reach about {compact(free.users)} users for about "
                f"{money_range(free.monthly, ctx.currency)} a month, then stop at {_wall(ctx, free.binding)}"
            )
        if assumed:  # the ceiling is the model's default: the budget's verdict is as uncertain as it is
            verdict = (
                f"On the model's defaults, the budget stops the plan at about {compact(final.users)} concurrent users "
                f"({share} of {compact(target)}). {unlimited}."
            )
        else:
            verdict = (
                f"Target not reachable within the budget: the plan reaches about {compact(final.users)} "
                f"concurrent users ({share} of {compact(target)}). {unlimited}."
            )
    elif assumed:  # a wall drawn from a default is a question to measure, not a verdict
        verdict = (
            f"Not known yet whether these patterns reach the target: on the model's defaults they stop at about "
            f"{compact(final.users)} concurrent users ({share} of {compact(target)}), limited by "
            f"{_wall(ctx, final.binding_tier)}."
        )
    else:
        verdict = (
            f"Target not reached by these patterns: about {compact(final.users)} concurrent users "
            f"({share} of {compact(target)}), limited by {_wall(ctx, final.binding_tier)}."
        )
        if not assumed:
            verdict += " Measure the real service demand with a load test and revisit."
    if assumed:
        verdict += (
            f" The plan's ceiling, the {TIER_LABELS[wall]}, rests on a default utilisation: measure "
            f"{MEASURE_TO_REPLACE[wall]} first."
        )
    if ctx.baseline.over_capacity_now:
        base = ctx.baseline
        verdict = (
            f"Over capacity at peak now: about {compact(users2(base.capacity_now_users))} of today's "
            f"{compact(base.current_users)} users fit at a safe load; stage 1 starts with relief. " + verdict
        )
    return reached is not None, verdict, budget_note


def with_traffic_growth(running: Range, funded: list[Choice], ctx: Context, projection: Projection) -> Range:
    """The plan's monthly bill once traffic has grown to what this stage serves.

    A CDN is priced when it is bought, for the stage that buys it; its bytes grow with the users the later stages
    carry, up to the target, and so does its bill.
    """
    base = ctx.baseline
    served = min(base.required_rps, projection.expected.system_rps())
    grown = money.range_from_usd(ctx.costs.cdn_monthly(served), ctx.currency)
    low = high = 0.0
    for choice in funded:
        if choice.pattern.id == USAGE_GROWS and choice.resize_of is None:
            low += max(0.0, grown.low - choice.monthly.low)
            high += max(0.0, grown.high - choice.monthly.high)
    if not high:
        return running
    return Range(low=money_round(running.low + low), high=money_round(running.high + high))


def monthly_total(choices: Iterable[Choice]) -> Range:
    kept = [c.monthly for c in choices if c.deferred is None]
    return Range(low=money_round(sum(r.low for r in kept)), high=money_round(sum(r.high for r in kept)))
