"""A tier that binds only after the earlier stages gets its first lever late: once the ledger's hot row is split,
the database is the wall, and the plan grows it instead of stopping there."""

from __future__ import annotations

from pathlib import Path

from bot.roadmap.profile_io import load_profile
from bot.roadmap.rules.generate import generate_rules_roadmap

GOLDEN = Path(__file__).resolve().parents[1] / "golden"


def test_the_database_grows_once_the_hot_row_no_longer_binds() -> None:
    roadmap = generate_rules_roadmap(load_profile(GOLDEN / "payments-ledger.yaml"))
    assert roadmap.summary.binding_bottleneck.startswith("lock contention")
    first, second = roadmap.stages[0], roadmap.stages[1]
    assert "hot-row-splitting" in {i.pattern_id for i in first.items}
    assert first.capacity_after.binding_tier == "database"
    grown = [i for i in second.items if i.pattern_id == "database-scale-up" and not i.deferred]
    assert grown, "the database binds after stage 1 and stage 2 does not grow it"
    assert second.capacity_after.users > first.capacity_after.users


def test_a_database_that_binds_from_the_start_is_not_offered_the_stop_gap_twice() -> None:
    roadmap = generate_rules_roadmap(load_profile(GOLDEN / "tiny-startup.yaml"))
    resizes = [(s.number, i) for s in roadmap.stages for i in s.items if i.pattern_id == "database-scale-up"]
    assert resizes[0][0] == 1 and resizes[0][1].title.startswith("Resize the server")
    # the shared box is resized once; the database grows again only on its own plan, after it moved off the box
    moved = next(s.number for s in roadmap.stages for i in s.items if i.pattern_id == "managed-database")
    assert all(stage > moved and item.title.startswith("Grow the database") for stage, item in resizes[1:])


def test_a_write_bound_database_on_the_largest_box_starts_its_split_in_stage_2() -> None:
    roadmap = generate_rules_roadmap(load_profile(GOLDEN / "crm-sharding.yaml"))
    stages = {i.pattern_id: s.number for s in roadmap.stages for i in s.items if not i.deferred}
    assert stages["database-sharding"] == 2  # a catalogue stage-3 project, started early: no bigger box exists
    assert "read-replicas" not in stages  # "writes are about 70% of its load": replicas add no write capacity
    assert any(k.id == "write-heavy" for k in roadmap.workload)
