"""The sources behind the figures, as a reader gets them: every source explanation of the catalogue exists in
English and in Korean (written in patterns_ko.yaml), a Korean roadmap's Sources read in Korean with and without
details, and the compact list names a work cited twice once."""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path

import pytest

from bot.engines.fallback import generate_with_fallback
from bot.engines.rules import RulesEngine
from bot.roadmap.catalogue import Pattern, load_catalogue
from bot.roadmap.korean.catalogue import load_korean
from bot.roadmap.markdown import render_markdown
from bot.roadmap.profile_io import load_profile
from bot.roadmap.rules.items import CAPACITY_SOURCE
from bot.roadmap.schema import ItemStatus, Roadmap
from bot.roadmap.sources import CAPACITY_MODEL, KINDS, citations, in_language, source_text
from bot.slack.render.items import item_details_view

ROOT = Path(__file__).resolve().parents[2]
CASE_STUDY = "'사용자 100명에서 100만명으로, 서버가 견뎌낸 기적'"
HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _roadmap(name: str, lang: str) -> Roadmap:
    profile = load_profile(ROOT / "examples" / name)
    profile = profile.model_copy(update={"language": lang})
    return asyncio.run(generate_with_fallback(RulesEngine(), None, profile)).roadmap


def _sources_section(markdown: str) -> list[str]:
    section = re.split(r"^## (?:Sources|출처)$", markdown, flags=re.MULTILINE)[1]
    return re.findall(r"^\d+\. (.+)$", section, flags=re.MULTILINE)


@pytest.mark.parametrize("pattern", load_catalogue().patterns, ids=lambda p: p.id)
def test_every_source_explanation_exists_in_both_languages(pattern: Pattern) -> None:
    korean = load_korean().patterns.get(pattern.id)
    assert korean is not None and korean.sources is not None, f"{pattern.id}: no Korean sources in patterns_ko.yaml"
    english = {kind for kind in KINDS if getattr(pattern.sources, kind)}
    written = {kind for kind in KINDS if getattr(korean.sources, kind)}
    assert written == english, f"{pattern.id}: English only {english - written}, Korean only {written - english}"
    for kind in english:
        en, ko = getattr(pattern.sources, kind), getattr(korean.sources, kind)
        assert HANGUL.search(ko), f"{pattern.id}.{kind} is not written in Korean: {ko}"
        assert "Estimate" not in ko, f"{pattern.id}.{kind}"
        assert ("Estimate:" in en) == ("추정:" in ko), f"{pattern.id}.{kind}: an estimate says so in both languages"
        assert in_language(en, "ko") == ko and in_language(en, "en") == en


def test_korean_sources_belong_to_patterns_of_the_catalogue() -> None:
    ids = {p.id for p in load_catalogue().patterns}
    assert {i for i, p in load_korean().patterns.items() if p.sources} <= ids


def test_the_capacity_model_source_is_the_rules_engine_one_and_reads_in_korean() -> None:
    assert f"capacity: {CAPACITY_MODEL}" == CAPACITY_SOURCE
    korean = source_text(CAPACITY_SOURCE, "ko")
    assert korean.startswith("용량 모델: 운영 법칙") and "'Guerrilla Capacity Planning'" in korean
    assert source_text(CAPACITY_SOURCE, "en") == f"capacity model: {CAPACITY_MODEL}"


def test_a_korean_roadmap_shows_its_sources_in_korean_with_details() -> None:
    text = render_markdown(_roadmap("shop-ko.yaml", "ko"), details=True)
    entries = _sources_section(text)
    assert len(entries) > 10
    english = [e for e in entries if not HANGUL.search(e.split(":", 1)[1])]
    assert not english, english[:3]
    assert "Estimate" not in text.split("## 출처")[1]
    assert any(e.startswith("효과: ") for e in entries) and any(e.startswith("비용: ") for e in entries)


def test_the_compact_list_names_a_work_cited_twice_by_its_number() -> None:
    for lang, again in (("en", "As in "), ("ko", "번과 같은 자료: ")):
        text = render_markdown(_roadmap("community.yaml", lang))
        entries = _sources_section(text)
        assert sum(CASE_STUDY in e for e in entries) == 1, entries
        first = next(n for n, e in enumerate(entries, 1) if CASE_STUDY in e)
        repeated = [e for e in entries if again in e]
        assert len(repeated) >= 2 and all(str(first) in e for e in repeated), repeated
        assert all(len(e) <= 160 for e in entries), max(entries, key=len)


def test_citations_split_between_works_never_inside_a_title() -> None:
    assert citations(
        "Google SRE book, ch. 6 'Monitoring Distributed Systems' (the four golden signals); Gregg, 'The USE Method'."
    ) == [
        "Google SRE book, ch. 6 'Monitoring Distributed Systems' (the four golden signals)",
        "Gregg, 'The USE Method'",
    ]
    assert citations(
        "사례 연구 'X'(티끌모아밈): 캐싱으로 서버 부하가 절반으로 줄었습니다. Azure Architecture Center, 'Cache-Aside'"
    ) == [
        "사례 연구 'X'(티끌모아밈): 캐싱으로 서버 부하가 절반으로 줄었습니다",
        "Azure Architecture Center, 'Cache-Aside'",
    ]
    assert citations("Nishtala et al., 'Scaling Memcache at Facebook' (NSDI 2013)") == [
        "Nishtala et al., 'Scaling Memcache at Facebook' (NSDI 2013)"
    ]


def test_the_details_modal_of_a_korean_item_shows_its_sources_in_korean() -> None:
    item = next(i for i in _roadmap("shop-ko.yaml", "ko").items() if i.pattern_id == "slow-query-indexes")
    view = item_details_view(item, ItemStatus.TODO, system_name="shop", lang="ko").to_dict()
    text = json.dumps(view, ensure_ascii=False)
    assert "효과: 사례 연구" in text and "공수: 추정: " in text and "Estimate" not in text
