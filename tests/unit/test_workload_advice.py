"""Workload-aware lever choice end to end: contraindications hold, what the team runs is not re-proposed,
named problems map to real items worst first, steps fit the stack, a near event pulls its levers forward,
and a model's draft cannot bring a contraindicated lever back."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
import yaml

from bot.engines.drafts import RoadmapDraft, assemble
from bot.roadmap.advice.build import build_advice
from bot.roadmap.catalogue import load_catalogue
from bot.roadmap.markdown import render_markdown
from bot.roadmap.profile_io import load_profile, parse_profile
from bot.roadmap.reading.reader import extract_facts
from bot.roadmap.rules.generate import generate_rules_roadmap
from bot.roadmap.schema import Roadmap, SystemProfile
from bot.roadmap.workload.problems import SEVERITY_ORDER
from tests.llm_drafts import draft_from_roadmap

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden"
PROFILES = sorted(p for p in GOLDEN.glob("*.yaml") if not p.name.endswith(".expect.yaml"))
PROFILES += sorted((ROOT / "examples").glob("*.yaml"))


@cache
def _profile(path: Path) -> SystemProfile:
    return load_profile(path)


@cache
def _roadmap(path: Path) -> Roadmap:
    return generate_rules_roadmap(_profile(path))


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.stem)
def test_no_item_is_contraindicated_or_already_in_place(path: Path) -> None:
    profile = _profile(path)
    advice = build_advice(profile, extract_facts(profile), load_catalogue())
    grown: set[str] = set()  # items that grow a fleet the team runs, and later items growing those further
    for item in _roadmap(path).items():
        # ruled out only by today's utilisation (a database not saturated yet): allowed once it binds, never in stage 1
        late = item.pattern_id in advice.blocked_today and item.stage > 1
        assert late or item.pattern_id not in advice.blocked, (
            f"{item.id} {item.pattern_id}: {advice.blocked[item.pattern_id]}"
        )
        origins = {"re-sized from what you already run", *(f"re-sized from item {i}" for i in grown)}
        grows_existing = any(s in origins for s in item.sources)
        if grows_existing:
            grown.add(item.id)
        assert grows_existing or not advice.excluded(item.pattern_id or ""), f"{item.id} {item.pattern_id} is in place"


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.stem)
def test_every_named_problem_is_answered_worst_first_by_an_item_that_exists(path: Path) -> None:
    profile = _profile(path)
    roadmap = _roadmap(path)
    advice = build_advice(profile, extract_facts(profile), load_catalogue())
    candidates = {p.text[:300]: ids for p, ids in advice.candidates}
    assert len(roadmap.problems) == len(advice.reading.problems)
    ranks = [SEVERITY_ORDER.index(a.severity) for a in roadmap.problems]
    assert ranks == sorted(ranks), "worst first"
    for answer in roadmap.problems:
        assert answer.item_ids or answer.note, answer.said
        for item_id in answer.item_ids:
            item = roadmap.item(item_id)
            assert item is not None and item.pattern_id in candidates[answer.said]
    risky = {p for a in roadmap.problems if a.severity in ("correctness", "data-loss") for p in a.item_ids}
    first = [i.id for i in roadmap.stages[0].items[: len(risky)]]
    assert {i for i in risky if i.startswith("1.")} <= set(first), "risk answers lead stage 1"


@pytest.mark.parametrize("path", PROFILES, ids=lambda p: p.stem)
def test_the_markdown_prints_the_reading_and_what_is_not_recommended(path: Path) -> None:
    text = render_markdown(_roadmap(path))
    assert "## What kind of system this is" in text
    assert "## Not recommended for this system" in text
    for rejected in _roadmap(path).not_recommended:
        assert rejected.pattern_id not in {i.pattern_id for i in _roadmap(path).items()}


def _steps(path: Path, pattern_id: str) -> str:
    item = next(i for i in _roadmap(path).items() if i.pattern_id == pattern_id)
    return " ".join([item.title, *item.steps, *item.verify])


def test_steps_are_written_for_the_teams_database_and_hosting() -> None:
    mysql = _steps(GOLDEN / "delivery-spring-ko.yaml", "slow-query-indexes")
    assert "performance_schema" in mysql and "ALGORITHM=INPLACE" in mysql and "pg_stat" not in mysql
    postgres = _steps(GOLDEN / "chat-websockets.yaml", "slow-query-indexes")
    assert "pg_stat_statements" in postgres and "CREATE INDEX CONCURRENTLY" in postgres and "MySQL" not in postgres
    droplet = _steps(GOLDEN / "rails-droplet.yaml", "backups-pitr")
    assert "pg_dump" in droplet and "off the machine" in droplet and "RDS" not in droplet
    vm = _steps(GOLDEN / "payments-ledger.yaml", "backups-pitr")
    assert "pgBackRest" in vm and "restore" in vm
    puma = _steps(GOLDEN / "rails-droplet.yaml", "app-runtime-tuning")
    assert "Puma" in puma and "gunicorn" not in puma


def test_a_team_that_already_runs_a_component_is_told_to_use_it_not_to_add_it() -> None:
    b2b = _roadmap(GOLDEN / "b2b-multitenant-api.yaml")  # runs Celery, yet renders PDFs in the request
    queue = next(i for i in b2b.items() if i.pattern_id == "async-queue-workers")
    assert queue.title.startswith("Move the slow work onto the queue and workers you already run")
    rejected = {r.pattern_id: r.reason for r in b2b.not_recommended}
    assert rejected["distributed-cache"].startswith("You already run a shared cache")


def _without_deadline(path: Path) -> SystemProfile:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["budget"]["constraints"] = "Four backend engineers."
    first, rest = data["bottlenecks"].split("\n", 1)
    assert first.startswith("At 10:00 on drop day")
    data["bottlenecks"] = "On busy days traffic doubles for an hour.\n" + rest
    data["core_features"] = [f.replace("drops opening at 10:00 sharp", "drops") for f in data["core_features"]]
    return parse_profile(data)


def test_a_near_event_pulls_its_levers_into_stage_one_and_shapes_the_load_test() -> None:
    shop = GOLDEN / "flash-sale-shop.yaml"
    with_event = {i.pattern_id: i.stage for i in _roadmap(shop).items()}
    assert with_event["waiting-room"] == 1 and with_event["timeouts-circuit-breakers"] == 1
    assert "60x" in _steps(shop, "load-test-baseline")
    calm = {i.pattern_id: i.stage for i in generate_rules_roadmap(_without_deadline(shop)).items()}
    # without the event the waiting room waits; the timeouts stay in stage 1 because the team named the
    # 20-30 s Adyen calls that hold its request handlers: a named problem's direct answer comes first
    assert calm.get("waiting-room") == 2 and calm.get("timeouts-circuit-breakers") == 1


def test_a_models_draft_cannot_bring_back_a_contraindicated_lever() -> None:
    profile = _profile(GOLDEN / "payments-ledger.yaml")
    draft = draft_from_roadmap(generate_rules_roadmap(profile))
    stage = draft["stages"][1]["items"]
    cache_item = {**stage[0], "id": f"2.{len(stage) + 1}", "pattern_id": "in-process-cache", "depends_on": []}
    cache_item["title"] = "Cache balances in the app process"
    stage.append(cache_item)
    roadmap = assemble(profile, RoadmapDraft.model_validate(draft), model="test-model")
    assert "in-process-cache" not in {i.pattern_id for i in roadmap.items()}
    assert any(n.startswith(f"Dropped the model's item {cache_item['id']}") and "stale" in n for n in roadmap.notes)
    assert {k.id for k in roadmap.workload} >= {"strong-consistency"}
    assert "in-process-cache" in {r.pattern_id for r in roadmap.not_recommended}


def test_a_korean_roadmap_reads_its_workload_and_problems_in_korean() -> None:
    roadmap = _roadmap(GOLDEN / "ticketing-ko.yaml").model_copy(update={"language": "ko"})
    text = render_markdown(roadmap)
    assert "## 어떤 시스템으로 읽었는지" in text and "재고·좌석·예약 시간대" in text
    assert "## 말씀하신 문제 (심각한 것부터)" in text and "*정합성 위험*" in text
    assert "## 이 시스템에 권하지 않는 것" in text
    assert "What kind of system" not in text and "worst first" not in text
    rejected = text.split("## 이 시스템에 권하지 않는 것")[1].split("## ")[0]
    assert "이미 운영 중입니다(CDN)" in rejected and "You already run" not in rejected
    assert "팀 규모" in rejected  # the catalogue's Korean reasons
