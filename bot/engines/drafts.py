"""An LLM's roadmap draft: the structured-output schema it must follow, and the checks that turn it
into a Roadmap whose figures come from our capacity model.

The draft schema is strict-mode compatible (every field required, no defaults, no extra keys);
the LLM chooses and words the items, while capacity, sizing and the verdict are recomputed here.
A draft that breaks the rules raises DraftRejected, and the caller falls back to the rules engine.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from bot.roadmap.advice.build import build_advice
from bot.roadmap.advice.model import Advice
from bot.roadmap.catalogue import Catalogue, load_catalogue
from bot.roadmap.numbers import compact, money_range, pct_range, percent
from bot.roadmap.reading.reader import extract_facts
from bot.roadmap.rules.modelled import model_selection
from bot.roadmap.schema import (
    STAGE_HORIZONS,
    STAGE_NAMES,
    TIER_LABELS,
    Confidence,
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

ENGINE_NAME = "openai"
FAR_OUTSIDE = 1.5  # an impact beyond 1.5x the catalogue's widest figure for its pattern is flagged


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DraftImpact(_Strict):
    metric: str
    change_low_pct: float
    change_high_pct: float
    confidence: Confidence


class DraftItem(_Strict):
    id: str
    pattern_id: str | None
    title: str
    why: str
    steps: list[str]
    impact: DraftImpact
    difficulty: Difficulty
    person_days_low: float
    person_days_high: float
    weeks_low: float
    weeks_high: float
    one_off_cost_low: float
    one_off_cost_high: float
    monthly_cost_low: float
    monthly_cost_high: float
    depends_on: list[str]
    verify: list[str]


class DraftStage(_Strict):
    number: int
    items: list[DraftItem]


class RoadmapDraft(_Strict):
    """What the model writes (structured output)."""

    analysis: str
    stages: list[DraftStage]
    notes: list[str]


class DraftRejected(Exception):
    """The draft cannot become a roadmap; the message says why (shown to the user with the fallback)."""


# The draft's schema keeps stage numbers plain ints (the strict JSON schema stays simple); `_check_structure`
# has made sure they are 1, 2, 3, and this reads them as the roadmap's literal stage numbers.
_STAGE_NUMBER: dict[int, Literal[1, 2, 3]] = {1: 1, 2: 2, 3: 3}


def _range(low: float, high: float) -> Range:
    return Range(low=min(low, high), high=max(low, high))


def _check_structure(draft: RoadmapDraft) -> None:
    numbers = [s.number for s in draft.stages]
    if numbers != [1, 2, 3]:
        raise DraftRejected(f"the draft has stages {numbers}, not 1, 2, 3")
    seen: set[str] = set()
    for stage in draft.stages:
        if not stage.items:
            raise DraftRejected(f"stage {stage.number} is empty")
        for item in stage.items:
            if not item.id.startswith(f"{stage.number}.") or item.id in seen:
                raise DraftRejected(f"item id {item.id!r} in stage {stage.number} is misplaced or repeated")
            unknown = [d for d in item.depends_on if d not in seen]
            if unknown:
                raise DraftRejected(f"item {item.id} depends on {', '.join(unknown)}, which does not come before it")
            seen.add(item.id)


def _impact_flag(item: DraftItem, catalogue: Catalogue, modelled: Range | None) -> str | None:
    """A note when the predicted impact is far outside what the catalogue (or the model) expects."""
    if item.pattern_id is None:
        return None
    pattern = catalogue.get(item.pattern_id)
    expected = modelled if modelled is not None else pattern.impact.change_pct
    claimed = _range(item.impact.change_low_pct, item.impact.change_high_pct)
    widest = max(abs(expected.low), abs(expected.high), 1.0)
    same_sign = (claimed.mid >= 0) == (expected.mid >= 0) or claimed.mid == 0
    if same_sign and max(abs(claimed.low), abs(claimed.high)) <= FAR_OUTSIDE * widest:
        return None
    source = "scale-review's model" if modelled is not None else "the catalogue"
    return (
        f"Item {item.id}: the predicted {item.impact.metric} {pct_range(claimed)} is far from "
        f"{pct_range(expected)} that {source} expects for this pattern; treat it with caution."
    )


def assemble(profile: SystemProfile, draft: RoadmapDraft, *, model: str, catalogue: Catalogue | None = None) -> Roadmap:
    """Check the draft and build the Roadmap: the draft's words, the model's figures."""
    try:
        return _assemble(profile, draft, model=model, catalogue=catalogue or load_catalogue())
    except ValidationError as exc:
        error = exc.errors()[0]
        where = ".".join(str(p) for p in error["loc"])
        raise DraftRejected(f"the draft breaks the roadmap rules ({where}: {error['msg']})") from exc


def _assemble(profile: SystemProfile, draft: RoadmapDraft, *, model: str, catalogue: Catalogue) -> Roadmap:
    _check_structure(draft)
    known = {p.id for p in catalogue.patterns}
    notes = [f"Written by the OpenAI engine ({model}); capacity figures recomputed by scale-review's model."]
    advice = build_advice(profile, extract_facts(profile), catalogue)
    kept, dropped = _without_contraindicated(draft, advice)
    notes += dropped
    dropped_patterns = sorted(
        {i.pattern_id for s in draft.stages for i in s.items if i.pattern_id}
        - {i.pattern_id for s in kept.stages for i in s.items if i.pattern_id}
    )
    draft = kept
    if draft.analysis.strip():
        notes.append(f"Analysis: {draft.analysis.strip()}")
    unknown_patterns = sorted({i.pattern_id for s in draft.stages for i in s.items if i.pattern_id} - known)
    if unknown_patterns:
        notes.append(f"Not in the catalogue, so not modelled: {', '.join(unknown_patterns)}.")

    def pattern_of(item: DraftItem) -> str | None:
        return item.pattern_id if item.pattern_id in known else None

    monthly = {i.id: _range(i.monthly_cost_low, i.monthly_cost_high) for s in draft.stages for i in s.items}
    selection = model_selection(
        profile, [[(i.id, pattern_of(i)) for i in s.items] for s in draft.stages], monthly, catalogue
    )
    currency = selection.currency
    stages: list[Stage] = []
    for stage, point in zip(draft.stages, selection.after, strict=True):
        items: list[RoadmapItem] = []
        for item in stage.items:
            modelled = selection.items.get(item.id)
            flag = _impact_flag(
                item.model_copy(update={"pattern_id": pattern_of(item)}),
                catalogue,
                modelled.impact_change if modelled is not None else None,
            )
            why = item.why.strip()
            cost_monthly = monthly[item.id]
            if modelled is not None and modelled.units is not None and modelled.monthly is not None:
                sizing = (
                    f"scale-review's model sizes this at {modelled.units} {modelled.units_label} "
                    f"(from {modelled.units_from}), about {money_range(modelled.monthly, currency)} a month."
                )
                if len(why) + len(sizing) < 1500:
                    why = f"{why} {sizing}"
                else:
                    notes.append(f"Item {item.id}: {sizing}")
                cost_monthly = modelled.monthly
            if flag:
                notes.append(flag)
            pattern = catalogue.get(item.pattern_id) if item.pattern_id and pattern_of(item) else None
            items.append(
                RoadmapItem(
                    id=item.id,
                    pattern_id=pattern_of(item),
                    title=item.title.strip(),
                    why=why,
                    steps=[x.strip() for x in item.steps],
                    impact=Impact(
                        metric=item.impact.metric.strip(),
                        change_pct=_range(item.impact.change_low_pct, item.impact.change_high_pct),
                        confidence=item.impact.confidence,
                    ),
                    capacity_gain=modelled.capacity_gain if modelled else 1.0,
                    tiers=pattern.tiers if pattern else [],
                    difficulty=item.difficulty,
                    effort=Effort(
                        person_days=_range(item.person_days_low, item.person_days_high),
                        weeks=_range(item.weeks_low, item.weeks_high),
                    ),
                    cost=Cost(
                        currency=currency,
                        one_off=_range(item.one_off_cost_low, item.one_off_cost_high),
                        monthly=cost_monthly,
                    ),
                    score=0.0,
                    depends_on=item.depends_on,
                    verify=[x.strip() for x in item.verify],
                    sources=[f"OpenAI engine ({model})"]
                    + ([f"catalogue pattern: {pattern.id}", f"impact: {pattern.sources.impact}"] if pattern else []),
                )
            )
        stages.append(
            Stage(
                number=_STAGE_NUMBER[stage.number],
                name=STAGE_NAMES[stage.number],
                horizon=STAGE_HORIZONS[stage.number],
                items=items,
                capacity_after=point,
            )
        )
    notes += [n.strip() for n in draft.notes if n.strip()]
    target = profile.target_users
    reached = next((s for s in stages if s.capacity_after.meets_target), None)
    final = stages[-1].capacity_after
    total = final.monthly_cost
    if reached is not None:
        verdict = (
            f"Target reached after stage {reached.number}: about {compact(reached.capacity_after.users)} "
            f"concurrent users expected against {compact(target)} (scale-review's model)."
        )
    else:
        verdict = (
            f"Target not reached by this plan: about {compact(final.users)} concurrent users "
            f"({percent(final.users / target)} of {compact(target)}), limited by the "
            f"{TIER_LABELS[final.binding_tier]} (scale-review's model)."
        )
    cost_text = f"about {money_range(total, currency)} a month" if total.high else "no monthly cost"
    if selection.budget is None:
        budget_note = f"The plan adds {cost_text}; no budget was applied."
    else:
        budget_text = money_range(Range(low=selection.budget, high=selection.budget), currency)
        budget_note = f"Budget {budget_text} a month: the plan adds {cost_text}."
        if total.mid > selection.budget:
            budget_note += " That is over budget at mid-range; the engine did not hold anything back."
            notes.append("The plan's monthly cost is over the budget (mid-range).")
    summary = Summary(
        headline=(f"{profile.system_name}: {compact(profile.current_users)} → {compact(target)} concurrent users")[
            :150
        ],
        current_users=profile.current_users,
        target_users=target,
        scale_factor=round(profile.scale_factor, 2),
        capacity_now=selection.capacity_now,
        binding_bottleneck=selection.binding_bottleneck,
        target_reachable=reached is not None,
        verdict=verdict,
        budget_note=budget_note,
        assumptions=selection.assumptions,
    )
    report = advice.report([i for s in stages for i in s.items], catalogue, dropped=dropped_patterns)
    return Roadmap(
        engine=ENGINE_NAME, system_name=profile.system_name, summary=summary, stages=stages, notes=notes, **report
    )


def _without_contraindicated(draft: RoadmapDraft, advice: Advice) -> tuple[RoadmapDraft, list[str]]:
    """The draft minus items whose pattern is contraindicated here, with a note per dropped item saying why."""
    notes: list[str] = []
    gone: set[str] = set()
    stages = []
    for stage in draft.stages:
        kept = []
        for item in stage.items:
            reason = advice.blocked_reason(item.pattern_id) if item.pattern_id else None
            if reason is None:
                kept.append(item)
            else:
                gone.add(item.id)
                notes.append(f"Dropped the model's item {item.id} ({item.title.strip()}): {reason}")
        if not kept:
            raise DraftRejected(f"every item of stage {stage.number} is contraindicated for this system")
        stages.append(stage.model_copy(update={"items": kept}))
    if not gone:
        return draft, notes
    stages = [
        s.model_copy(
            update={
                "items": [
                    i.model_copy(update={"depends_on": [d for d in i.depends_on if d not in gone]}) for i in s.items
                ]
            }
        )
        for s in stages
    ]
    return draft.model_copy(update={"stages": stages}), notes
