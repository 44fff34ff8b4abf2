"""A Korean review's roadmap: items, stages, rejections, named problems and the summary in Korean where known."""

from __future__ import annotations

from collections.abc import Mapping

from pydantic import ValidationError

from bot.roadmap.catalogue import Catalogue, Pattern, load_catalogue
from bot.roadmap.korean.catalogue import CatalogueKo, PatternKo, catalogue_value_ko, load_korean, variant_texts
from bot.roadmap.korean.sentences import (
    ADVICE,
    ASSUMPTIONS,
    EFFECT,
    REASONS,
    RESIZE_STEPS,
    RESIZE_TITLES,
    RESIZE_VERIFY,
    SIZE_STEPS,
    SIZE_TITLES,
    SIZE_VERIFY,
    SUMMARY,
)
from bot.roadmap.korean.templates import fill_in, translate_lines, translate_one, translate_sentences
from bot.roadmap.korean.values import advice_value, assumption_value, engine_value
from bot.roadmap.korean.words import KINDS_KO, STAGE_HORIZONS_KO, STAGE_NAMES_KO, TIER_LABELS_KO
from bot.roadmap.schema import (
    STAGE_HORIZONS,
    STAGE_NAMES,
    TIER_LABELS,
    ProblemAnswer,
    Rejection,
    Roadmap,
    RoadmapItem,
    Stage,
    SystemProfile,
)


def _reasons(text: str) -> str:
    return translate_sentences(text, REASONS)


def _metric(metric: str, pattern: Pattern, korean: PatternKo) -> str:
    if metric == pattern.impact.metric:
        return korean.metric
    if metric == "system capacity":
        return "시스템 처리 용량"
    tier = next((t for t, label in TIER_LABELS.items() if metric == f"{label} capacity"), None)
    return f"{TIER_LABELS_KO[tier]} 처리 용량" if tier is not None else metric


def _item(item: RoadmapItem, pattern: Pattern, korean: PatternKo, profile: SystemProfile) -> RoadmapItem:
    def catalogue_value(name: str, value: str) -> str | None:
        return catalogue_value_ko(name, value, profile)

    variants = variant_texts(pattern, korean)
    if not variants:  # the Korean is behind the English for this pattern: the whole item stays English
        return item
    title = translate_one(item.title, list(dict.fromkeys(v.title for v in variants)), catalogue_value)
    steps = translate_lines(item.steps, list(dict.fromkeys(v.steps for v in variants)), catalogue_value)
    verify = translate_lines(item.verify, list(dict.fromkeys(v.verify for v in variants)), catalogue_value)
    # A re-size item (more of a fleet already there) has the planner's own title, steps and checks.
    title = title or translate_one(item.title, RESIZE_TITLES + SIZE_TITLES, engine_value) or item.title
    steps = steps or translate_lines(item.steps, [RESIZE_STEPS, SIZE_STEPS], engine_value) or item.steps
    verify = verify or translate_lines(item.verify, [RESIZE_VERIFY, SIZE_VERIFY], engine_value) or item.verify
    why = item.why
    opening = fill_in(why, pattern.why, korean.why, catalogue_value, prefix=True)
    if opening is not None:
        rest = why[opening[1] :].removeprefix(" ")
        why = " ".join(part for part in (opening[0], _reasons(rest)) if part)
    else:
        why = _reasons(why)
    impact = item.impact.model_copy(update={"metric": _metric(item.impact.metric, pattern, korean)})
    update = {"title": title, "steps": steps, "verify": verify, "why": why[:1500], "impact": impact}
    if item.deferred:
        update["deferred"] = _reasons(item.deferred)
    if item.model_effect:
        update["model_effect"] = translate_sentences(item.model_effect, EFFECT)
    try:  # within the schema's limits, as the English was (a stored roadmap is validated when read back)
        return RoadmapItem.model_validate({**item.model_dump(), **update, "impact": impact.model_dump()})
    except ValidationError:
        return item


def _stage(stage: Stage, catalogue: Mapping[str, Pattern], korean: CatalogueKo, profile: SystemProfile) -> Stage:
    items = [
        _item(i, catalogue[i.pattern_id], korean.patterns[i.pattern_id], profile)
        if i.pattern_id in catalogue and i.pattern_id in korean.patterns
        else i
        for i in stage.items
    ]
    update: dict[str, object] = {"items": items}
    if stage.name == STAGE_NAMES[stage.number]:
        update["name"] = STAGE_NAMES_KO[stage.number]
    if stage.horizon == STAGE_HORIZONS[stage.number]:
        update["horizon"] = STAGE_HORIZONS_KO[stage.number]
    return stage.model_copy(update=update)


def _plain(title: str, tier: str) -> str:
    """A title without its figures, as the 'not recommended' list shows it (advice/model.py writes the English)."""
    return title.replace("{units}", "N").replace("{units_from}", "M").replace("{tier_label}", tier)


def _rejection(rejection: Rejection, catalogue: Mapping[str, Pattern], korean: CatalogueKo) -> Rejection:
    """A lever left out, with the catalogue's title and contraindication in Korean where they are exactly those."""
    pattern, ko = catalogue.get(rejection.pattern_id), korean.patterns.get(rejection.pattern_id)
    if pattern is None or ko is None:
        return rejection
    update: dict[str, str] = {}
    if rejection.title == _plain(pattern.title, "the busiest"):
        update["title"] = _plain(ko.title, "가장 바쁜")
    reason = next((c.reason_ko for c in pattern.contraindications if c.reason == rejection.reason), None)
    if reason:  # the catalogue keeps each contraindication's Korean beside it
        update["reason"] = reason
    else:  # the team already runs it
        update["reason"] = translate_sentences(rejection.reason, ADVICE, advice_value({}, {}))
    return rejection.model_copy(update=update)


def _problem(answer: ProblemAnswer, catalogue: Mapping[str, Pattern], korean: CatalogueKo) -> ProblemAnswer:
    """A named problem's note in Korean where it is one of the advice's sentences about catalogue levers."""
    if not answer.note:
        return answer
    titles: dict[str, str] = {}
    reasons: dict[str, str] = {}
    for pattern_id, pattern in catalogue.items():
        ko = korean.patterns.get(pattern_id)
        if ko is None:
            continue
        titles[_plain(pattern.title, "the busiest")] = _plain(ko.title, "가장 바쁜")
        reasons |= {c.reason: c.reason_ko for c in pattern.contraindications if c.reason_ko}
    note = translate_sentences(answer.note, ADVICE, advice_value(titles, reasons))
    return answer.model_copy(update={"note": note}) if len(note) <= 600 else answer


def localize(
    roadmap: Roadmap, profile: SystemProfile, catalogue: Catalogue | None = None, korean: CatalogueKo | None = None
) -> Roadmap:
    """The roadmap with the catalogue's texts in its language (Korean when it is "ko"; English is as written)."""
    if roadmap.language != "ko":
        return roadmap
    patterns = {p.id: p for p in (catalogue or load_catalogue()).patterns}
    texts = korean or load_korean()
    stages = [_stage(s, patterns, texts, profile) for s in roadmap.stages]
    rejected = [_rejection(r, patterns, texts) for r in roadmap.not_recommended]
    workload = [k.model_copy(update={"label": KINDS_KO.get(k.label, k.label)}) for k in roadmap.workload]
    summary = roadmap.summary
    said: dict[str, object] = {
        f: translate_sentences(getattr(summary, f), SUMMARY) for f in ("verdict", "budget_note", "binding_bottleneck")
    }
    said["assumptions"] = [translate_sentences(a, ASSUMPTIONS, assumption_value) for a in summary.assumptions]
    headline = translate_sentences(summary.headline, SUMMARY)
    said["headline"] = headline if len(headline) <= 150 else summary.headline
    problems = [_problem(a, patterns, texts) for a in roadmap.problems]
    update = {"stages": stages, "not_recommended": rejected, "workload": workload, "problems": problems}
    return roadmap.model_copy(update={**update, "summary": summary.model_copy(update=said)})
