"""The team's time bounds a stage: generic work moves on, the answers to what the team named stay."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.roadmap.rules.generate import generate_rules_roadmap
from bot.roadmap.schema import Roadmap, SystemProfile
from bot.roadmap.team_time import available_weeks
from bot.roadmap.traffic import team_in

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


def _profile(name: str, **changes: object) -> SystemProfile:
    data = yaml.safe_load((GOLDEN / f"{name}.yaml").read_text(encoding="utf-8"))
    for key, value in changes.items():
        section, _, field = key.partition("__")
        if field:
            data[section][field] = value
        else:
            data[key] = value
    return SystemProfile.model_validate(data)


def _stage_of(roadmap: Roadmap) -> dict[str, int]:
    """The stage where each lever first appears (a later re-size of it is not where it moved)."""
    first: dict[str, int] = {}
    for stage in roadmap.stages:
        for item in stage.items:
            if item.pattern_id:
                first.setdefault(item.pattern_id, stage.number)
    return first


def _weeks(roadmap: Roadmap, stage: int) -> float:
    items = roadmap.stages[stage - 1].items
    return sum(i.effort.person_days.mid for i in items if i.deferred is None) / 5


def test_two_part_time_founders_get_their_named_fixes_first_and_the_generic_work_later() -> None:
    roadmap = generate_rules_roadmap(_profile("tiny-startup"))
    # the same answers without the sentence about the team: nothing bounds the first two weeks
    unbounded = generate_rules_roadmap(_profile("tiny-startup", budget__constraints=None))
    before, after = _stage_of(unbounded), _stage_of(roadmap)
    moved = [p for p, stage in before.items() if stage == 1 and after.get(p, 3) > 1]
    assert {"n-plus-one-queries", "load-test-baseline"} <= set(moved)
    # what the founders named is answered first: backups, the 7:00 cron off the peak, room on the full disk; the
    # structural answers (a queue, object storage) follow in stage 2
    assert {after["backups-pitr"], after["batch-off-peak"], after["storage-headroom"]} == {1}
    assert after["async-queue-workers"] == after["media-object-storage"] == 2
    assert _weeks(roadmap, 1) < _weeks(unbounded, 1)
    note = next(n for n in roadmap.notes if "moved to the next stage" in n)
    ids = {i.pattern_id: i.id for s in roadmap.stages for i in s.items}
    for pattern_id in moved:
        if pattern_id in ids:
            assert ids[pattern_id] in note
    # what stays fits two weeks of two half-time founders, so no note says the stage is still too long
    assert _weeks(roadmap, 1) <= available_weeks(2, 1)
    assert not any("is still about" in n for n in roadmap.notes)


def test_a_known_event_keeps_its_load_test_and_prescaling_in_the_first_stage() -> None:
    roadmap = generate_rules_roadmap(_profile("flash-sale-shop"))
    stage = _stage_of(roadmap)
    assert stage["load-test-baseline"] == 1
    assert stage["scheduled-prescaling"] == 1
    assert any("is still about" in n for n in roadmap.notes)  # over the team's weeks, and they stay


def test_a_team_with_time_to_spare_keeps_its_plan() -> None:
    crowded = generate_rules_roadmap(_profile("rails-droplet"))
    roomy = generate_rules_roadmap(_profile("rails-droplet", budget__constraints="Twenty engineers on the platform."))
    assert not any("moved to the next stage" in n for n in roomy.notes)
    assert any("moved to the next stage" in n for n in crowded.notes)
    assert _weeks(roomy, 1) > _weeks(crowded, 1)


def test_the_note_reads_in_korean_for_a_korean_roadmap() -> None:
    roadmap = generate_rules_roadmap(_profile("tiny-startup", language="ko"))
    assert any("다음 단계로 옮겼습니다" in n for n in roadmap.notes)
    assert not any("moved to the next stage" in n for n in roadmap.notes)


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("Twenty-five engineers in five teams; expansion to the EU next year.", 25),
        ("Sixty engineers in eight teams, a platform team of six.", 60),
        ("Thirty engineers, a database team of three; zero-downtime migrations only.", 30),
        ("Backend team of four.", 4),
        ("Two founders, both part-time on engineering.", 2),
        ("개발자 4명, 다음 대형 공연 오픈이 한 달 뒤입니다.", 4),
        ("창업자 2명이 개발도 합니다.", 2),
        ("창업자 2명, 개발은 한 명이 전담", 1),
        ("Three founders; one developer does all the engineering.", 1),
        ("We have no deadline.", None),
    ],
)
def test_the_team_is_the_largest_count_written(text: str, size: int | None) -> None:
    found = team_in(text)
    assert (found[0] if found else None) == size


def test_a_deadline_names_what_must_ship_before_it() -> None:
    roadmap = generate_rules_roadmap(_profile("flash-sale-shop"))  # "the next drop is in six weeks"
    note = next(n for n in roadmap.notes if n.startswith("Deadline"))
    ids = {i.pattern_id: i.id for i in roadmap.items()}
    listed = note.split("Ship before it: ", 1)[1]
    for pattern_id in ("atomic-inventory", "waiting-room", "load-test-baseline"):  # the risk fix, the event's levers
        assert ids[pattern_id] in listed
    assert ids["capacity-review-cadence"] not in listed


def test_a_deadline_keeps_the_first_answer_to_each_named_problem_before_it() -> None:
    roadmap = generate_rules_roadmap(_profile("game-backend"))  # "We launch globally in three months"
    note = next(n for n in roadmap.notes if n.startswith("Deadline"))
    listed = note.split("Ship before it: ", 1)[1]
    ids = {i.pattern_id: i.id for i in roadmap.items()}
    # "The leaderboard query (ORDER BY score over 12M rows) takes about 2 s": its answer ships before the launch
    assert ids["sorted-set-rankings"].startswith("2.") and ids["sorted-set-rankings"] in listed
    assert ids["capacity-review-cadence"] not in listed
