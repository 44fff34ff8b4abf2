"""The `scale-review` command end to end, in a subprocess, as a user runs it."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.roadmap.schema import Roadmap, SystemProfile
from storage import Database

REPO = Path(__file__).resolve().parents[2]


def run(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "OPENAI_", "DATABASE_URL", "PORT"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        env={**base, **(env or {})},
        cwd=cwd or REPO,
        timeout=120,
    )


def test_example_then_review_markdown(tmp_path: Path) -> None:
    example = run("example")
    assert example.returncode == 0, example.stderr
    profile_file = tmp_path / "profile.yaml"
    profile_file.write_text(example.stdout, encoding="utf-8")
    SystemProfile.model_validate(yaml.safe_load(example.stdout))
    result = run("review", str(profile_file), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.startswith("# Scale review: Moa Community")
    for heading in ("## Stage 1: Immediate improvements", "## Stage 2: Mid-term", "## Stage 3: Long-term"):
        assert heading in out
    assert "#### 1.1 " in out and "## Assumptions" in out and "## Sources" in out
    assert "Steps:" not in out and "--details" in out  # compact: the steps are one flag away
    detailed = run("review", str(profile_file), "--details", cwd=tmp_path)
    assert detailed.returncode == 0, detailed.stderr
    assert "**Predicted impact:**" in detailed.stdout and "Steps:" in detailed.stdout and "Verify:" in detailed.stdout
    assert len(detailed.stdout) > len(out)
    assert not (tmp_path / "scale-review.db").exists()  # nothing stored without --save


def test_review_json_is_the_roadmap_model() -> None:
    result = run("review", "examples/saas-api.yaml", "--format", "json")
    assert result.returncode == 0, result.stderr
    roadmap = Roadmap.model_validate_json(result.stdout)
    assert roadmap.system_name == "Ledgerly API" and roadmap.engine == "rules"


def test_example_json_round_trips() -> None:
    result = run("example", "--format", "json")
    assert result.returncode == 0
    assert SystemProfile.model_validate(json.loads(result.stdout)).system_name == "Moa Community"


def test_invalid_profile_exits_2_naming_each_field(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        yaml.safe_dump(
            {
                "system_name": "",
                "current_users": "lots",
                "target_users": 10,
                "core_features": [],
                "architecture": {"database": "x"},
                "bottlenecks": "slow",
                "budget": {"currency": "dollars"},
            }
        ),
        encoding="utf-8",
    )
    result = run("review", str(bad))
    assert result.returncode == 2
    assert result.stdout == ""
    for field in ("system_name", "current_users", "core_features", "architecture.servers", "budget.currency"):
        assert f"  - {field}:" in result.stderr, result.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [("[not: valid", "not valid YAML"), ("- a\n- list\n", "expected a mapping")],
)
def test_unreadable_profiles(tmp_path: Path, content: str, message: str) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(content, encoding="utf-8")
    result = run("review", str(bad))
    assert result.returncode == 2 and message in result.stderr


def test_missing_file() -> None:
    result = run("review", "does-not-exist.yaml")
    assert result.returncode == 2 and "cannot read the file" in result.stderr


def test_bad_setting_fails_with_one_line_naming_it() -> None:
    result = run("review", "examples/community.yaml", env={"PORT": "eighty"})
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0
    assert result.stderr.startswith("configuration error: PORT:")


def test_secret_values_never_echoed() -> None:
    result = run("review", "examples/community.yaml", env={"SLACK_BOT_TOKEN": "not-a-token-s3cr3t"})
    assert result.returncode == 2
    assert "SLACK_BOT_TOKEN" in result.stderr and "s3cr3t" not in result.stderr


def test_save_stores_answers_and_roadmap(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'reviews.db'}"
    result = run("review", "examples/community.yaml", "--save", env={"DATABASE_URL": url})
    assert result.returncode == 0, result.stderr
    assert "saved: review 1, roadmap 1, version 1" in result.stderr

    async def check() -> None:
        database = Database(url)
        try:
            async with database.unit_of_work() as repos:
                review = await repos.reviews.get(1)
                assert review is not None and review.source == "cli"
                assert review.profile_model.system_name == "Moa Community"
                version = await repos.roadmaps.latest_version(1)
                assert version is not None and version.status == "ready" and version.engine == "rules"
                roadmap = version.roadmap_model
                assert roadmap is not None
                items = await repos.items.list(version.id)
                assert [i.item_key for i in items] == [i.id for i in roadmap.items()]
        finally:
            await database.dispose()

    asyncio.run(check())


def test_db_upgrade_and_current(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'fresh.db'}"
    current = run("db", "current", env={"DATABASE_URL": url})
    assert current.returncode == 0 and "revision none" in current.stdout
    upgraded = run("db", "upgrade", env={"DATABASE_URL": url})
    assert upgraded.returncode == 0 and "upgraded to" in upgraded.stdout
    again = run("db", "current", env={"DATABASE_URL": url})
    assert "up to date" in again.stdout
