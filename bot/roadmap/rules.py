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

from bot.roadmap import money, planner
from bot.roadmap.capacity import Baseline, Projection, build_baseline
from bot.roadmap.advice import Advice, build_advice
from bot.roadmap.catalogue import Catalogue, Pattern, load_catalogue
from bot.roadmap.facts import ArchitectureFacts, extract_facts, find_phrases
from bot.roadmap.numbers import compact, money_range, percent
from bot.roadmap.numbers import money as fmt_money
from bot.roadmap.planner import Choice
from bot.roadmap.schema import (
    STAGE_HORIZONS,
    STAGE_NAMES,
    TIER_LABELS,
    TIERS,
    CapacityPoint,
    Cost,
    Effort,
    Impact,
    Range,
    Roadmap,
    RoadmapItem,
    Stage,
    Summary,
    SystemProfile,
)

ENGINE_NAME = "rules"
CAPACITY_SOURCE = "capacity: operational laws and USL, docs/capacity-model.md"
_SENTENCE = re.compile(r"[^.!?\n。]+[.!?。]?")


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
    detail: bool = True  # False for the first, budget-free pass: only its capacity figures are used


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
    if profile.budget.monthly_amount is not None and money.supported(profile.budget.currency):
        budget = float(profile.budget.monthly_amount)
    index = {p.id: i for i, p in enumerate(catalogue.patterns)}
    hits = {p.id: find_phrases(user_text, p.triggers.keywords.en, p.triggers.keywords.ko) for p in catalogue.patterns}
    advice = build_advice(profile, facts, catalogue)
    return _Context(profile, facts, baseline, user_text, currency, budget, catalogue, index, hits, advice)


def _quote(text: str, phrase: str) -> str:
    """The user's own sentence that mentions `phrase`, so each item's 'why' is tied to it."""
    lowered = phrase.lower()
    for sentence in _SENTENCE.findall(text):
        if lowered in sentence.lower():
            sentence = sentence.strip()
            return sentence if len(sentence) <= 160 else sentence[:157] + "..."
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


def _trigger_reasons(pattern: Pattern, ctx: _Context, start: _StageStart) -> list[str] | None:
    """Why the pattern fires at this stage's start, or None when it does not."""
    if ctx.advice.blocked_reason(pattern.id) is not None:
        return None  # contraindicated for this system
    trig = ctx.profile.scale_factor >= pattern.triggers.min_scale_factor
    if not trig or ctx.advice.excluded(pattern.id):
        return None
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
        if ctx.advice.stage_of(pattern) == stage and pattern.id not in earlier:
            reasons = _trigger_reasons(pattern, ctx, at_start)
            if reasons is not None:
                chosen[pattern.id] = Choice(pattern, [r for r in reasons if r])
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


def _prune(choices: list[Choice], ctx: _Context, start: Projection, earlier: dict[str, Choice]) -> list[Choice]:
    """Drop what adds nothing: unneeded scaling, cuts better ones make redundant, orphaned prerequisites."""
    need = ctx.baseline.required_rps
    for _ in range(len(choices) + 1):
        sizing_rps = _stage_ceiling(choices, ctx, start)
        planner.size_scaling(choices, start, sizing_rps, ctx.baseline.users_at)
        keep = [c for c in choices if c.active]
        mix = planner.Mix(start, keep)
        for choice in keep:
            planner.price(choice, ctx.currency, _nodes(choice, mix))
        planner.rank(mix, need, ctx.currency)
        drop = {
            id(c)
            for c in planner.redundant(mix, need)
            if not c.pattern.triggers.always and c.pattern.resilience == 0 and not ctx.advice.keep(c.pattern.id)
        }
        overlap = planner.redundant_scaling(mix, sizing_rps)
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
                or dep in earlier  # a held-back one makes this one wait, see planner.fit_budget
                or ctx.advice.waived(dep)
                for dep in c.pattern.requires
            )
        ]
        needed = {dep for c in keep for dep in c.pattern.requires}
        keep = [c for c in keep if not c.prerequisite or c.pattern.id in needed]
        if len(keep) == len(choices):
            return keep
        choices = keep


def _stage_ceiling(choices: list[Choice], ctx: _Context, start: Projection) -> float:
    """What this stage's patterns carry at best, capped at the target's need.

    Scaling is then sized to this, not to the target: replicas for 1M users are waste while the
    app tier tops out at 300k in the same stage.
    """
    need = ctx.baseline.required_rps
    planner.size_scaling(choices, start, need, ctx.baseline.users_at)
    return min(need, planner.Mix(start, choices).system_rps())


def _nodes(choice: Choice, mix: planner.Mix) -> int:
    """Nodes per shard: a new shard copies the tier's current primary-and-replica layout."""
    scaling = choice.pattern.scaling
    if scaling is None or scaling.mode != "partitions" or scaling.tier == "cells":
        return 1
    return mix.nodes_per_partition(scaling.tier)


def _plan_stage(
    stage: int, ctx: _Context, catalogue: Catalogue, start: Projection, earlier: dict[str, Choice], spent: float
) -> tuple[list[Choice], Projection, float]:
    selected = _select(stage, ctx, catalogue, start, earlier)
    choices = _prune(selected, ctx, start, earlier)
    if not choices:  # never an empty stage: the stage's baseline practices always apply
        choices = [Choice(p, []) for p in catalogue.patterns if p.stage == stage and p.triggers.always]
        for choice in choices:
            planner.price(choice, ctx.currency)
        planner.rank(planner.Mix(start, choices), ctx.baseline.required_rps, ctx.currency)
    mix = planner.Mix(start, choices)
    ordered = ctx.advice.lead_first(planner.order(choices, ctx.catalogue_index))
    for position, choice in enumerate(ordered, 1):
        choice.item_id = f"{stage}.{position}"
    budget_left = None if ctx.budget is None else ctx.budget - spent
    spent += planner.fit_budget(ordered, earlier, budget_left, ctx.currency, lambda c: _nodes(c, mix))
    if not ctx.detail:
        return ordered, planner.Mix(start, [c for c in ordered if not c.deferred]).projection(), spent
    end = planner.describe(ordered, start)
    return ordered, end, spent


def _format_fields(ctx: _Context, choice: Choice) -> dict[str, str]:
    tiers = choice.pattern.tiers or [ctx.baseline.binding_now]
    return {
        **ctx.advice.fields,
        "tier_label": TIER_LABELS[tiers[0]],
        "units": str(choice.units if choice.units is not None else ""),
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
    reasons = list(choice.reasons)
    if choice.prerequisite:
        reasons.append(_needed_by(pattern.id, placed))
    why = " ".join(part for part in [pattern.why.format(**fields), *reasons, *choice.notes] if part)
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
    tiers = list(TIERS) if scaling and scaling.tier == "cells" else pattern.tiers
    if choice.impact_change is not None and scaling is not None:
        metric = "system capacity" if scaling.tier == "cells" else f"{TIER_LABELS[scaling.tier]} capacity"
        impact = Impact(metric=metric, change_pct=choice.impact_change, confidence=pattern.impact.confidence)
    else:
        impact = Impact(
            metric=pattern.impact.metric, change_pct=pattern.impact.change_pct, confidence=pattern.impact.confidence
        )
    return RoadmapItem(
        id=choice.item_id,
        pattern_id=pattern.id,
        title=pattern.title.format(**fields)[:150],
        why=why[:1500],
        steps=[s.format(**fields) for s in pattern.steps],
        impact=impact,
        capacity_gain=round(choice.capacity_gain, 2),
        tiers=tiers,
        difficulty=pattern.difficulty,
        effort=Effort(person_days=pattern.effort.person_days, weeks=pattern.effort.weeks),
        cost=Cost(currency=ctx.currency, one_off=choice.one_off, monthly=choice.monthly),
        score=round(choice.score, 3),
        depends_on=[placed[d].item_id for d in pattern.requires if d in placed],
        verify=[v.format(**fields) for v in pattern.verify],
        deferred=choice.deferred,
        sources=sources,
    )


@dataclass(frozen=True)
class _Unconstrained:
    """What the same plan would reach with no budget limit, for the plain budget verdict."""

    users: int
    monthly: Range


def _verdict(
    ctx: _Context, stages: list[Stage], limited: list[RoadmapItem], free: _Unconstrained
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
            "(checked against the middle of each range)."
        )
        if limited:
            budget_note += f" Held back or cut down for budget: {', '.join(i.id for i in limited)}."
    share = percent(final.users / target)
    if reached is not None:
        verdict = (
            f"Target reached after stage {reached.number}: about {compact(reached.capacity_after.users)} "
            f"concurrent users expected against {compact(target)}."
        )
        if ctx.budget is not None:
            verdict += " It fits the budget."
    elif limited and free.users > final.users:
        unlimited = (
            "would reach the target" if free.users >= target else f"would reach about {compact(free.users)} users"
        )
        verdict = (
            f"Target not reachable within the budget: the plan reaches about {compact(final.users)} "
            f"concurrent users ({share} of {compact(target)}). Without the budget limit it {unlimited} "
            f"for about {money_range(free.monthly, ctx.currency)} a month."
        )
    else:
        verdict = (
            f"Target not reached by these patterns: about {compact(final.users)} concurrent users "
            f"({share} of {compact(target)}), limited by the {TIER_LABELS[final.binding_tier]}. "
            "Measure the real service demand with a load test and revisit."
        )
    return reached is not None, verdict, budget_note


def _monthly_total(choices: Iterable[Choice]) -> Range:
    kept = [c.monthly for c in choices if c.deferred is None]
    return Range(low=sum(r.low for r in kept), high=sum(r.high for r in kept))


_StagePlan = tuple[int, list[Choice], Projection]


def _plan(ctx: _Context, catalogue: Catalogue) -> tuple[list[_StagePlan], dict[str, Choice]]:
    base = ctx.baseline
    projection = Projection(base.state, base.state, base.state)
    placed: dict[str, Choice] = {}
    spent = 0.0
    stages: list[_StagePlan] = []
    for number in (1, 2, 3):
        choices, projection, spent = _plan_stage(number, ctx, catalogue, projection, placed, spent)
        placed.update({c.pattern.id: c for c in choices})
        stages.append((number, choices, projection))
    return stages, placed


def generate_rules_roadmap(profile: SystemProfile, catalogue: Catalogue | None = None) -> Roadmap:
    catalogue = catalogue or load_catalogue()
    ctx = _context(profile, catalogue)
    base = ctx.baseline
    planned, placed = _plan(ctx, catalogue)
    zero = Range(low=0, high=0)
    capacity_now = base.point("now", Projection(base.state, base.state, base.state), zero)
    stages: list[Stage] = []
    running = zero
    for number, choices, projection in planned:
        items = [_item(c, ctx, placed) for c in choices]
        spent = _monthly_total(choices)
        running = Range(low=running.low + spent.low, high=running.high + spent.high)
        stages.append(
            Stage(
                number=number,  # type: ignore[arg-type]
                name=STAGE_NAMES[number],
                horizon=STAGE_HORIZONS[number],
                items=items,
                capacity_after=base.point(f"after stage {number}", projection, running),
            )
        )
    held = [i for s in stages for i in s.items if placed[i.pattern_id or ""].budget_limited]
    # The plain budget verdict compares with the same plan free of the budget, when it bit.
    unconstrained = _plan(replace(ctx, budget=None, detail=False), catalogue)[0] if held else planned
    free_monthly = _monthly_total(c for _, choices, _ in unconstrained for c in choices)
    free = _Unconstrained(base.users_at(unconstrained[-1][2].expected.system_rps()), free_monthly)
    reachable, verdict, budget_note = _verdict(ctx, stages, held, free)
    assumptions = list(base.assumptions)
    assumptions.append("Projections use the middle of each catalogue range; each item shows its full range.")
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
        scale_factor=round(profile.scale_factor, 2),
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
    return Roadmap(engine=ENGINE_NAME, system_name=profile.system_name, summary=summary, stages=stages, **report)


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
        planner.size_scaling(listed, projection, _stage_ceiling(listed, ctx, projection), base.users_at)
        active = [c for c in listed if c.active]
        mix = planner.Mix(projection, active)
        for choice in active:
            planner.price(choice, ctx.currency, _nodes(choice, mix))
        end = planner.describe(active, projection)
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
