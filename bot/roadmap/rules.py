"""The rules engine: profile -> roadmap, offline and deterministic.

Per stage it picks catalogue patterns whose triggers fire, then places them greedily by
marginal benefit/cost on the capacity model (dependencies first), sizing scaling patterns to
the target and holding back what the budget cannot carry. The result says plainly whether
the target is reached, and where the budget or the USL stops it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from bot.roadmap import money
from bot.roadmap.capacity import (
    Baseline,
    Projection,
    build_baseline,
    pick,
    units_for,
    usl,
    usl_peak,
)
from bot.roadmap.catalogue import Catalogue, Pattern, load_catalogue
from bot.roadmap.facts import ArchitectureFacts, extract_facts, find_phrases
from bot.roadmap.numbers import compact, money_range, percent
from bot.roadmap.numbers import money as fmt_money
from bot.roadmap.schema import (
    STAGE_HORIZONS,
    STAGE_NAMES,
    TIER_LABELS,
    TIERS,
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
_PREREQUISITE = "\0prerequisite"  # replaced by "Needed first by item x.y" once ids exist
_SENTENCE = re.compile(r"[^.!?\n。]+[.!?。]?")


@dataclass(frozen=True)
class _Context:
    profile: SystemProfile
    facts: ArchitectureFacts
    baseline: Baseline
    user_text: str
    currency: str  # currency of every cost figure in the roadmap
    budget: float | None  # monthly, in `currency`; None = not constrained
    sizing_rps: tuple[float, float, float]  # per stage: scaling patterns size a tier to this (at U = 1)


@dataclass
class _Evaluation:
    pattern: Pattern
    after: Projection
    gain: float  # expected system capacity multiplier
    score: float
    one_off: Range
    monthly: Range
    units: int | None = None
    units_from: int | None = None
    impact: Impact | None = None
    notes: list[str] = field(default_factory=list)
    deferred: str | None = None
    budget_limited: bool = False


@dataclass
class _Placed:
    item_id: str
    evaluation: _Evaluation
    reasons: list[str]


def _context(profile: SystemProfile) -> _Context:
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
    sizing = (baseline.required_rps,) * 3
    return _Context(profile, facts, baseline, user_text, currency, budget, sizing)  # type: ignore[arg-type]


def _quote(text: str, phrase: str) -> str:
    """The user's own sentence that mentions `phrase`, so each item's 'why' is tied to it."""
    lowered = phrase.lower()
    for sentence in _SENTENCE.findall(text):
        if lowered in sentence.lower():
            sentence = sentence.strip()
            return sentence if len(sentence) <= 160 else sentence[:157] + "..."
    return phrase


def _trigger_reasons(pattern: Pattern, ctx: _Context, projection: Projection) -> list[str] | None:
    """Why the pattern fires at this stage's start, or None when it does not."""
    trig = ctx.profile.scale_factor >= pattern.triggers.min_scale_factor
    if not trig or any(ctx.facts.has(f) for f in pattern.triggers.excluded_by_facts):
        return None
    if not all(ctx.facts.has(f) for f in pattern.triggers.requires_facts):
        return None
    reasons: list[str] = []
    hits = find_phrases(ctx.user_text, pattern.triggers.keywords.en, pattern.triggers.keywords.ko)
    if hits:
        reasons.append(f'You wrote: "{_quote(ctx.user_text, hits[0])}"')
    binding = projection.expected.binding()
    if binding in pattern.triggers.binding_tiers:
        users = ctx.baseline.users_at(projection.expected.tier_rps(binding))
        reasons.append(
            f"The capacity model has the {TIER_LABELS[binding]} binding first, at about {compact(users)} users."
        )
    if pattern.triggers.when_target_unmet:
        reached = ctx.baseline.users_at(projection.expected.system_rps())
        if reached < ctx.profile.target_users:
            reasons.append(
                f"Before this stage the plan reaches about {compact(reached)} of the "
                f"{compact(ctx.profile.target_users)} users you aim for."
            )
    if pattern.triggers.always:
        reasons.append("")
    return reasons or None


def _score(gain_capped: float, pattern: Pattern, one_off_usd: float, monthly_usd: float) -> float:
    benefit = 10 * math.log2(max(gain_capped, 1.0)) + pattern.resilience
    cost = pattern.effort.person_days.mid + (one_off_usd + 12 * monthly_usd) / money.PERSON_DAY_USD
    return benefit / max(cost, 0.5)


def _usd(value: Range) -> float:
    return value.mid


def _evaluate(
    pattern: Pattern, projection: Projection, ctx: _Context, budget_left: float | None, sizing_rps: float
) -> _Evaluation | None:
    """Apply the pattern to the projection; None when it would add nothing (already big enough)."""
    base = ctx.baseline
    after = projection
    for effect in pattern.effects:
        after = after.map(lambda st, sc, e=effect: st.with_demand(e.tier, pick(e.demand_factor, sc)))
    one_off = money.range_from_usd(pattern.cost.one_off_usd, ctx.currency)
    monthly = money.range_from_usd(pattern.cost.monthly_usd, ctx.currency)
    notes: list[str] = []
    units = units_from = None
    budget_limited = False
    impact = Impact(
        metric=pattern.impact.metric, change_pct=pattern.impact.change_pct, confidence=pattern.impact.confidence
    )
    if pattern.scaling is not None:
        scaling = pattern.scaling
        expected = after.expected
        sigma, kappa = scaling.sigma.mid, scaling.kappa.mid
        if scaling.tier == "cells":
            units_from = expected.cells
            per_unit = expected.system_rps() / expected.cell_factor()
            before_capacity = [projection.get(s).system_rps() for s in ("conservative", "optimistic")]
        else:
            tier = expected.tiers[scaling.tier]
            units_from = tier.units
            per_unit = tier.per_unit_rps * expected.cell_factor()
            before_capacity = [projection.get(s).tier_rps(scaling.tier) for s in ("conservative", "optimistic")]
        ceiling = usl_peak(sigma, kappa, scaling.max_units)
        lowest = max(scaling.min_units, units_from)
        current = expected.system_rps() if scaling.tier == "cells" else expected.tier_rps(scaling.tier)
        if ceiling <= units_from or current >= sizing_rps:
            return None  # already as large as it may usefully be
        needed = units_for(sizing_rps, per_unit, sigma, kappa, lowest, ceiling)
        if needed is None:
            units = ceiling
            reach = base.users_at(per_unit * usl(ceiling, sigma, kappa))
            limit = "the catalogue's limit" if ceiling == scaling.max_units else "the USL peak"
            notes.append(f"Even {units} units (at {limit}) reach only about {compact(reach)} users on this tier.")
        else:
            units = needed
        unit_cost = money.range_from_usd(scaling.unit_cost_monthly_usd, ctx.currency)
        if budget_left is not None and units > units_from:
            spare = budget_left - monthly.mid
            affordable = units_from + max(0, math.floor(spare / unit_cost.mid)) if unit_cost.mid > 0 else units
            if affordable < units:
                if affordable <= units_from:
                    units = units_from + 1  # priced at the smallest useful step, then held back below
                else:
                    notes.append(f"The budget allows {affordable} of the {units} units this needs.")
                    units = affordable
                    budget_limited = True
        if units <= units_from:
            return None
        added = units - units_from

        def apply(st, sc, scaling=scaling, units=units):  # type: ignore[no-untyped-def]
            if scaling.tier == "cells":
                return st.with_cells(units, pick(scaling.sigma, sc), pick(scaling.kappa, sc))
            return st.with_units(scaling.tier, units, pick(scaling.sigma, sc), pick(scaling.kappa, sc))

        after = after.map(apply)
        monthly = Range(low=monthly.low + added * unit_cost.low, high=monthly.high + added * unit_cost.high)
        if scaling.tier == "cells":
            after_capacity = [after.get(s).system_rps() for s in ("conservative", "optimistic")]
            metric = "system capacity"
        else:
            after_capacity = [after.get(s).tier_rps(scaling.tier) for s in ("conservative", "optimistic")]
            metric = f"{TIER_LABELS[scaling.tier]} capacity"
        changes = sorted(round((a / b - 1) * 100) for a, b in zip(after_capacity, before_capacity, strict=True))
        impact = Impact(
            metric=metric, change_pct=Range(low=changes[0], high=changes[1]), confidence=pattern.impact.confidence
        )
    before_rps = projection.expected.system_rps()
    after_rps = after.expected.system_rps()
    gain = after_rps / before_rps
    capped = min(after_rps, base.required_rps) / min(before_rps, base.required_rps)
    rate = money.UNITS_PER_USD[ctx.currency]
    score = _score(capped, pattern, one_off.mid / rate, monthly.mid / rate)
    evaluation = _Evaluation(
        pattern, after, gain, score, one_off, monthly, units, units_from, impact, notes, budget_limited=budget_limited
    )
    if budget_left is not None and monthly.mid > budget_left:
        evaluation.deferred = (
            f"Over budget: adds about {fmt_money(monthly.mid, ctx.currency)} a month and "
            f"{fmt_money(max(budget_left, 0), ctx.currency)} of the monthly budget is left."
        )
    return evaluation


def _closure(
    selected: dict[str, list[str]], stage: int, ctx: _Context, catalogue: Catalogue, placed: dict[str, _Placed]
) -> dict[str, list[str]]:
    """Pull in unmet prerequisites; drop a pattern whose prerequisite cannot be done here."""
    result = dict(selected)
    changed = True
    while changed:
        changed = False
        for pattern_id in list(result):
            for dep_id in catalogue.get(pattern_id).requires:
                dep = catalogue.get(dep_id)
                if dep_id in placed or dep_id in result:
                    continue
                if any(ctx.facts.has(f) for f in dep.triggers.excluded_by_facts):
                    continue  # the team already has it
                if all(ctx.facts.has(f) for f in dep.triggers.requires_facts):
                    result[dep_id] = [_PREREQUISITE]
                else:
                    del result[pattern_id]
                changed = True
                break
            if changed:
                break
    return result


def _format_fields(ctx: _Context, pattern: Pattern, evaluation: _Evaluation) -> dict[str, str]:
    tiers = pattern.tiers or [ctx.baseline.binding_now]
    return {
        "tier_label": TIER_LABELS[tiers[0]],
        "units": str(evaluation.units if evaluation.units is not None else ""),
        "units_from": str(evaluation.units_from if evaluation.units_from is not None else ""),
        "current_users": compact(ctx.profile.current_users),
        "target_users": compact(ctx.profile.target_users),
    }


def _stage_items(
    stage: int, ctx: _Context, catalogue: Catalogue, projection: Projection, placed: dict[str, _Placed], spent: float
) -> tuple[list[_Placed], Projection, float]:
    selected: dict[str, list[str]] = {}
    for pattern in catalogue.patterns:
        if pattern.stage == stage and pattern.id not in placed:
            reasons = _trigger_reasons(pattern, ctx, projection)
            if reasons is not None:
                selected[pattern.id] = [r for r in reasons if r]
    selected = _closure(selected, stage, ctx, catalogue, placed)
    if not selected:  # never an empty stage: the stage's baseline patterns always apply
        selected = {p.id: [] for p in catalogue.patterns if p.stage == stage and p.triggers.always}
    order = {p.id: i for i, p in enumerate(catalogue.patterns)}
    items: list[_Placed] = []
    pending = sorted(selected, key=order.__getitem__)
    while pending:
        ready = [pid for pid in pending if all(d in placed or d not in pending for d in catalogue.get(pid).requires)]
        budget_left = None if ctx.budget is None else ctx.budget - spent
        best: _Evaluation | None = None
        for pid in ready:
            pattern = catalogue.get(pid)
            blocked = [placed[d] for d in pattern.requires if d in placed and placed[d].evaluation.deferred]
            evaluation = _evaluate(pattern, projection, ctx, budget_left, ctx.sizing_rps[stage - 1])
            if evaluation is None:
                continue
            if blocked:
                evaluation.deferred = f"Waits for {', '.join(b.item_id for b in blocked)}, which is held back."
            if best is None or (evaluation.deferred is None, evaluation.score) > (best.deferred is None, best.score):
                best = evaluation
        if best is None:
            break  # what is left would add nothing
        pid = best.pattern.id
        pending.remove(pid)
        item_id = f"{stage}.{len(items) + 1}"
        entry = _Placed(item_id, best, selected[pid])
        placed[pid] = entry
        items.append(entry)
        if best.deferred is None:
            projection = best.after
            spent += best.monthly.mid
    return items, projection, spent


def _needed_by(pattern_id: str, placed: dict[str, _Placed]) -> str:
    users = [p.item_id for p in placed.values() if pattern_id in p.evaluation.pattern.requires]
    return f"Needed first by item {', '.join(users)}." if users else ""


def _item(entry: _Placed, ctx: _Context, placed: dict[str, _Placed]) -> RoadmapItem:
    ev = entry.evaluation
    pattern = ev.pattern
    fields = _format_fields(ctx, pattern, ev)
    reasons = [_needed_by(pattern.id, placed) if reason == _PREREQUISITE else reason for reason in entry.reasons]
    why = " ".join([pattern.why.format(**fields), *reasons, *ev.notes])
    if ev.deferred:
        why += f" {ev.deferred}"
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
    tiers = list(TIERS) if pattern.scaling and pattern.scaling.tier == "cells" else pattern.tiers
    return RoadmapItem(
        id=entry.item_id,
        pattern_id=pattern.id,
        title=pattern.title.format(**fields)[:150],
        why=why[:1500],
        steps=[s.format(**fields) for s in pattern.steps],
        impact=ev.impact,
        capacity_gain=round(ev.gain, 2),
        tiers=tiers,
        difficulty=pattern.difficulty,
        effort=Effort(person_days=pattern.effort.person_days, weeks=pattern.effort.weeks),
        cost=Cost(currency=ctx.currency, one_off=ev.one_off, monthly=ev.monthly),
        score=round(ev.score, 3),
        depends_on=[placed[d].item_id for d in pattern.requires if d in placed],
        verify=[v.format(**fields) for v in pattern.verify],
        deferred=ev.deferred,
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


def _monthly_total(entries: Iterable[_Placed]) -> Range:
    kept = [e.evaluation.monthly for e in entries if e.evaluation.deferred is None]
    return Range(low=sum(r.low for r in kept), high=sum(r.high for r in kept))


def _plan(
    ctx: _Context, catalogue: Catalogue
) -> tuple[list[tuple[int, list[_Placed], Projection]], dict[str, _Placed]]:
    base = ctx.baseline
    projection = Projection(base.state, base.state, base.state)
    placed: dict[str, _Placed] = {}
    spent = 0.0
    per_stage: list[tuple[int, list[_Placed], Projection]] = []
    for number in (1, 2, 3):
        entries, projection, spent = _stage_items(number, ctx, catalogue, projection, placed, spent)
        per_stage.append((number, entries, projection))
    return per_stage, placed


def generate_rules_roadmap(profile: SystemProfile, catalogue: Catalogue | None = None) -> Roadmap:
    catalogue = catalogue or load_catalogue()
    ctx = _context(profile)
    base = ctx.baseline
    # First pass without a budget: what each stage can carry at best. No tier is then sized
    # beyond what the others deliver by that stage (replicas for 1M users are waste while the
    # app tier tops out at 300k).
    unconstrained, _ = _plan(replace(ctx, budget=None), catalogue)
    ceilings = tuple(min(base.required_rps, p.expected.system_rps()) for _, _, p in unconstrained)
    ctx = replace(ctx, sizing_rps=ceilings)
    per_stage, placed = _plan(ctx, catalogue)
    zero = Range(low=0, high=0)
    capacity_now = base.point("now", Projection(base.state, base.state, base.state), zero)
    stages: list[Stage] = []
    running = zero
    for number, entries, stage_projection in per_stage:
        items = [_item(e, ctx, placed) for e in entries]
        for item in items:
            if item.deferred is None:
                running = Range(low=running.low + item.cost.monthly.low, high=running.high + item.cost.monthly.high)
        stages.append(
            Stage(
                number=number,  # type: ignore[arg-type]
                name=STAGE_NAMES[number],
                horizon=STAGE_HORIZONS[number],
                items=items,
                capacity_after=base.point(f"after stage {number}", stage_projection, running),
            )
        )
    held = [i for s in stages for i in s.items if i.deferred or placed[i.pattern_id or ""].evaluation.budget_limited]
    free_monthly = _monthly_total(e for _, entries, _ in unconstrained for e in entries)
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
    return Roadmap(engine=ENGINE_NAME, system_name=profile.system_name, summary=summary, stages=stages)
