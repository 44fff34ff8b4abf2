"""What one review's plan is drawn from (the answers read, the baseline, budget, advice, costs), and each
stage's goal, ceiling and prices computed from it.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.roadmap import money
from bot.roadmap.advice.build import build_advice
from bot.roadmap.advice.conditions import answer_keywords, answer_text
from bot.roadmap.advice.model import Advice
from bot.roadmap.calibration import build_baseline
from bot.roadmap.capacity import Baseline, Projection
from bot.roadmap.catalogue import Catalogue
from bot.roadmap.costs import CostModel, read_costs
from bot.roadmap.planning.choice import Choice
from bot.roadmap.planning.mix import Mix
from bot.roadmap.planning.prices import Pricing
from bot.roadmap.planning.sizing import size_scaling
from bot.roadmap.reading.facts import ArchitectureFacts, Fact
from bot.roadmap.reading.phrases import find_phrases
from bot.roadmap.reading.reader import extract_facts
from bot.roadmap.schema import (
    SystemProfile,
)

# Stage 1 scales out for twice today's peak (a default): enough for today's failures and weeks of growth,
# while the stage's load test measures what the target's fleet must really be.
STAGE1_HEADROOM = 2.0


@dataclass(frozen=True)
class Context:
    profile: SystemProfile
    facts: ArchitectureFacts
    baseline: Baseline
    user_text: str
    currency: str  # currency of every cost figure in the roadmap
    budget: float | None  # monthly, in `currency`; None = not constrained
    catalogue: Catalogue
    catalogue_index: dict[str, int]  # catalogue order breaks ties, so output is deterministic
    keyword_hits: dict[str, list[str]]  # pattern id -> the user's words that match its keywords
    advice: Advice  # workload reading, contraindications, named problems: which levers fit this system
    costs: CostModel  # what one more server or node costs this team, and bandwidth prices
    detail: bool = True  # False for the first, budget-free pass: only its capacity figures are used
    spend: float | None = None  # what the team spends a month today, taken out of the budget


def build_context(profile: SystemProfile, catalogue: Catalogue) -> Context:
    facts = extract_facts(profile)
    baseline = build_baseline(profile, facts)
    constraints = profile.budget.constraints or ""
    user_text = f"{answer_text(profile)}\n{constraints}"
    currency = profile.budget.currency if money.supported(profile.budget.currency) else "USD"
    budget = None
    spend = None
    if profile.budget.monthly_amount is not None and money.supported(profile.budget.currency):
        budget = float(profile.budget.monthly_amount)
        spend = _current_spend(facts, currency)
        if spend is not None and spend < budget:
            budget -= spend  # the budget is the whole bill: what runs today comes out of it first
        else:
            spend = None  # at or above the budget: the budget is read as what the plan may add
    index = {p.id: i for i, p in enumerate(catalogue.patterns)}
    answered = answer_keywords(profile, catalogue)  # read once: the advice and the triggers share them
    advice = build_advice(profile, facts, catalogue, answered)
    hits = {
        p.id: answered[p.id]
        + (find_phrases(constraints, p.triggers.keywords.en, p.triggers.keywords.ko) if constraints else [])
        for p in catalogue.patterns
    }
    # a variant that acts differently on this stack (one box resized lifts app and database) is what gets planned
    catalogue = catalogue.tailored(
        {pid: p for pid, p in advice.variants.items() if p.effects != catalogue.get(pid).effects}
    )
    costs = read_costs(profile, media_heavy=facts.has(Fact.MEDIA_HEAVY), facts=facts)
    return Context(
        profile, facts, baseline, user_text, currency, budget, catalogue, index, hits, advice, costs, spend=spend
    )


def _current_spend(facts: ArchitectureFacts, currency: str) -> float | None:
    """Today's monthly bill as the team wrote it ("we spend $1,800 a month"), in the roadmap's currency."""
    stated = facts.current_monthly_spend
    if stated is None or not money.supported(stated.currency):
        return None
    return money.from_usd(money.to_usd(stated.monthly, stated.currency), currency)


def stage_goal_rps(stage: int, ctx: Context) -> float:
    """What a stage's scale-out is sized for: the target, except in stage 1.

    Stage 1 buys room for STAGE1_HEADROOM times today's peak and no more: its load test measures the
    real ceiling, and the fleet for the target is sized from that in stage 2, not from defaults. A known
    event inside stage 2's horizon cannot wait for that, so then stage 1 sizes for the target too.
    """
    need = ctx.baseline.required_rps
    if stage > 1 or ctx.advice.event_near:
        return need
    return min(need, ctx.baseline.current_users * ctx.baseline.per_user_rps * STAGE1_HEADROOM)


def stage_ceiling(stage: int, choices: list[Choice], ctx: Context, start: Projection) -> float:
    """What this stage's patterns carry at best, capped at the stage's goal.

    Scaling is then sized to this, not to the target: replicas for 1M users are waste while the
    app tier tops out at 300k in the same stage.
    """
    need = stage_goal_rps(stage, ctx)
    size_scaling(choices, start, need, ctx.baseline.users_at)
    return min(need, Mix(start, choices).system_rps())


def stage_pricing(ctx: Context, load_rps: float, start: Projection, stage: int = 2) -> Pricing:
    """Prices from the team's own instances, for the load this stage is built for.

    A bill that follows traffic (CDN bytes) is priced at the traffic the stage serves: in stage 1 that is
    today's peak, whatever headroom the stage builds; the totals of later stages grow it with the traffic
    they carry (with_traffic_growth).
    """
    if stage == 1:
        load_rps = min(load_rps, ctx.baseline.current_users * ctx.baseline.per_user_rps)
    tiers = start.expected.tiers
    app = tiers["app"].units
    db = tiers["database"].units * tiers["database"].partitions
    return Pricing(costs=ctx.costs, load_rps=load_rps, layout=(app, db))


def nodes_per_unit(choice: Choice, mix: Mix) -> int:
    """Nodes per added unit: a new shard copies the primary-and-replica layout; a replica goes in every shard."""
    scaling = choice.pattern.scaling
    if scaling is None or scaling.tier == "cells" or scaling.tier not in mix.tiers:
        return 1
    if scaling.mode == "units":  # replicas are added in every shard
        return mix.partitions(scaling.tier)
    return mix.nodes_per_partition(scaling.tier)
