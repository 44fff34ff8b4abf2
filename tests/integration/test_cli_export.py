"""The command line's files, run as a person runs them: `review --chart`, and `export` of a roadmap JSON file or of
a stored roadmap (with the statuses set since)."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path

from matplotlib.image import imread

from bot.roadmap.chart import PNG_MAGIC
from bot.roadmap.export import CSV_COLUMNS
from bot.roadmap.schema import ItemStatus, Roadmap
from storage import Database
from tests.integration.test_cli import run


def test_review_writes_the_capacity_chart(tmp_path: Path) -> None:
    png = tmp_path / "roadmap.png"
    result = run("review", "examples/community.yaml", "--chart", str(png))
    assert result.returncode == 0, result.stderr
    assert f"capacity chart written to {png}" in result.stderr
    content = png.read_bytes()
    assert content.startswith(PNG_MAGIC) and imread(io.BytesIO(content), format="png").shape[:2] == (560, 800)
    assert result.stdout.startswith("# Scale review: Moa Community")  # the roadmap is printed as before


def test_export_a_roadmap_json_file_in_each_format(tmp_path: Path) -> None:
    reviewed = run("review", "examples/saas-api.yaml", "--format", "json")
    assert reviewed.returncode == 0, reviewed.stderr
    source = tmp_path / "roadmap.json"
    source.write_text(reviewed.stdout, encoding="utf-8")
    roadmap = Roadmap.model_validate_json(reviewed.stdout)

    as_csv = run("export", str(source), "--format", "csv")
    assert as_csv.returncode == 0, as_csv.stderr
    rows = list(csv.DictReader(io.StringIO(as_csv.stdout, newline="")))
    assert tuple(rows[0]) == CSV_COLUMNS
    assert [r["Summary"] for r in rows] == [f"{i.id} {i.title}" for i in roadmap.items()]
    assert {r["Status"] for r in rows} == {"To Do"}

    as_md = run("export", str(source))  # Markdown by default
    assert as_md.returncode == 0 and as_md.stdout.count("- [ ] **") == len(rows)

    out = tmp_path / "copy.json"
    as_json = run("export", str(source), "--format", "json", "--output", str(out))
    assert as_json.returncode == 0 and f"written to {out}" in as_json.stderr and as_json.stdout == ""
    assert Roadmap.model_validate_json(out.read_text(encoding="utf-8")) == roadmap


def test_export_a_stored_roadmap_with_its_statuses(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'reviews.db'}"
    saved = run("review", "examples/community.yaml", "--save", env={"DATABASE_URL": url})
    assert saved.returncode == 0, saved.stderr

    async def progress() -> None:
        database = Database(url)
        try:
            async with database.unit_of_work() as repos:
                version = await repos.roadmaps.latest_version(1)
                assert version is not None
                await repos.items.set_status(version.id, "1.1", ItemStatus.DONE, actor="U0000ALICE")
                await repos.items.set_owner(version.id, "1.2", "U0000BOB")
        finally:
            await database.dispose()

    asyncio.run(progress())
    result = run("export", "1", "--format", "csv", env={"DATABASE_URL": url})
    assert result.returncode == 0, result.stderr
    rows = {r["Summary"].split(" ", 1)[0]: r for r in csv.DictReader(io.StringIO(result.stdout, newline=""))}
    assert rows["1.1"]["Status"] == "Done" and rows["1.2"]["Assignee"] == "U0000BOB"


def test_export_of_nothing_exportable_exits_2(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}"
    missing = run("export", "7", env={"DATABASE_URL": url})
    assert missing.returncode == 2 and "no roadmap 7 with a generated version" in missing.stderr
    profile = run("export", "examples/community.yaml")
    assert profile.returncode == 2 and "is not a roadmap JSON file" in profile.stderr
    absent = run("export", str(tmp_path / "nope.json"))
    assert absent.returncode == 2 and "cannot read" in absent.stderr
    unwritable = run("review", "examples/saas-api.yaml", "--chart", str(tmp_path / "no" / "such" / "dir.png"))
    assert unwritable.returncode == 2 and "cannot write" in unwritable.stderr
