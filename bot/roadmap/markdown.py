"""The roadmap as a Markdown guide a team can read top to bottom (CLI output, docs, LLM context).

Compact by default: each item says why, what it gains, what it takes and how to tell it worked, and points at
the roadmap's one Sources list by number; `details` adds every step and check, the model's effect and the basis
of each estimate (`scale-review review --details`). Every word is in the roadmap's language (bot/i18n.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from bot.i18n import N_, Language, t, tn
from bot.roadmap import wording
from bot.roadmap.catalogue import load_catalogue
from bot.roadmap.korean.catalogue import load_korean
from bot.roadmap.korean.sentences import restates_the_head
from bot.roadmap.korean.words import IN_PLACE_KO
from bot.roadmap.schema import CapacityPoint, Roadmap, RoadmapItem
from bot.roadmap.sources import SourceList
from bot.roadmap.sources import source_text as source_text  # where the Slack blocks take it from
from bot.roadmap.workload.kinds import KIND_LABELS_KO

BRIEF_WHY = 160  # characters of the catalogue's general reason for a lever in the compact roadmap
# Labels the renderer puts inside f-strings (where the extractor cannot see a t() call), marked for the catalogue.
LABELS = (
    N_("Sources"),
    N_("Held back"),
    N_("Predicted impact"),
    N_("Difficulty / time"),
    N_("Cost"),
    N_("After"),
    N_("Steps"),
    N_("Verify"),
    N_("Binding bottleneck"),
    N_("Capacity now"),
    N_("Budget"),
    N_("Assumptions"),
    N_("What kind of system this is"),
    N_("The problems you named, worst first"),
    N_("no item"),
    N_("Not recommended for this system"),
)
_ORIGIN = re.compile(r"^\[([a-z ]+)\] (.+)$", re.DOTALL)
SEVERITIES = {
    "correctness": N_("correctness risk"),
    "data-loss": N_("data-loss risk"),
    "availability": N_("availability"),
    "capacity": N_("capacity"),
    "latency": N_("latency"),
    "cost": N_("cost"),
}


def _share(point: CapacityPoint, target: int, lang: Language) -> str:
    if point.meets_target:
        return t(lang, "meets the target")
    return t(lang, "{share} of target", share=f"{point.users / target:.0%}") if target else t(lang, "target unknown")


def _capacity_line(point: CapacityPoint, target: int, lang: Language, details: bool) -> str:
    line = t(
        lang,
        "**{users}** ({share}); limit: {tier}.",
        users=wording.users(point.users, lang),
        share=_share(point, target, lang),
        tier=wording.tier_name(point.binding_tier, lang),
    )
    if not details:
        return line
    tiers = ", ".join(
        f"{wording.tier_name(tier, lang)} {wording.count(n, lang)}" for tier, n in point.tier_users.items()
    )
    return f"{line} " + t(lang, "Per tier: {tiers}.", tiers=tiers)


def _price(item: RoadmapItem, lang: Language) -> str:
    cost = item.cost
    once = wording.money(cost.one_off, cost.currency, lang)
    monthly = wording.money(cost.monthly, cost.currency, lang)
    if cost.one_off.high == 0 and cost.monthly.high == 0:
        return t(lang, "no added cost")
    if cost.one_off.high == 0:
        return t(lang, "{monthly} a month", monthly=monthly)
    if cost.monthly.high == 0:
        return t(lang, "{once} once", once=once)
    return t(lang, "{once} once, {monthly} a month", once=once, monthly=monthly)


def _numbers(cited: Sequence[int]) -> str:
    return "[" + ", ".join(map(str, cited)) + "]"


def sentences(text: str) -> list[str]:
    """`text` split after each sentence's end, never inside a quote (the team's words may hold full stops)."""
    found: list[str] = []
    start, closing = 0, ""
    for i, char in enumerate(text):
        ends = i + 1 == len(text) or text[i + 1] == " "
        if closing:
            if char == closing:
                closing = ""
                # 'You wrote: "It falls over."' ends with the quote, as 'You wrote: "drops" This reads...' does
                following = text[i + 2 : i + 3]
                if ends and (text[i - 1] in ".!?" or following.isupper() or "\uac00" <= following <= "\ud7a3"):
                    found.append(text[start : i + 1].strip())
                    start = i + 1
        elif char in '"“':
            closing = '"' if char == '"' else "”"
        elif char in ".!?" and ends and not text[i + 2 : i + 3].islower():  # "at 3 a.m. the" goes on
            found.append(text[start : i + 1].strip())
            start = i + 1
    rest = text[start:].strip()
    return [*found, rest] if rest else found


def unrepeated_notes(notes: Sequence[str]) -> list[str]:
    """The notes without a sentence or "; " clause an earlier note said (the team-time note per stage ends the
    same way each time); a surface listing the notes compactly (the Slack summary) can use it as the Markdown does."""
    said: set[str] = set()
    kept: list[str] = []
    for note in notes:
        parts: list[str] = []
        for sentence in sentences(note):
            clauses = [c for c in sentence.split("; ") if len(c) < 30 or c not in said]
            said.update(sentence.split("; "))
            if clauses:
                parts.append("; ".join(clauses).rstrip(";,") if clauses[-1][-1:] in ".!?" else "; ".join(clauses) + ".")
        if parts:
            kept.append(" ".join(parts))
    return kept


def _quotes_named_problem(sentence: str, named: Sequence[str]) -> bool:
    """'You wrote: "<a named problem>"': the problems list above already ties that quote to this item."""
    return any(f'"{quote}"' in sentence and len(sentence) - len(quote) < 40 for quote in named)


def _why(item: RoadmapItem, said: dict[str, str], named: Sequence[str], details: bool) -> str:
    """The item's reason without what the held-back line says; compact, without a sentence an earlier item said,
    the team's own words about a problem the problems list already answers with this item, nor a reason that
    restates the head (the capacity picture, the kind of system read)."""
    why = item.why
    if item.deferred and why.endswith(item.deferred):
        why = why.removesuffix(item.deferred).rstrip()
    if details:
        return why
    kept = [s for s in _brief(item, sentences(why)) if s not in said]
    said.update(dict.fromkeys(kept, item.id))
    kept = [s for s in kept if not _quotes_named_problem(s, named) and not restates_the_head(s)]
    return " ".join(kept)


def _opening(item: RoadmapItem) -> str | None:
    """The catalogue's reason for the item's lever, in the item's language (None for a re-sized fleet)."""
    pattern = next((p for p in load_catalogue().patterns if p.id == item.pattern_id), None)
    korean = load_korean().patterns.get(item.pattern_id or "")
    first = sentences(item.why)[:1]
    for template in (pattern.why if pattern else None, korean.why if korean else None):
        if template and first and _template(sentences(template)[0]).fullmatch(first[0]):
            return template
    return None


def _template(text: str) -> re.Pattern[str]:
    """A regex matching `text` with its fill-ins ({tier_label}, {units}) given any value."""
    return re.compile(".*?".join(re.escape(part) for part in re.split(r"\{\w+\}", text)), re.DOTALL)


def _brief(item: RoadmapItem, said: list[str]) -> list[str]:
    """The reason's sentences with the catalogue's general reason cut to its first sentences (BRIEF_WHY characters;
    the whole of it with `details`); what is said of this team (its words, the budget, the order) is kept."""
    opening = _opening(item)
    if opening is None:
        return said
    general = len(sentences(opening))
    kept = said[:1]
    for sentence in said[1:general]:
        if len(" ".join([*kept, sentence])) > BRIEF_WHY:
            break
        kept.append(sentence)
    return kept + said[general:]


def render_item(
    item: RoadmapItem,
    lang: Language,
    sources: SourceList,
    said: dict[str, str] | None = None,
    named: Sequence[str] = (),
    *,
    details: bool = False,
) -> list[str]:
    """One item: compact (reason, gain, effort and cost) or with `details` (every step and check, the model's
    effect); `said` holds what earlier items said (and where), so compact never says it twice."""
    said = said if said is not None else {}
    lines = [f"#### {item.id} {item.title}"]
    if item.deferred:
        held = item.deferred
        if not details and held in said:
            held = t(lang, "for the same reason as {id}.", id=said[held])
        said.setdefault(item.deferred, item.id)
        lines.append(f"> **{t(lang, 'Held back')}:** {held}")
    why = _why(item, said, named, details)
    lines += ["", why, ""] if why else [""]
    cited = sources.cite(item)
    change = f"{item.impact.metric} {wording.percent_range(item.impact.change_pct, lang)}"
    if not details:
        facts = [change]
        if item.capacity_gain != 1:
            facts.append(t(lang, "capacity ×{gain}", gain=f"{item.capacity_gain:g}"))
        facts += [wording.person_days(item.effort.person_days, lang), _price(item, lang)]
        if item.depends_on:
            facts.append(t(lang, "after {ids}", ids=", ".join(item.depends_on)))
        line = " · ".join(facts) + (f" {_numbers(cited)}" if cited else "")  # the Sources list's numbers
        lines += [f"- {line}", ""]
        return lines
    effect = (
        f" {item.model_effect}" if item.model_effect else "" if item.tiers else " " + t(lang, "No capacity effect.")
    )
    lines += [
        f"- **{t(lang, 'Predicted impact')}:** "
        + t(
            lang,
            "{change} (confidence {confidence}).",
            change=change,
            confidence=wording.level(item.impact.confidence.value, lang),
        )
        + effect,
        f"- **{t(lang, 'Difficulty / time')}:** {wording.level(item.difficulty.value, lang)}, "
        f"{wording.person_days(item.effort.person_days, lang)}, {wording.weeks(item.effort.weeks, lang)}",
        f"- **{t(lang, 'Cost')}:** "
        + t(
            lang,
            "one-off {once}, monthly {monthly}; benefit/cost score {score}",
            once=wording.money(item.cost.one_off, item.cost.currency, lang),
            monthly=wording.money(item.cost.monthly, item.cost.currency, lang),
            score=f"{item.score:g}",
        ),
    ]
    if item.depends_on:
        lines.append(f"- **{t(lang, 'After')}:** {', '.join(item.depends_on)}")
    if cited:
        lines.append(f"- **{t(lang, 'Sources')}:** {_numbers(cited)}")
    lines += ["", f"{t(lang, 'Steps')}:", *[f"{n}. {step}" for n, step in enumerate(item.steps, 1)], ""]
    lines += [f"{t(lang, 'Verify')}:", *[f"- {check}" for check in item.verify], ""]
    return lines


def assumption(text: str, lang: Language) -> str:
    """An assumption with its origin in the reader's words ("[derived] ..." -> "[추정] ...")."""
    found = _ORIGIN.match(text)
    if found is None or found.group(1) not in wording.ORIGINS:
        return text
    return f"[{wording.origin(found.group(1), lang)}] {found.group(2)}"


def render_markdown(roadmap: Roadmap, *, details: bool = False) -> str:
    """The whole roadmap: summary and capacity first, then what was read, the stages, and the one Sources list."""
    lang = roadmap.language
    summary = roadmap.summary
    target = summary.target_users
    lines = [
        "# " + t(lang, "Scale review: {name}", name=roadmap.system_name),
        "",
        f"**{summary.headline}** (×{summary.scale_factor:g}) — "
        + t(lang, "engine: {engine}", engine=wording.engine_name(roadmap.engine, lang)),
        "",
        summary.verdict,
        "",
        f"- **{t(lang, 'Binding bottleneck')}:** {summary.binding_bottleneck}",
        f"- **{t(lang, 'Capacity now')}:** {_capacity_line(summary.capacity_now, target, lang, details)}",
    ]
    for stage in roadmap.stages:
        label = t(lang, "After stage {n}", n=stage.number)
        lines.append(f"- **{label}:** {_capacity_line(stage.capacity_after, target, lang, details)}")
    lines += ["", f"**{t(lang, 'Budget')}:** {summary.budget_note}", ""]
    lines += [f"> {note}" for note in (roadmap.notes if details else unrepeated_notes(roadmap.notes))]
    if roadmap.notes:
        lines.append("")
    lines += render_reading(roadmap, details=details)
    sources = SourceList(details, lang)
    said: dict[str, str] = {}
    named = [answer.said for answer in roadmap.problems if answer.item_ids]
    for stage in roadmap.stages:
        heading = t(lang, "Stage {n}: {name} ({horizon})", n=stage.number, name=stage.name, horizon=stage.horizon)
        lines += [f"## {heading}", ""]
        for item in stage.items:
            lines += render_item(item, lang, sources, said, named, details=details)
    lines += render_not_recommended(roadmap)
    lines += [f"## {t(lang, 'Assumptions')}", "", *[f"- {assumption(a, lang)}" for a in summary.assumptions], ""]
    lines += sources.lines()
    if not details:
        lines.append(t(lang, "Every step and check, and the basis of each estimate: `scale-review review --details`."))
    return "\n".join(lines).rstrip() + "\n"


def render_reading(roadmap: Roadmap, *, details: bool = True) -> list[str]:
    """What kind of system the engine thinks this is, and each named problem with the items that answer it (by
    number when compact: the titles follow in the stages)."""
    lang = roadmap.language
    lines = [f"## {t(lang, 'What kind of system this is')}", ""]
    for kind in roadmap.workload:
        said = ", ".join(f'"{e}"' for e in kind.evidence)
        label = KIND_LABELS_KO.get(kind.id, kind.label) if lang == "ko" else kind.label
        lines.append(f"- **{label}**" + (" - " + t(lang, "you wrote {quotes}", quotes=said) if said else ""))
    if not roadmap.workload:
        lines.append(
            "- "
            + t(lang, "No particular workload kind stood out in your answers; the levers follow the capacity model.")
        )
    lines.append("")
    if roadmap.problems:
        lines += [f"## {t(lang, 'The problems you named, worst first')}", ""]
        items_by_id = {i.id: i for i in roadmap.items()}
        for answer in roadmap.problems:
            head = f"- *{t(lang, SEVERITIES[answer.severity])}* - " + t(lang, 'you said "{quote}"', quote=answer.said)
            if answer.item_ids:
                refs = _item_refs([items_by_id[i] for i in answer.item_ids], lang, details)
                lines.append(f"{head} -> {refs}")
            else:
                lines.append(f"{head} -> {t(lang, 'no item')}: {answer.note}")
        lines.append("")
    return lines


def _item_refs(items: Sequence[RoadmapItem], lang: Language, details: bool) -> str:
    """The items answering a problem: by id when compact (their titles follow in the stages), else with titles."""
    if details:
        return "; ".join(_item_ref(i, lang) for i in items)
    ids = [t(lang, "{id} (held back)", id=i.id) if i.deferred else i.id for i in items]
    return tn(lang, "item {ids}", "items {ids}", len(ids), ids=", ".join(ids))


def _item_ref(item: RoadmapItem, lang: Language) -> str:
    if item.deferred:
        return t(lang, "item {id} ({title} - held back, see the item)", id=item.id, title=item.title)
    return t(lang, "item {id} ({title})", id=item.id, title=item.title)


def render_not_recommended(roadmap: Roadmap) -> list[str]:
    """The levers considered and left out, each with its reason."""
    lang = roadmap.language
    lines = [f"## {t(lang, 'Not recommended for this system')}", ""]
    lines += [
        f"- **{_rejected_title(r.pattern_id, r.title, lang)}** - {_rejected_reason(r.pattern_id, r.reason, lang)}"
        for r in roadmap.not_recommended
    ]
    if not roadmap.not_recommended:
        lines.append("- " + t(lang, "Nothing the engine considered was ruled out for this system."))
    return [*lines, ""]


def _rejected_title(pattern_id: str, title: str, lang: Language) -> str:
    """The pattern's Korean title in a Korean roadmap (its reason stays as the catalogue writes it)."""
    if lang != "ko":
        return title
    korean = load_korean().patterns.get(pattern_id)
    if korean is None:
        return title
    return korean.title.replace("{units}", "N").replace("{units_from}", "M").replace("{tier_label}", "가장 바쁜 계층")


_IN_PLACE = re.compile(r"^You already run (.+); the plan builds on it\.$")


def _rejected_reason(pattern_id: str, reason: str, lang: Language) -> str:
    """The catalogue's Korean reason (or the Korean 'you already run it') in a Korean roadmap."""
    if lang != "ko":
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
