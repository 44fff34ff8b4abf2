"""A planned choice written as a roadmap item: its title, why (quoting the user), steps, impact, cost and sources."""

from __future__ import annotations

from bot.roadmap.capacity import MEASURE_TO_REPLACE
from bot.roadmap.numbers import compact
from bot.roadmap.planning.choice import Choice
from bot.roadmap.planning.effects import RESIZE_EFFORT, resize_text
from bot.roadmap.rounding import sig2
from bot.roadmap.rules.context import (
    Context,
)
from bot.roadmap.schema import (
    TIER_LABELS,
    Cost,
    Difficulty,
    Effort,
    Impact,
    RoadmapItem,
)

CAPACITY_SOURCE = (
    "capacity: the operational laws (Denning and Buzen, 'The Operational Analysis of Queueing Network Models', "
    "1978) and the Universal Scalability Law (Gunther, 'Guerrilla Capacity Planning', 2007)"
)
PER_SERVER = (
    "Its cost is for one more server per step of today's fleet, whose size you did not give: multiply it by your "
    "server count."
)


def _format_fields(ctx: Context, choice: Choice) -> dict[str, str]:
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


def build_item(choice: Choice, ctx: Context, placed: dict[str, Choice]) -> RoadmapItem:
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
