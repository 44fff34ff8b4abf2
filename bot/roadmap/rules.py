"""The rules engine: profile -> roadmap, offline and deterministic.

Per stage it picks the catalogue patterns whose triggers fire, sizes scaling patterns to the
target (never past what the other tiers carry), values each item on the capacity model,
orders by benefit/cost with dependencies first, and holds back what the budget cannot carry.
The result says plainly whether the target is reached, and where the budget or the USL stops it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from functools import partial

from bot.roadmap import money, team_time
from bot.roadmap.advice import Advice, answer_keywords, build_advice
from bot.roadmap.capacity import MEASURE_TO_REPLACE, Baseline, Projection, build_baseline
from bot.roadmap.catalogue import Catalogue, Pattern, load_catalogue
from bot.roadmap.costs import CostModel, read_costs
from bot.roadmap.numbers import compact, money_range, percent
from bot.roadmap.numbers import money as fmt_money
from bot.roadmap.picture import capacity_notes
from bot.roadmap.planning.budget import Budget
from bot.roadmap.planning.choice import SIZE_LEVERS, Choice
from bot.roadmap.planning.effects import RESIZE_EFFORT, describe, resize_text
from bot.roadmap.planning.mix import Mix
from bot.roadmap.planning.prices import Pricing, price
from bot.roadmap.planning.ranking import order, rank, redundant, redundant_scaling
from bot.roadmap.planning.sizing import resizes, size_scaling
from bot.roadmap.reading.facts import ArchitectureFacts, Fact
from bot.roadmap.reading.phrases import find_phrases
from bot.roadmap.reading.reader import extract_facts
from bot.roadmap.rounding import money2 as money_round
from bot.roadmap.rounding import sig2, users2
from bot.roadmap.schema import (
    STAGE_HORIZONS,
    STAGE_NAMES,
    TIER_LABELS,
    CapacityPoint,
    Cost,
    Difficulty,
    Effort,
    Impact,
    Range,
    Roadmap,
    RoadmapItem,
    Stage,
    Summary,
    SystemProfile,
)
from bot.roadmap.wording import shorten

ENGINE_NAME = "rules"
CAPACITY_SOURCE = (
    "capacity: the operational laws (Denning and Buzen, 'The Operational Analysis of Queueing Network Models', "
    "1978) and the Universal Scalability Law (Gunther, 'Guerrilla Capacity Planning', 2007)"
)
# Stage 1 scales out for twice today's peak (a default): enough for today's failures and weeks of growth,
# while the stage's load test measures what the target's fleet must really be.
STAGE1_HEADROOM = 2.0
USAGE_GROWS = "cdn-static-assets"  # the lever whose bill follows the bytes served (costs.CostModel.cdn_monthly)
PER_SERVER = (
    "Its cost is for one more server per step of today's fleet, whose size you did not give: multiply it by your "
    "server count."
)
DATABASE_NEXT = "The database binds next: it falls short of what this stage aims for."
_SENTENCE = re.compile(r"(?:[^.!?\n。]|\.(?=\S))+[.!?。]?")  # "p95 1.8 s", "Node.js" stay in one sentence


@dataclass(frozen=True)
class _Context:
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


def _context(profile: SystemProfile, catalogue: Catalogue) -> _Context:
    facts = extract_facts(profile)
    baseline = build_baseline(profile, facts)
    arch = profile.architecture
    user_text = "\n".join(
        [
            profile.bottlenecks,
            *profile.core_features,
            arch.database,
            arch.servers,
            arch.network or "",
            profile.budget.constraints or "",
        ]
    )
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
    constraints = profile.budget.constraints or ""
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
    return _Context(
        profile, facts, baseline, user_text, currency, budget, catalogue, index, hits, advice, costs, spend=spend
    )


def _current_spend(facts: ArchitectureFacts, currency: str) -> float | None:
    """Today's monthly bill as the team wrote it ("we spend $1,800 a month"), in the roadmap's currency."""
    stated = facts.current_monthly_spend
    if stated is None or not money.supported(stated.currency):
        return None
    return money.from_usd(money.to_usd(stated.monthly, stated.currency), currency)


def _quote(text: str, phrase: str) -> str:
    """The user's own sentence that mentions `phrase`, so each item's 'why' is tied to it."""
    lowered = phrase.lower()
    for sentence in _SENTENCE.findall(text):
        if lowered in sentence.lower():
            sentence = sentence.strip()
            return shorten(sentence, 160)
    return phrase


@dataclass(frozen=True)
class _StageStart:
    """What triggers look at, computed once per stage."""

    binding: str
    binding_users: int
    reached_users: int


def _stage_start(ctx: _Context, projection: Projection) -> _StageStart:
    expected = projection.expected
    binding = expected.binding()
    return _StageStart(
        binding,
        ctx.baseline.users_at(expected.tier_rps(binding)),
        ctx.baseline.users_at(expected.system_rps()),
    )


def _trigger_reasons(pattern: Pattern, ctx: _Context, start: _StageStart, late: bool = False) -> list[str] | None:
    """Why the pattern fires at this stage's start, or None when it does not."""
    if ctx.advice.blocked_reason(pattern.id) is not None and not (late and pattern.id in ctx.advice.blocked_today):
        return None  # contraindicated for this system (a database unsaturated today may bind in a later stage)
    trig = ctx.profile.scale_factor >= pattern.triggers.min_scale_factor
    if not trig or ctx.advice.excluded(pattern.id) or pattern.id in ctx.advice.scaled_out:
        return None  # in place already; a fleet the team runs grows through its resize instead
    if not all(ctx.facts.has(f) for f in pattern.triggers.requires_facts):
        return None
    reasons: list[str] = []
    hits = ctx.keyword_hits[pattern.id]
    if hits:
        reasons.append(f'You wrote: "{_quote(ctx.user_text, hits[0])}"')
    if start.binding in pattern.triggers.binding_tiers:
        reasons.append(
            f"The capacity model has the {TIER_LABELS[start.binding]} binding first, "
            f"at about {compact(start.binding_users)} users."
        )
    if pattern.triggers.when_target_unmet:
        reached = start.reached_users
        if reached < ctx.profile.target_users:
            reasons.append(
                f"Before this stage the plan reaches about {compact(reached)} of the "
                f"{compact(ctx.profile.target_users)} users you aim for."
            )
    if pattern.triggers.always:
        reasons.append("")
    reasons += ctx.advice.reasons(pattern.id, reasons)
    return reasons or None


def _select(
    stage: int, ctx: _Context, catalogue: Catalogue, start: Projection, earlier: dict[str, Choice]
) -> list[Choice]:
    """Patterns whose triggers fire at the stage's start, plus prerequisites they need first."""
    chosen: dict[str, Choice] = {}
    at_start = _stage_start(ctx, start)
    for pattern in catalogue.patterns:
        home = ctx.advice.stage_of(pattern)
        # a database that binds only after the earlier stages (once the hot row is gone), or that stage 1 left alone
        # because it was not saturated yet, grows up first, late: app servers scale out instead (_late_scale_out),
        # and the rest of stage 1 was offered when it applied
        binds = at_start.binding == "database"
        rebound = binds and (
            binds != (ctx.baseline.binding_now == "database") or pattern.id in ctx.advice.blocked_today
        )
        late = (
            rebound and home < stage and pattern.category == "scaling" and "database" in pattern.triggers.binding_tiers
        )
        if (home == stage or late) and pattern.id not in earlier:
            reasons = _trigger_reasons(pattern, ctx, at_start, late)
            if reasons is None and ctx.advice.postponed.get(pattern.id, stage) < stage:
                reasons = []  # chosen for an earlier stage and moved here for the team's time: still wanted
            if reasons is not None:
                chosen[pattern.id] = Choice(pattern, [r for r in reasons if r])
    chosen |= _database_next(stage, ctx, catalogue, start, earlier, chosen)
    pending = list(chosen.values())
    while pending:
        choice = pending.pop()
        for dep_id in choice.pattern.requires:
            dep = catalogue.get(dep_id)
            if dep_id in earlier or dep_id in chosen or ctx.advice.waived(dep_id):
                continue  # already planned, or the team already has it
            if all(ctx.facts.has(f) for f in dep.triggers.requires_facts):
                chosen[dep_id] = Choice(dep, [], prerequisite=True)
                pending.append(chosen[dep_id])
            else:
                chosen.pop(choice.pattern.id, None)  # its prerequisite cannot apply here
    index = ctx.catalogue_index
    return sorted(chosen.values(), key=lambda c: index[c.pattern.id])


def _database_next(
    stage: int,
    ctx: _Context,
    catalogue: Catalogue,
    start: Projection,
    earlier: dict[str, Choice],
    chosen: dict[str, Choice],
) -> dict[str, Choice]:
    """The database's size lever in a later stage where another tier binds first but the database falls short of
    the stage's goal: the app servers grow this stage, so the database binds next and must grow with them."""
    expected = start.expected
    if stage == 1 or "database" not in expected.tiers or expected.binding() == "database":
        return {}
    if expected.tier_rps("database") >= stage_goal_rps(stage, ctx):
        return {}
    found: dict[str, Choice] = {}
    for pattern_id in SIZE_LEVERS:
        blocked = ctx.advice.blocked_reason(pattern_id) is not None and pattern_id not in ctx.advice.blocked_today
        if pattern_id in earlier or pattern_id in chosen or blocked or ctx.advice.excluded(pattern_id):
            continue
        found[pattern_id] = Choice(catalogue.get(pattern_id), [DATABASE_NEXT])
    return found


def _prune(
    stage: int, choices: list[Choice], ctx: _Context, start: Projection, earlier: dict[str, Choice]
) -> list[Choice]:
    """Drop what adds nothing: unneeded scaling, cuts better ones make redundant, orphaned prerequisites."""
    need = ctx.baseline.required_rps
    for _ in range(len(choices) + 1):
        sizing_rps = _stage_ceiling(stage, choices, ctx, start)
        size_scaling(choices, start, sizing_rps, ctx.baseline.users_at, ctx.advice.keep)
        keep = [c for c in choices if c.active]
        mix = Mix(start, keep)
        pricing = _pricing(ctx, sizing_rps, start, stage)
        for choice in keep:
            price(choice, ctx.currency, _nodes(choice, mix), pricing)
        rank(mix, need, ctx.currency)
        drop = {
            id(c)
            for c in redundant(mix, need)
            if not c.pattern.triggers.always and c.pattern.resilience == 0 and not ctx.advice.keep(c.pattern.id)
        }
        overlap = redundant_scaling(mix, sizing_rps, ctx.advice.keep)
        if overlap is not None:
            drop.add(id(overlap))
        protected = {dep for c in keep if id(c) not in drop for dep in c.pattern.requires}
        keep = [c for c in keep if id(c) not in drop or c.pattern.id in protected]
        keep = _with_prerequisites(keep, ctx, earlier)
        if len(keep) == len(choices):
            return keep
        choices = keep
    return choices


def _with_prerequisites(choices: list[Choice], ctx: _Context, earlier: dict[str, Choice]) -> list[Choice]:
    """Keep a choice only while each prerequisite is planned or already in place; drop unneeded helpers."""
    while True:
        present = {c.pattern.id for c in choices}
        keep = [
            c
            for c in choices
            if all(
                dep in present
                or dep in earlier  # a held-back one makes this one wait, see Budget
                or ctx.advice.waived(dep)
                for dep in c.pattern.requires
            )
        ]
        needed = {dep for c in keep for dep in c.pattern.requires}
        keep = [c for c in keep if not c.prerequisite or c.pattern.id in needed]
        if len(keep) == len(choices):
            return keep
        choices = keep


def stage_goal_rps(stage: int, ctx: _Context) -> float:
    """What a stage's scale-out is sized for: the target, except in stage 1.

    Stage 1 buys room for STAGE1_HEADROOM times today's peak and no more: its load test measures the
    real ceiling, and the fleet for the target is sized from that in stage 2, not from defaults. A known
    event inside stage 2's horizon cannot wait for that, so then stage 1 sizes for the target too.
    """
    need = ctx.baseline.required_rps
    if stage > 1 or ctx.advice.event_near:
        return need
    return min(need, ctx.baseline.current_users * ctx.baseline.per_user_rps * STAGE1_HEADROOM)


def _stage_ceiling(stage: int, choices: list[Choice], ctx: _Context, start: Projection) -> float:
    """What this stage's patterns carry at best, capped at the stage's goal.

    Scaling is then sized to this, not to the target: replicas for 1M users are waste while the
    app tier tops out at 300k in the same stage.
    """
    need = stage_goal_rps(stage, ctx)
    size_scaling(choices, start, need, ctx.baseline.users_at)
    return min(need, Mix(start, choices).system_rps())


def _pricing(ctx: _Context, load_rps: float, start: Projection, stage: int = 2) -> Pricing:
    """Prices from the team's own instances, for the load this stage is built for.

    A bill that follows traffic (CDN bytes) is priced at the traffic the stage serves: in stage 1 that is
    today's peak, whatever headroom the stage builds; the totals of later stages grow it with the traffic
    they carry (_with_traffic_growth).
    """
    if stage == 1:
        load_rps = min(load_rps, ctx.baseline.current_users * ctx.baseline.per_user_rps)
    tiers = start.expected.tiers
    app = tiers["app"].units
    db = tiers["database"].units * tiers["database"].partitions
    return Pricing(costs=ctx.costs, load_rps=load_rps, layout=(app, db))


def _nodes(choice: Choice, mix: Mix) -> int:
    """Nodes per added unit: a new shard copies the primary-and-replica layout; a replica goes in every shard."""
    scaling = choice.pattern.scaling
    if scaling is None or scaling.tier == "cells" or scaling.tier not in mix.tiers:
        return 1
    if scaling.mode == "units":  # replicas are added in every shard
        return mix.partitions(scaling.tier)
    return mix.nodes_per_partition(scaling.tier)


def _plan_stage(
    stage: int,
    ctx: _Context,
    catalogue: Catalogue,
    start: Projection,
    earlier: dict[str, Choice],
    budget: Budget,
    history: Sequence[Choice] = (),
) -> tuple[list[Choice], Projection]:
    selected = _select(stage, ctx, catalogue, start, earlier)
    grown = resizes(history, _existing_fleets(ctx, earlier))
    selected += [c for c in grown if not _shared_box(c) or "managed-database" in earlier]
    selected += _late_scale_out(stage, ctx, earlier, selected)
    choices = _prune(stage, selected, ctx, start, earlier)
    if not choices:  # never an empty stage: the stage's baseline practices always apply
        choices = [Choice(p, []) for p in catalogue.patterns if p.stage == stage and p.triggers.always]
        for choice in choices:
            price(choice, ctx.currency, pricing=_pricing(ctx, ctx.baseline.required_rps, start, stage))
        rank(Mix(start, choices), ctx.baseline.required_rps, ctx.currency)
    # sizing leaves later stages' named answers their money, except in stage 1: today's relief comes first
    budget.reserve_later = _reserve_after(stage, ctx, start, earlier) if stage > 1 else 0.0
    if _size_to_budget(stage, choices, ctx, start, budget):  # a lever the lower goal does not need goes
        choices = _with_prerequisites([c for c in choices if c.active], ctx, earlier)
    mix = Mix(start, choices)
    ordered = ctx.advice.lead_first(order(choices, ctx.catalogue_index))
    for position, choice in enumerate(ordered, 1):
        choice.item_id = f"{stage}.{position}"
    budget.fit_stage(ordered, earlier, ctx.currency, lambda c: _nodes(c, mix), ctx.advice.keep)
    if not ctx.detail:
        return ordered, Mix(start, [c for c in ordered if not c.deferred]).projection()
    end = describe(ordered, start, ctx.baseline.users_at)
    return ordered, end


def _shared_box(choice: Choice) -> bool:
    """A resize of one box that runs app and database: a stop-gap once; it grows again only once the database
    has moved off the box to its own plan (managed-database in an earlier stage)."""
    return choice.is_size and {e.tier for e in choice.pattern.effects} >= {"app", "database"}


def _reserve_after(stage: int, ctx: _Context, start: Projection, earlier: dict[str, Choice]) -> float:
    """Money later stages need for what the team named (the advice's wanted levers), at the top of each range."""
    if ctx.budget is None:
        return 0.0
    pricing = _pricing(ctx, ctx.baseline.required_rps, start)
    total = 0.0
    for pattern in ctx.catalogue.patterns:
        later = pattern.id not in earlier and ctx.advice.stage_of(pattern) > stage
        if later and pattern.id in ctx.advice.wanted and pattern.scaling is None:
            choice = Choice(pattern, [])
            price(choice, ctx.currency, pricing=pricing)
            total += choice.monthly.high
    return total


def _late_scale_out(stage: int, ctx: _Context, earlier: dict[str, Choice], selected: list[Choice]) -> list[Choice]:
    """Scale-out levers of an earlier stage that were not needed then: offered again, sized if a tier now needs them.

    A tier that binds only once the earlier stages are done still scales out in this stage.
    """
    present = {c.pattern.id for c in selected}
    late = []
    for pattern in ctx.catalogue.patterns:
        scaling = pattern.scaling
        if scaling is None or scaling.tier == "cells" or pattern.id in earlier or pattern.id in present:
            continue
        if ctx.advice.stage_of(pattern) >= stage or ctx.advice.blocked_reason(pattern.id):
            continue
        if ctx.advice.excluded(pattern.id) or pattern.id in ctx.advice.scaled_out:
            continue  # the team runs it: grown through _existing_fleets instead
        if all(dep in earlier or ctx.advice.waived(dep) for dep in pattern.requires):
            late.append(Choice(pattern, [f"The {TIER_LABELS[scaling.tier]} need more by this stage."]))
    return late


def _existing_fleets(ctx: _Context, earlier: dict[str, Choice]) -> list[Pattern]:
    """Scale-out levers the team already runs (several stateless servers, replicas): the plan grows them."""
    return [
        p
        for p in ctx.catalogue.patterns
        if p.scaling is not None
        and p.id not in earlier
        and p.scaling.mode == "units"
        and (ctx.advice.in_place(p.id) or p.id in ctx.advice.scaled_out)
    ]


def _size_to_budget(stage: int, choices: list[Choice], ctx: _Context, start: Projection, budget: Budget) -> bool:
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
        pricing = _pricing(ctx, goal, start, stage)
        for choice in active:
            price(choice, ctx.currency, _nodes(choice, mix), pricing)
        return sum(c.monthly.high for c in active if c.pattern.effects or c.pattern.scaling)

    high = _stage_ceiling(stage, choices, ctx, start)
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


def _format_fields(ctx: _Context, choice: Choice) -> dict[str, str]:
    tiers = choice.pattern.tiers or [ctx.baseline.binding_now]
    return {
        **ctx.advice.fields,
        "tier_label": TIER_LABELS[tiers[0]],
        "units": "" if choice.units is None else f"{choice.units}x today's" if choice.relative else str(choice.units),
        "units_from": str(choice.units_from if choice.units_from is not None else ""),
        "current_users": compact(ctx.profile.current_users),
        "target_users": compact(ctx.profile.target_users),
    }


def _needed_by(pattern_id: str, placed: dict[str, Choice]) -> str:
    users = [c.item_id for c in placed.values() if pattern_id in c.pattern.requires]
    return f"Needed first by item {', '.join(users)}." if users else ""


def _item(choice: Choice, ctx: _Context, placed: dict[str, Choice]) -> RoadmapItem:
    pattern = ctx.advice.tailor(choice.pattern)  # the steps written for this team's stack
    fields = _format_fields(ctx, choice)
    scaling = pattern.scaling
    if (
        scaling is not None
        and choice.units is not None
        and scaling.tier in MEASURE_TO_REPLACE
        and scaling.tier not in ctx.facts.quoted_utilisation
        and not choice.deferred
    ):
        # the count comes from the model's default load for that tier: the measurement that would replace it
        assumed = (
            f"This count rests on a default utilisation of the {TIER_LABELS[scaling.tier]}, not a measurement: "
            f"measure {MEASURE_TO_REPLACE[scaling.tier]} before you buy it."
        )
    else:
        assumed = ""
    if choice.relative and choice.units is not None and choice.units_from is not None:
        assumed = f"{assumed} {PER_SERVER}".strip()  # "1x to 2x today's fleet": the fleet's size is unknown
    if scaling is not None and scaling.tier == "database" and choice.size_factor > 1 and choice.units is not None:
        grown = f"Each new node is priced at the database's grown size ({choice.size_factor:g}x today's node): " + (
            "replicas and shard members match their primary."
        )
        assumed = f"{assumed} {grown}".strip()
    reasons = list(choice.reasons)
    if choice.prerequisite:
        reasons.append(_needed_by(pattern.id, placed))
    why = " ".join(part for part in [pattern.why.format(**fields), *reasons, *choice.notes, assumed] if part)
    if choice.deferred:
        why += f" {choice.deferred}"
    sources = [
        f"impact: {pattern.sources.impact}",
        f"effort: {pattern.sources.effort}",
        f"cost: {pattern.sources.cost}",
    ]
    if pattern.sources.effects:
        sources.append(f"effects: {pattern.sources.effects}")
    if pattern.sources.scaling:
        sources.append(f"scaling: {pattern.sources.scaling}")
    if pattern.effects or pattern.scaling:
        sources.append(CAPACITY_SOURCE)
    scaling = pattern.scaling
    tiers = list(ctx.baseline.tiers) if scaling and scaling.tier == "cells" else pattern.tiers
    if choice.impact_change is not None and scaling is not None:
        metric = "system capacity" if scaling.tier == "cells" else f"{TIER_LABELS[scaling.tier]} capacity"
        impact = Impact(metric=metric, change_pct=choice.impact_change, confidence=pattern.impact.confidence)
    else:
        impact = Impact(
            metric=pattern.impact.metric, change_pct=pattern.impact.change_pct, confidence=pattern.impact.confidence
        )
    title = pattern.title.format(**fields)
    steps = [s.format(**fields) for s in pattern.steps]
    verify = [v.format(**fields) for v in pattern.verify]
    effort = Effort(person_days=pattern.effort.person_days, weeks=pattern.effort.weeks)
    depends_on = [placed[d].item_id for d in pattern.requires if d in placed]
    difficulty = pattern.difficulty
    if choice.resize_of is not None:  # more of a lever an earlier item built
        title, steps, verify = resize_text(choice)
        shards = ctx.baseline.state.tiers["database"].partitions
        if scaling is not None and scaling.tier == "database" and scaling.mode == "units" and shards > 1:
            title = f"{title} in each of the {shards} shards"  # replicas are counted per shard
        why = " ".join(part for part in [*choice.reasons, *choice.notes, assumed, choice.deferred or ""] if part)
        effort = Effort(person_days=RESIZE_EFFORT[0], weeks=RESIZE_EFFORT[1])
        depends_on = [choice.resize_of.item_id] if choice.resize_of.item_id else []
        difficulty = Difficulty.LOW
        origin = f"item {choice.resize_of.item_id}" if choice.resize_of.item_id else "what you already run"
        sources = [f"re-sized from {origin}", *sources[3:]]
    return RoadmapItem(
        id=choice.item_id,
        pattern_id=pattern.id,
        title=title[:150],
        why=why[:1500],
        steps=steps,
        impact=impact,
        capacity_gain=sig2(choice.capacity_gain),
        tiers=tiers,
        difficulty=difficulty,
        effort=effort,
        cost=Cost(currency=ctx.currency, one_off=choice.one_off, monthly=choice.monthly),
        score=sig2(choice.score),
        depends_on=depends_on,
        verify=verify,
        deferred=choice.deferred,
        sources=sources,
        model_effect=choice.effect,
    )


@dataclass(frozen=True)
class _Unconstrained:
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


def _wall(ctx: _Context, tier: str) -> str:
    """The wall a tier hits once the plan's levers are spent; a small database grows up before it splits."""
    database = ctx.baseline.state.tiers.get("database")
    if tier == "database" and database is not None and database.units == 1 and database.partitions == 1:
        return (
            "a single database node: the next levers are a larger instance (vertical scaling, measured first), "
            "then read replicas for reads, then splitting the writes"
        )
    return _WALLS[tier]


def _budget_steps(ctx: _Context, catalogue: Catalogue, free: _Unconstrained) -> list[tuple[float, int]]:
    """What each doubling of the monthly budget buys, up to what the unconstrained plan costs."""
    assert ctx.budget is not None
    steps: list[tuple[float, int]] = []
    amount = max(ctx.budget, 1.0)
    for _ in range(3):
        amount *= 2
        if amount >= free.monthly.high:
            break
        stages = _plan(replace(ctx, budget=amount, detail=False), catalogue)[0]
        users = ctx.baseline.users_at(stages[-1][2].expected.system_rps())
        if not steps or users > steps[-1][1]:
            steps.append((amount, users))
    return steps


def _verdict(
    ctx: _Context,
    stages: list[Stage],
    limited: list[RoadmapItem],
    free: _Unconstrained,
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


def _with_traffic_growth(running: Range, funded: list[Choice], ctx: _Context, projection: Projection) -> Range:
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


def _monthly_total(choices: Iterable[Choice]) -> Range:
    kept = [c.monthly for c in choices if c.deferred is None]
    return Range(low=money_round(sum(r.low for r in kept)), high=money_round(sum(r.high for r in kept)))


_StagePlan = tuple[int, list[Choice], Projection]


def _fit_team(ctx: _Context, catalogue: Catalogue) -> tuple[_Context, list[_StagePlan], dict[str, Choice]]:
    """The three stages, each within the team's time when the answers say how many engineers there are.

    Work past a stage's person-weeks moves to the next stage (the advice's stage overrides), and the plan
    is drawn again with it there.
    """
    planned, placed = _plan(ctx, catalogue)
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
            planned, placed = _plan(ctx, catalogue)
    return ctx, planned, placed


def _urgent(choice: Choice, ctx: _Context) -> bool:
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


def _plan(ctx: _Context, catalogue: Catalogue) -> tuple[list[_StagePlan], dict[str, Choice]]:
    base = ctx.baseline
    projection = Projection(base.state, base.state, base.state)
    placed: dict[str, Choice] = {}
    history: list[Choice] = []
    budget = Budget(ctx.budget)
    stages: list[_StagePlan] = []
    for number in (1, 2, 3):
        choices, projection = _plan_stage(number, ctx, catalogue, projection, placed, budget, history)
        placed.update({c.pattern.id: c for c in choices if c.resize_of is None})
        history += choices
        stages.append((number, choices, projection))
    budget.finish(ctx.currency)  # practices that move no capacity, from what the capacity work left
    return stages, placed


def generate_rules_roadmap(profile: SystemProfile, catalogue: Catalogue | None = None) -> Roadmap:
    catalogue = catalogue or load_catalogue()
    ctx = _context(profile, catalogue)
    catalogue = ctx.catalogue
    base = ctx.baseline
    ctx, planned, placed = _fit_team(ctx, catalogue)
    zero = Range(low=0, high=0)
    capacity_now = base.point("now", Projection(base.state, base.state, base.state), zero)
    stages: list[Stage] = []
    running = zero
    funded: list[Choice] = []
    for number, choices, projection in planned:
        items = [_item(c, ctx, placed) for c in choices]
        spent = _monthly_total(choices)
        running = Range(low=money_round(running.low + spent.low), high=money_round(running.high + spent.high))
        funded += [c for c in choices if not c.deferred]
        bill = _with_traffic_growth(running, funded, ctx, projection)
        stages.append(
            Stage(
                number=number,  # type: ignore[arg-type]
                name=STAGE_NAMES[number],
                horizon=STAGE_HORIZONS[number],
                items=items,
                capacity_after=base.point(f"after stage {number}", projection, bill),
            )
        )
    by_item = {c.item_id: c for _, choices, _ in planned for c in choices}
    held = [i for s in stages for i in s.items if by_item[i.id].budget_limited]
    # The plain budget verdict compares with the same plan free of the budget, when it bit.
    unconstrained = _plan(replace(ctx, budget=None, detail=False), catalogue)[0] if held else planned
    free_monthly = _monthly_total(c for _, choices, _ in unconstrained for c in choices)
    end_state = unconstrained[-1][2].expected
    free = _Unconstrained(base.users_at(end_state.system_rps()), free_monthly, end_state.binding())
    steps = _budget_steps(ctx, catalogue, free) if held and ctx.budget is not None else []
    reachable, verdict, budget_note = _verdict(ctx, stages, held, free, steps)
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


# --- modelling a plan chosen elsewhere (the OpenAI engine) -----------------------------------------


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
    ctx = _context(profile, catalogue)
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
        size_scaling(listed, projection, _stage_ceiling(number, listed, ctx, projection), base.users_at)
        active = [c for c in listed if c.active]
        mix = Mix(projection, active)
        pricing = _pricing(ctx, min(base.required_rps, mix.system_rps()), projection, number)
        for choice in active:
            price(choice, ctx.currency, _nodes(choice, mix), pricing)
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
