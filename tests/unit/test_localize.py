"""Korean teams read the catalogue's titles, reasons, steps and checks in Korean; English stays byte for byte.

The Korean lives in patterns_ko.yaml beside the English catalogue: every pattern needs its Korean, with the same
placeholders and as many steps and checks, or this suite names the pattern that is missing it.
"""

from __future__ import annotations

import asyncio
import re
from functools import cache
from pathlib import Path

import pytest

from bot import i18n
from bot.engines.fallback import generate_with_fallback
from bot.engines.rules import RulesEngine
from bot.roadmap.advice.fields import APP_WORKERS, DB_FIELDS
from bot.roadmap.catalogue import load_catalogue
from bot.roadmap.korean.catalogue import FIELD_VALUES_KO, load_korean
from bot.roadmap.korean.localize import localize
from bot.roadmap.korean.words import STAGE_HORIZONS_KO, STAGE_NAMES_KO
from bot.roadmap.profile_io import load_profile
from bot.roadmap.rules.generate import generate_rules_roadmap
from bot.roadmap.schema import STAGE_NAMES, Roadmap, SystemProfile

ROOT = Path(__file__).resolve().parents[2]
KOREAN_PROFILES = [ROOT / "examples" / "shop-ko.yaml", *sorted((ROOT / "tests" / "golden").glob("*-ko.yaml"))]
ENGLISH_PROFILES = [ROOT / "examples" / "saas-api.yaml", ROOT / "tests" / "golden" / "rails-droplet.yaml"]
_PLACEHOLDER = re.compile(r"\{(\w*)\}")
_LETTER = re.compile(r"[^\W\d_]")


def _placeholders(text: str) -> set[str]:
    return set(_PLACEHOLDER.findall(text))


def _hangul_share(texts: list[str]) -> float:
    letters = _LETTER.findall(" ".join(texts))
    return sum(1 for c in letters if "\uac00" <= c <= "\ud7a3") / max(1, len(letters))


def _in_korean(path: Path) -> SystemProfile:
    """The profile with its language chosen as the CLI chooses it (no --lang: the profile's, else its answers')."""
    profile = load_profile(path)
    return profile.model_copy(update={"language": i18n.choose(profile.language, i18n.of_answers(profile))})


@cache
def _korean_roadmap(path: Path) -> Roadmap:
    profile = _in_korean(path)
    assert profile.language == "ko", f"{path.name} should read as Korean"
    return asyncio.run(generate_with_fallback(RulesEngine(), None, profile)).roadmap


# --- the Korean catalogue matches the English one ---------------------------------------------------------------


def test_every_pattern_has_its_korean() -> None:
    korean = load_korean().patterns
    missing = [p.id for p in load_catalogue().patterns if p.id not in korean]
    assert not missing, f"patterns without Korean in patterns_ko.yaml: {missing}"
    unknown = set(korean) - {p.id for p in load_catalogue().patterns}
    assert not unknown, f"Korean kept for patterns the catalogue no longer has: {sorted(unknown)}"


@pytest.mark.parametrize("pattern", load_catalogue().patterns, ids=lambda p: p.id)
def test_korean_has_the_same_shape_and_placeholders(pattern) -> None:  # type: ignore[no-untyped-def]
    korean = load_korean().patterns.get(pattern.id)
    assert korean is not None, f"{pattern.id}: no Korean in patterns_ko.yaml"
    assert len(korean.steps) == len(pattern.steps), f"{pattern.id}: steps"
    assert len(korean.verify) == len(pattern.verify), f"{pattern.id}: verify"
    assert len(korean.variants) == len(pattern.variants), f"{pattern.id}: variants"
    pairs = [("title", pattern.title, korean.title), ("why", pattern.why, korean.why)]
    pairs += [("metric", pattern.impact.metric, korean.metric)]
    pairs += [(f"step {n}", en, ko) for n, (en, ko) in enumerate(zip(pattern.steps, korean.steps, strict=True), 1)]
    pairs += [(f"check {n}", en, ko) for n, (en, ko) in enumerate(zip(pattern.verify, korean.verify, strict=True), 1)]
    for v, (english, ko) in enumerate(zip(pattern.variants, korean.variants, strict=True), 1):
        for name in ("title", "steps", "verify"):
            en_text, ko_text = getattr(english, name), getattr(ko, name)
            assert (en_text is None) == (ko_text is None), f"{pattern.id} variant {v}: {name} given in one language"
            if isinstance(en_text, list):
                assert len(en_text) == len(ko_text), f"{pattern.id} variant {v}: {name}"
                pairs += [(f"variant {v} {name}", e, k) for e, k in zip(en_text, ko_text, strict=True)]
            elif en_text is not None:
                pairs.append((f"variant {v} title", en_text, ko_text))
    for where, english, ko in pairs:
        assert _placeholders(english) == _placeholders(ko), f"{pattern.id} {where}: placeholders differ"
        assert re.search(r"[\uac00-\ud7a3]", ko), f"{pattern.id} {where}: no Korean"
        # A fill-in's last sound is unknown, so a particle that depends on it (을/를, 이/가, ...) cannot follow.
        assert not re.search(r"\{\w+\}[을를이가은는와과]", ko), f"{pattern.id} {where}: particle after a placeholder"


def test_every_stack_fill_in_has_its_korean() -> None:
    """The advice writes {db_stats}, {app_workers}, ... per stack; a value with no Korean keeps its item English."""
    values = {v for fields in DB_FIELDS.values() for v in fields.values()}
    values |= set(APP_WORKERS.values())
    assert not values - set(FIELD_VALUES_KO), f"no Korean for {sorted(values - set(FIELD_VALUES_KO))}"


# --- a Korean profile gets Korean ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", KOREAN_PROFILES, ids=lambda p: p.name)
def test_a_korean_profile_reads_in_korean(path: Path) -> None:
    roadmap = _korean_roadmap(path)
    items = [i for s in roadmap.stages for i in s.items]
    titles = [i.title for i in items]
    steps = [x for i in items for x in i.steps]
    assert _hangul_share(titles) > 0.9, titles
    assert _hangul_share(steps) > 0.6
    assert _hangul_share([i.why for i in items]) > 0.9  # the catalogue's reason and the engine's sentences after it
    assert all(re.search(r"[\uac00-\ud7a3]", k.label) for k in roadmap.workload), roadmap.workload
    summary = roadmap.summary  # the verdict a manager reads first, the budget, the bottleneck, the headline
    for text in (summary.verdict, summary.budget_note, summary.binding_bottleneck, summary.headline):
        assert _hangul_share([text]) > 0.8, text
    assert _hangul_share([x for i in items for x in i.verify]) > 0.6
    Roadmap.model_validate_json(roadmap.model_dump_json())  # within the schema's limits, so it can be stored
    assert [s.name for s in roadmap.stages] == list(STAGE_NAMES_KO.values())
    assert [s.horizon for s in roadmap.stages] == list(STAGE_HORIZONS_KO.values())
    for rejected in roadmap.not_recommended:  # the levers left out, and why
        assert re.search(r"[\uac00-\ud7a3]", rejected.title), rejected.title
        assert re.search(r"[\uac00-\ud7a3]", rejected.reason), rejected.reason
    for answer in roadmap.problems:  # a named problem no item answers says what to do in Korean
        assert answer.note is None or re.search(r"[\uac00-\ud7a3]", answer.note), answer.note
    for item in items:  # code and product names stay as written; no placeholder is left unfilled
        assert not _PLACEHOLDER.search(" ".join([item.title, item.why, *item.steps, *item.verify])), item.id
        assert re.search(r"[\uac00-\ud7a3]", item.title), f"{item.id} {item.pattern_id}: {item.title}"
        assert re.search(r"[\uac00-\ud7a3]", item.impact.metric), f"{item.id}: {item.impact.metric}"
        sentences = ("You wrote:", "The capacity model has", "Before this stage the plan", "Needed first by")
        sentences += ("This reads as", "Over budget:", "Waits for", "Sized at its minimum", "Even ")
        for sentence in sentences:
            assert sentence not in item.why, f"{item.id}: the engine's sentence left in English: {item.why}"
            assert sentence not in (item.deferred or ""), f"{item.id}: {item.deferred}"


GOLDEN = sorted(p for p in (ROOT / "tests" / "golden").glob("*.yaml") if not p.name.endswith(".expect.yaml"))


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.stem)
def test_every_stack_and_resize_reads_in_korean(path: Path) -> None:
    """Every golden system read in Korean: each stack's variants and the re-size items (a fleet the team already
    runs, grown) come out with Korean titles, steps and checks, and the model's effect of each item in Korean."""
    profile = load_profile(path).model_copy(update={"language": "ko"})
    roadmap = asyncio.run(generate_with_fallback(RulesEngine(), None, profile)).roadmap
    for item in (i for s in roadmap.stages for i in s.items):
        for text in [item.title, *item.steps, *item.verify, *([item.model_effect] if item.model_effect else [])]:
            assert re.search(r"[\uac00-\ud7a3]", text), f"{path.stem} {item.id} {item.pattern_id}: {text}"


@pytest.mark.parametrize("path", KOREAN_PROFILES, ids=lambda p: p.name)
def test_the_teams_own_words_survive_in_the_reasons(path: Path) -> None:
    """A reason quotes the team's answer: the quote is kept exactly, only the sentence around it is Korean."""
    english = generate_rules_roadmap(_in_korean(path))
    korean = {i.id: i for s in _korean_roadmap(path).stages for i in s.items}
    quotes = [
        (item.id, quote)
        for s in english.stages
        for item in s.items
        for quote in re.findall(r'You wrote: "([^"]+)"', item.why)
    ]
    assert quotes, "the Korean profiles name their problems, so reasons quote them"
    for item_id, quote in quotes:
        assert quote in korean[item_id].why


def test_sizes_read_as_korean_counts() -> None:
    """'3x today's' becomes '현재의 3배', a size the engine left out reads '여러 대', and a value with no Korean
    (a number the engine never writes) keeps the English."""
    profile = _in_korean(ROOT / "examples" / "shop-ko.yaml")
    roadmap = generate_rules_roadmap(profile).model_copy(update={"language": "ko"})
    stage = roadmap.stages[0]
    item = stage.items[0].model_copy(update={"pattern_id": "horizontal-app-scaling"})
    variants = {
        "Run 3x today's stateless app servers behind a load balancer": (
            "로드밸런서 뒤에서 무상태 앱 서버를 현재의 3배로 운영하기"
        ),
        "Run  stateless app servers behind a load balancer": "로드밸런서 뒤에서 무상태 앱 서버를 여러 대로 운영하기",
        "Run 12 stateless app servers behind a load balancer": "로드밸런서 뒤에서 무상태 앱 서버를 12대로 운영하기",
        "Run a dozen stateless app servers behind a load balancer": (
            "Run a dozen stateless app servers behind a load balancer"
        ),
    }
    items = [item.model_copy(update={"id": f"1.{n}", "title": t}) for n, t in enumerate(variants, 1)]
    localized = localize(roadmap.model_copy(update={"stages": [stage.model_copy(update={"items": items})]}), profile)
    assert [i.title for i in localized.stages[0].items] == list(variants.values())


def test_text_the_engine_wrote_otherwise_is_left_alone() -> None:
    """Only an exact English template is swapped: an edited step, a custom stage name stay as they are."""
    profile = _in_korean(ROOT / "examples" / "shop-ko.yaml")
    roadmap = generate_rules_roadmap(profile).model_copy(update={"language": "ko"})
    first = roadmap.stages[0]
    edited = first.items[0].model_copy(update={"steps": [*first.items[0].steps[:-1], "Ask Kim about the indexes."]})
    stage = first.model_copy(update={"name": "This week", "items": [edited, *first.items[1:]]})
    localized = localize(roadmap.model_copy(update={"stages": [stage, *roadmap.stages[1:]]}), profile)
    assert localized.stages[0].name == "This week"
    assert localized.stages[0].items[0].steps == edited.steps  # a list is swapped whole or not at all
    assert re.search(r"[\uac00-\ud7a3]", localized.stages[0].items[0].title)
    assert localized.stages[1].name == STAGE_NAMES_KO[2] and STAGE_NAMES[2] == roadmap.stages[1].name


def test_korean_out_of_step_with_the_english_leaves_that_pattern_in_english() -> None:
    """A step added to the English and not yet to the Korean keeps that pattern's items English, never mixed."""
    profile = _in_korean(ROOT / "examples" / "shop-ko.yaml")
    roadmap = generate_rules_roadmap(profile).model_copy(update={"language": "ko"})
    first = roadmap.stages[0].items[0]
    korean = load_korean()
    behind = korean.patterns[first.pattern_id]
    stale = korean.model_copy(
        update={
            "patterns": {**korean.patterns, first.pattern_id: behind.model_copy(update={"steps": behind.steps[:-1]})}
        }
    )
    localized = localize(roadmap, profile, korean=stale)
    assert localized.stages[0].items[0] == first
    assert re.search(r"[\uac00-\ud7a3]", localized.stages[0].items[1].title)


# --- English stays English; the same input gives the same output ------------------------------------------------


@pytest.mark.parametrize("path", ENGLISH_PROFILES, ids=lambda p: p.name)
def test_an_english_roadmap_is_unchanged(path: Path) -> None:
    profile = load_profile(path).model_copy(update={"language": "en"})
    roadmap = generate_rules_roadmap(profile)
    assert localize(roadmap, profile).model_dump_json() == roadmap.model_dump_json()
    through_engine = asyncio.run(generate_with_fallback(RulesEngine(), None, profile)).roadmap
    assert [i.model_dump_json() for s in through_engine.stages for i in s.items] == [
        i.model_dump_json() for s in roadmap.stages for i in s.items
    ]


def test_localize_is_deterministic_and_idempotent() -> None:
    profile = _in_korean(ROOT / "tests" / "golden" / "webtoon-ko.yaml")
    english = generate_rules_roadmap(profile).model_copy(update={"language": "ko"})
    once = localize(english, profile)
    assert localize(english, profile).model_dump_json() == once.model_dump_json()
    assert localize(once, profile).model_dump_json() == once.model_dump_json()
    assert once.model_dump_json() != english.model_dump_json()
