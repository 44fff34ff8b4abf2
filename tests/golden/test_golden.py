"""The golden suite: realistic profiles of different workload kinds, each with what an expert expects.

Each ``<name>.yaml`` is a questionnaire as a team would fill it in; ``<name>.expect.yaml`` was written
before the engine ever ran on it and names the levers (catalogue pattern ids) an experienced engineer
expects by stage, the levers that must not appear, and the named problems that must each get an item.
Text that must not appear is checked in what the team is told to do (titles, reasons, steps, checks), not in the
sources, which may cite another engine's manual. The histogram test keeps the engine from handing every system the
same skeleton.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.roadmap.catalogue import load_catalogue
from bot.roadmap.profile_io import load_profile
from bot.roadmap.rules.generate import generate_rules_roadmap
from bot.roadmap.schema import Roadmap, RoadmapItem

HERE = Path(__file__).parent
NAMES = sorted(p.name.removesuffix(".yaml") for p in HERE.glob("*.yaml") if not p.name.endswith(".expect.yaml"))

# Expectations the engine does not meet yet, with the reason; strict, so a fix shows up as XPASS.
XFAIL: dict[str, str] = {
    "podcast-downloads": (
        "the NIC figure (1 Gbit/s at 85%) sizes the bytes (76 KB a request), yet the CDN, moved to stage 2 for the "
        "team's time, is held back there at the top of its range (bandwidth-CDN prices up to $0.03/GB) by a EUR 2,500 "
        "budget; the plan reaches the target by growing the team's own edge nodes instead"
    ),
}
HISTOGRAM_PENDING = False
# Not held to MAX_SHARE, with the reason: the catalogue's baseline practices (`always`, one or two per stage, the
# review's own method) and the app tier's scale-out, which the capacity model sizes for nearly every growing system.
EXEMPT = {
    "horizontal-app-scaling": "the app tier's scale-out, sized by the capacity model for nearly every target",
    "database-scale-up": "the database's scale-up, the first step whenever the database binds in a stage",
}

# No pattern may be on more than this share of the golden roadmaps (one skeleton for every system).
MAX_SHARE = 0.6


@dataclass(frozen=True)
class Expect:
    kinds: list[str] = field(default_factory=list)
    stage1: list[str] = field(default_factory=list)
    by_stage2: list[str] = field(default_factory=list)
    anywhere: list[str] = field(default_factory=list)
    absent: list[str] = field(default_factory=list)
    stage1_lead: list[str] = field(default_factory=list)
    absent_text: list[str] = field(default_factory=list)
    spike: str | None = None
    problems: list[dict[str, Any]] = field(default_factory=list)


def _expect(name: str) -> Expect:
    data = yaml.safe_load((HERE / f"{name}.expect.yaml").read_text(encoding="utf-8"))
    return Expect(**data)


def _grows_what_they_run(item: RoadmapItem) -> bool:
    return bool(item.sources) and item.sources[0] == "re-sized from what you already run"


@cache
def _roadmap(name: str) -> Roadmap:
    return generate_rules_roadmap(load_profile(HERE / f"{name}.yaml"))


def _stage_of(roadmap: Roadmap) -> dict[str, int]:
    """Pattern id -> the first stage with its item, for items the plan really carries (not held back)."""
    stages: dict[str, int] = {}
    for item in roadmap.items():
        if item.pattern_id and not item.deferred:
            stages.setdefault(item.pattern_id, item.stage)
    return stages


def check(name: str) -> list[str]:
    """Every unmet expectation for one golden profile, in words."""
    expect = _expect(name)
    roadmap = _roadmap(name)
    stages = _stage_of(roadmap)
    listed = {i.pattern_id for i in roadmap.items()}
    known = {p.id for p in load_catalogue().patterns}
    wrong: list[str] = []
    ids = expect.stage1 + expect.by_stage2 + expect.anywhere + expect.absent + expect.stage1_lead
    ids += [p for problem in expect.problems for p in problem["by"]]
    wrong += [f"unknown pattern id {p}" for p in sorted(set(ids) - known)]
    found_kinds = {k.id for k in getattr(roadmap, "workload", [])}
    wrong += [
        f"workload kind {k} not recognised (read {sorted(found_kinds)})" for k in expect.kinds if k not in found_kinds
    ]
    wrong += [f"{p} not in stage 1 (stage {stages.get(p)})" for p in expect.stage1 if stages.get(p) != 1]
    wrong += [f"{p} not by stage 2 (stage {stages.get(p)})" for p in expect.by_stage2 if stages.get(p, 9) > 2]
    wrong += [f"{p} missing" for p in expect.anywhere if p not in stages]
    wrong += [f"{p} must not appear" for p in expect.absent if p in listed]
    first = [i.pattern_id for i in roadmap.stages[0].items][: len(expect.stage1_lead) + 1]
    wrong += [f"{p} does not lead stage 1 ({first})" for p in expect.stage1_lead if p not in first]
    advice = " ".join(" ".join([i.title, i.why, *i.steps, *i.verify]) for i in roadmap.items()).lower()
    wrong += [f"text {t!r} does not fit this stack" for t in expect.absent_text if t.lower() in advice]
    if expect.spike:
        load_test = next((i for i in roadmap.items() if i.pattern_id == "load-test-baseline"), None)
        steps = " ".join(load_test.steps) if load_test else ""
        if expect.spike not in steps:
            wrong.append(f"the load test does not take the stated spike shape {expect.spike}")
    answers = getattr(roadmap, "problems", [])
    for problem in expect.problems:
        said, wanted = problem["said"], set(problem["by"])
        matched = [a for a in answers if said.lower() in a.said.lower()]
        patterns = {roadmap.item(i).pattern_id for a in matched for i in a.item_ids if roadmap.item(i)}
        if not matched:
            wrong.append(f"problem {said!r} is not answered")
        elif not patterns & wanted:
            wrong.append(f"problem {said!r} answered by {sorted(patterns)}, expected one of {sorted(wanted)}")
    if not getattr(roadmap, "not_recommended", None):
        wrong.append("no 'Not recommended for this system' section")
    return wrong


def _case(name: str) -> Any:
    marks = [pytest.mark.xfail(strict=True, reason=XFAIL[name])] if name in XFAIL else []
    return pytest.param(name, marks=marks, id=name)


def test_the_suite_is_large_and_mixed() -> None:
    assert len(NAMES) >= 15
    korean = [n for n in NAMES if any("\uac00" <= ch <= "\ud7a3" for ch in (HERE / f"{n}.yaml").read_text("utf-8"))]
    assert len(korean) >= 4


@pytest.mark.parametrize("name", [_case(n) for n in NAMES])
def test_golden_profile_meets_its_expectations(name: str) -> None:
    wrong = check(name)
    assert not wrong, f"{name}:\n  " + "\n  ".join(wrong)


@pytest.mark.xfail(
    HISTOGRAM_PENDING,
    strict=True,
    reason="scale-out-edge answers the capacity model's default network tier on most roadmaps",
)
def test_pattern_histogram_over_the_golden_roadmaps() -> None:
    """Every pattern is reached by some golden profile and none is handed to (almost) everyone."""
    # growing a fleet the team already runs (its replicas, its servers) is not handing it the pattern
    counts = Counter(
        p
        for n in NAMES
        for p in {i.pattern_id for i in _roadmap(n).items() if i.pattern_id and not _grows_what_they_run(i)}
    )
    catalogue = [p.id for p in load_catalogue().patterns]
    width = max(map(len, catalogue))
    print(f"\npattern histogram over {len(NAMES)} golden roadmaps")
    for pattern_id in sorted(catalogue, key=lambda p: (-counts[p], p)):
        print(f"  {pattern_id:<{width}} {counts[pattern_id]:>3} {'#' * counts[pattern_id]}")
    unreached = [p for p in catalogue if counts[p] == 0]
    always = {p.id for p in load_catalogue().patterns if p.triggers.always}
    print(f"  not held to {MAX_SHARE:.0%}: {sorted(always)} (always), {sorted(EXEMPT)}")
    limit = math.ceil(MAX_SHARE * len(NAMES))  # "about 60%": 11 of 18
    crowded = [p for p in catalogue if counts[p] > limit and p not in always and p not in EXEMPT]
    assert not unreached, f"patterns no golden profile reaches: {unreached}"
    assert not crowded, f"patterns on more than {MAX_SHARE:.0%} of the golden roadmaps: {crowded}"
