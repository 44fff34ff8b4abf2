"""The roadmap as a Markdown guide a team can read top to bottom (CLI output, docs, LLM context)."""

from __future__ import annotations

import re

from bot.roadmap.catalogue import load_catalogue
from bot.roadmap.localize import IN_PLACE_KO, load_korean
from bot.roadmap.numbers import compact, days_range, money_range, pct_range
from bot.roadmap.schema import TIER_LABELS, CapacityPoint, Roadmap, RoadmapItem
from bot.roadmap.workload import KIND_LABELS_KO


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
_SEVERITY_LABELS_KO = {
    "correctness": "정합성 위험",
    "data-loss": "데이터 유실 위험",
    "availability": "가용성",
    "capacity": "용량",
    "latency": "지연",
    "cost": "비용",
}
# The reading's own words, by language (the items' texts are localised by the engine).
_READING_WORDS = {
    "en": {
        "kind": "## What kind of system this is",
        "wrote": "you wrote",
        "none": "- No particular workload kind stood out in your answers; the levers follow the capacity model.",
        "problems": "## The problems you named, worst first",
        "said": "you said",
        "item": "item",
        "held": "held back, see the item",
        "no_item": "no item",
        "rejected": "## Not recommended for this system",
        "nothing": "- Nothing the engine considered was ruled out for this system.",
    },
    "ko": {
        "kind": "## 어떤 시스템으로 읽었는지",
        "wrote": "적어 주신 말",
        "none": "- 답변에서 두드러지는 워크로드 유형이 없어, 용량 모델을 따라 레버를 골랐습니다.",
        "problems": "## 말씀하신 문제 (심각한 것부터)",
        "said": "말씀하신 내용",
        "item": "항목",
        "held": "보류됨, 항목 참고",
        "no_item": "해당 항목 없음",
        "rejected": "## 이 시스템에 권하지 않는 것",
        "nothing": "- 검토한 레버 중 이 시스템에서 제외한 것은 없습니다.",
    },
}


def _words(roadmap: Roadmap) -> dict[str, str]:
    return _READING_WORDS.get(getattr(roadmap, "language", "en"), _READING_WORDS["en"])


def render_reading(roadmap: Roadmap) -> list[str]:
    """What kind of system the engine thinks this is, and each named problem with the item that answers it."""
    words = _words(roadmap)
    korean = words is _READING_WORDS["ko"]
    lines = [words["kind"], ""]
    for kind in roadmap.workload:
        said = ", ".join(f'"{e}"' for e in kind.evidence)
        label = KIND_LABELS_KO.get(kind.id, kind.label) if korean else kind.label
        lines.append(f"- **{label}**" + (f" - {words['wrote']} {said}" if said else ""))
    if not roadmap.workload:
        lines.append(words["none"])
    lines.append("")
    if roadmap.problems:
        lines += [words["problems"], ""]
        items_by_id = {i.id: i for i in roadmap.items()}
        severities = _SEVERITY_LABELS_KO if korean else _SEVERITY_LABELS
        for answer in roadmap.problems:
            head = f'- *{severities[answer.severity]}* - {words["said"]} "{answer.said}"'
            if answer.item_ids:
                items = "; ".join(_item_ref(items_by_id[i], words) for i in answer.item_ids)
                lines.append(f"{head} -> {items}")
            else:
                lines.append(f"{head} -> {words['no_item']}: {answer.note}")
        lines.append("")
    return lines


def _item_ref(item: RoadmapItem, words: dict[str, str]) -> str:
    held = f" - {words['held']}" if item.deferred else ""
    return f"{words['item']} {item.id} ({item.title}{held})"


def render_not_recommended(roadmap: Roadmap) -> list[str]:
    """The levers considered and left out, each with its reason."""
    words = _words(roadmap)
    lines = [words["rejected"], ""]
    lines += [
        f"- **{_rejected_title(r.pattern_id, r.title, words)}** - {_rejected_reason(r.pattern_id, r.reason, words)}"
        for r in roadmap.not_recommended
    ]
    if not roadmap.not_recommended:
        lines.append(words["nothing"])
    return [*lines, ""]


def _rejected_title(pattern_id: str, title: str, words: dict[str, str]) -> str:
    """The pattern's Korean title in a Korean roadmap (its reason stays as the catalogue writes it)."""
    if words is not _READING_WORDS["ko"]:
        return title
    korean = load_korean().patterns.get(pattern_id)
    if korean is None:
        return title
    return korean.title.replace("{units}", "N").replace("{units_from}", "M").replace("{tier_label}", "가장 바쁜 계층")


_IN_PLACE = re.compile(r"^You already run (.+); the plan builds on it\.$")


def _rejected_reason(pattern_id: str, reason: str, words: dict[str, str]) -> str:
    """The catalogue's Korean reason (or the Korean 'you already run it') in a Korean roadmap."""
    if words is not _READING_WORDS["ko"]:
        return reason
    present = _IN_PLACE.match(reason)
    if present:
        what = present.group(1)
        if what.startswith("stateless app containers"):
            what = "무상태 앱 컨테이너"
        elif what.endswith("app servers behind a load balancer"):
            what = f"로드밸런서 뒤의 앱 서버 {what.split()[0]}대"
        return f"이미 운영 중입니다({IN_PLACE_KO.get(what, what)}). 계획은 그 위에서 시작합니다."
    pattern = next((p for p in load_catalogue().patterns if p.id == pattern_id), None)
    found = next((c for c in pattern.contraindications if c.reason == reason), None) if pattern else None
    return found.reason_ko if found is not None and found.reason_ko else reason
