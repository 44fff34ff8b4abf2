"""Exports read as a person or an issue tracker reads them: the CSV through csv.DictReader, the Markdown as a
checklist, the JSON back into the model."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from bot.engines.rules import RulesEngine
from bot.roadmap import export
from bot.roadmap.profile_io import load_profile
from bot.roadmap.schema import ItemStatus, Roadmap
from tests.builders import sample_roadmap

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.fixture(scope="module")
def roadmap() -> Roadmap:
    import asyncio

    return asyncio.run(RulesEngine().generate(load_profile(EXAMPLES / "community.yaml"))).roadmap


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_csv_round_trips_one_issue_per_item_with_the_importers_columns(roadmap: Roadmap) -> None:
    items = list(roadmap.items())
    first, second = items[0].id, items[1].id
    statuses = {first: ItemStatus.DONE, second: ItemStatus.IN_PROGRESS}
    text = export.to_csv(roadmap, statuses, {second: "U0000BOB"}, lang="en")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    assert tuple(reader.fieldnames or ()) == export.CSV_COLUMNS
    rows = list(reader)
    assert [r["Summary"] for r in rows] == [f"{i.id} {i.title}" for i in items]
    assert [r["Labels"] for r in rows] == [f"stage-{i.stage}" for i in items]
    by_id = {r["Summary"].split(" ", 1)[0]: r for r in rows}
    assert by_id[first]["Status"] == "Done" and by_id[second]["Status"] == "In Progress"
    assert by_id[second]["Assignee"] == "U0000BOB" and by_id[first]["Assignee"] == ""
    assert all(r["Status"] == "To Do" for k, r in by_id.items() if k not in (first, second))
    for item, row in zip(items, rows, strict=True):
        # the estimate is the middle of the person-day range, in seconds of 8-hour days (Jira's unit)
        assert int(row["Original Estimate"]) == round(item.effort.person_days.mid * 8 * 3600)
        assert item.why in row["Description"] and all(step in row["Description"] for step in item.steps)
        assert "\n" in row["Description"]  # multi-line text survives the quoting


def test_csv_quotes_commas_quotes_and_newlines_in_titles() -> None:
    roadmap = sample_roadmap(
        (("1.1", None, 'Cache "hot" reads, then, maybe\nsplit'), ("2.1", None, "B"), ("3.1", None, "C"))
    )
    rows = _rows(export.to_csv(roadmap, {}, lang="en"))
    assert rows[0]["Summary"] == '1.1 Cache "hot" reads, then, maybe\nsplit'
    assert len(rows) == 3


def test_closed_statuses_map_to_wont_do_and_tick_the_box() -> None:
    roadmap = sample_roadmap()
    statuses = {"1.1": ItemStatus.ACKNOWLEDGED, "1.2": ItemStatus.NOT_APPLICABLE, "2.1": ItemStatus.DONE}
    rows = {r["Summary"].split(" ", 1)[0]: r["Status"] for r in _rows(export.to_csv(roadmap, statuses, lang="en"))}
    assert rows["1.1"] == rows["1.2"] == "Won't Do" and rows["2.1"] == "Done" and rows["2.2"] == "To Do"
    md = export.to_markdown(roadmap, statuses, {"2.2": "U0000BOB"}, lang="en")
    assert "- [x] **1.1 Index the slow queries** (risk accepted)" in md
    assert "- [x] **2.1 Add read replicas** (done)" in md
    assert "- [ ] **2.2 Add timeouts and circuit breakers** (to do, owner U0000BOB)" in md


def test_markdown_groups_items_by_stage_in_order(roadmap: Roadmap) -> None:
    md = export.to_markdown(roadmap, {}, lang="en")
    positions = [md.index(f"## {s.number}. {s.name}") for s in roadmap.stages]
    assert positions == sorted(positions)
    for stage in roadmap.stages:
        start = md.index(f"## {stage.number}. {stage.name}")
        end = md.index(f"## {stage.number + 1}.") if stage.number < 3 else len(md)
        section = md[start:end]
        assert section.count("- [ ] **") == len(stage.items)
        for item in stage.items:
            assert f"**{item.id} {item.title}**" in section


def test_korean_export_reads_korean_around_the_items() -> None:
    roadmap = sample_roadmap()
    md = export.to_markdown(roadmap, {"1.1": ItemStatus.DONE}, lang="ko")
    assert md.startswith("# 확장 로드맵: Checkout API")
    assert "(완료)" in md and "예상 효과" in md
    description = _rows(export.to_csv(roadmap, {}, lang="ko"))[0]["Description"]
    assert "단계:" in description and "확인 방법:" in description
    # the columns and statuses stay what the importers map automatically
    assert _rows(export.to_csv(roadmap, {}, lang="ko"))[0]["Status"] == "To Do"


def test_json_is_the_model_and_reads_back(roadmap: Roadmap) -> None:
    assert Roadmap.model_validate_json(export.to_json(roadmap)) == roadmap


def test_render_dispatches_and_refuses_unknown_formats(roadmap: Roadmap) -> None:
    assert export.render(roadmap, "csv", {}, lang="en") == export.to_csv(roadmap, {}, lang="en")
    with pytest.raises(ValueError, match="unknown export format"):
        export.render(roadmap, "xlsx", {}, lang="en")


def test_export_files_are_named_after_the_system_and_version() -> None:
    files = export.export_files(sample_roadmap(system_name="모아 / Community"), {}, lang="ko", version=2)
    assert [f.filename for f in files] == [
        "모아-community-roadmap-v2.md",
        "모아-community-roadmap-v2.csv",
        "모아-community-roadmap-v2.json",
    ]
    assert all(f.content and f.title for f in files)
    assert Roadmap.model_validate_json(files[2].content).system_name == "모아 / Community"
