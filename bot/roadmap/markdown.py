"""The roadmap as a Markdown guide a team can read top to bottom (CLI output, docs, LLM context)."""

from __future__ import annotations

from bot.roadmap.numbers import compact, days_range, money_range, pct_range
from bot.roadmap.schema import TIER_LABELS, CapacityPoint, Roadmap, RoadmapItem


def _capacity_line(point: CapacityPoint, target: int) -> str:
    mark = "meets the target" if point.meets_target else f"{point.users / target:.0%} of target"
    tiers = ", ".join(f"{TIER_LABELS[t]} {compact(users)}" for t, users in point.tier_users.items())
    return f"**{compact(point.users)} users** ({mark}); limit: {TIER_LABELS[point.binding_tier]}. Per tier: {tiers}."


def render_item(item: RoadmapItem) -> list[str]:
    lines = [f"#### {item.id} {item.title}"]
    if item.deferred:
        lines.append(f"> **Held back:** {item.deferred}")
    lines += [
        "",
        item.why,
        "",
        f"- **Predicted impact:** {item.impact.metric} {pct_range(item.impact.change_pct)} "
        f"(confidence {item.impact.confidence.value})"
        + (f". {item.model_effect}" if item.model_effect else "" if item.tiers else "; no capacity effect"),
        f"- **Difficulty / time:** {item.difficulty.value}, {days_range(item.effort.person_days, 'person-days')}, "
        f"{days_range(item.effort.weeks, 'weeks')}",
        f"- **Cost:** one-off {money_range(item.cost.one_off, item.cost.currency)}, "
        f"monthly {money_range(item.cost.monthly, item.cost.currency)}; benefit/cost score {item.score:g}",
    ]
    if item.depends_on:
        lines.append(f"- **After:** {', '.join(item.depends_on)}")
    lines += ["", "Steps:", *[f"{n}. {step}" for n, step in enumerate(item.steps, 1)], "", "Verify:"]
    lines += [f"- {check}" for check in item.verify]
    lines += ["", "<details><summary>Sources</summary>", "", *[f"- {s}" for s in item.sources], "", "</details>", ""]
    return lines


def render_markdown(roadmap: Roadmap) -> str:
    summary = roadmap.summary
    lines = [
        f"# Scale review: {roadmap.system_name}",
        "",
        f"**{summary.headline}** (×{summary.scale_factor:g}) — engine: {roadmap.engine}",
        "",
        summary.verdict,
        "",
        f"- **Binding bottleneck:** {summary.binding_bottleneck}",
        f"- **Capacity now:** {_capacity_line(summary.capacity_now, summary.target_users)}",
    ]
    for stage in roadmap.stages:
        lines.append(f"- **After stage {stage.number}:** {_capacity_line(stage.capacity_after, summary.target_users)}")
    lines += ["", f"**Budget:** {summary.budget_note}", ""]
    for note in roadmap.notes:
        lines.append(f"> {note}")
    if roadmap.notes:
        lines.append("")
    lines += render_reading(roadmap)
    for stage in roadmap.stages:
        lines += [f"## Stage {stage.number}: {stage.name} ({stage.horizon})", ""]
        for item in stage.items:
            lines += render_item(item)
    lines += render_not_recommended(roadmap)
    lines += ["## Assumptions", "", *[f"- {a}" for a in summary.assumptions], ""]
    return "\n".join(lines)


_SEVERITY_LABELS = {
    "correctness": "correctness risk",
    "data-loss": "data-loss risk",
    "availability": "availability",
    "capacity": "capacity",
    "latency": "latency",
    "cost": "cost",
}


def render_reading(roadmap: Roadmap) -> list[str]:
    """What kind of system the engine thinks this is, and each named problem with the item that answers it."""
    lines = ["## What kind of system this is", ""]
    for kind in roadmap.workload:
        said = ", ".join(f'"{e}"' for e in kind.evidence)
        lines.append(f"- **{kind.label}**" + (f" - you wrote {said}" if said else ""))
    if not roadmap.workload:
        lines.append("- No particular workload kind stood out in your answers; the levers follow the capacity model.")
    lines.append("")
    if roadmap.problems:
        lines += ["## The problems you named, worst first", ""]
        items_by_id = {i.id: i for i in roadmap.items()}
        for answer in roadmap.problems:
            head = f'- *{_SEVERITY_LABELS[answer.severity]}* - you said "{answer.said}"'
            if answer.item_ids:
                items = "; ".join(_item_ref(items_by_id[i]) for i in answer.item_ids)
                lines.append(f"{head} -> {items}")
            else:
                lines.append(f"{head} -> no item: {answer.note}")
        lines.append("")
    return lines


def _item_ref(item: RoadmapItem) -> str:
    held = " - held back, see the item" if item.deferred else ""
    return f"item {item.id} ({item.title}{held})"


def render_not_recommended(roadmap: Roadmap) -> list[str]:
    """The levers considered and left out, each with its reason."""
    lines = ["## Not recommended for this system", ""]
    lines += [f"- **{r.title}** - {r.reason}" for r in roadmap.not_recommended]
    if not roadmap.not_recommended:
        lines.append("- Nothing the engine considered was ruled out for this system.")
    return [*lines, ""]
