"""Weekly nudges: the sweep against real databases and the fake Slack Web API, and two processes at once."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import pytest
from slack_sdk.web.async_client import AsyncWebClient

from bot.roadmap.profile_io import load_profile
from bot.roadmap.rules.generate import generate_rules_roadmap
from bot.roadmap.schema import ItemStatus
from bot.services.nudges import DONE_KEY, MAX_ATTEMPTS, NudgeDefaults, NudgeService
from bot.slack.publisher import SlackPublisher
from storage import Database
from tests.fakes.slack_api import FakeSlack

REPO = Path(__file__).resolve().parents[2]
TOKEN = "xoxb-nudge-tests"
PROFILE = load_profile(REPO / "examples" / "saas-api.yaml")
ROADMAP = generate_rules_roadmap(PROFILE)
CREATED = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)  # a Thursday


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@dataclass
class World:
    fake: FakeSlack
    database: Database
    nudges: NudgeService

    def nudge_messages(self, channel: str, thread_ts: str) -> list[dict]:  # type: ignore[type-arg]
        return [m for m in self.fake.messages(channel, thread_ts) if "Weekly check-in" in m.get("text", "")]


@pytest.fixture
async def world(database: Database) -> AsyncIterator[World]:
    fake = FakeSlack(token=TOKEN).start()
    client = AsyncWebClient(token=TOKEN, base_url=fake.base_url)
    service = NudgeService(database, SlackPublisher(client), NudgeDefaults(0, time(10, 0), "UTC"))
    try:
        yield World(fake, database, service)
        fake.assert_clean()
    finally:
        fake.stop()


async def add_roadmap(world: World, channel: str, *, tz: str | None = "Asia/Seoul") -> tuple[int, str]:
    """A posted roadmap (answers, ready version, thread) with its default schedule; (roadmap id, thread ts)."""
    world.fake.add_channel(channel)
    thread_ts = world.fake.add_message(channel, "Scale review for Ledgerly API", user="U0000BOT")
    async with world.database.unit_of_work() as repos:
        workspace = await repos.workspaces.get_or_create("T0000FAKE")
        review = await repos.reviews.add(
            PROFILE, workspace_id=workspace.id, user_id="U0OWNER", channel_id=channel, source="slack"
        )
        roadmap = await repos.roadmaps.create(review.id, owner_user_id="U0OWNER", channel_id=channel)
        version = await repos.roadmaps.start_version(roadmap.id, engine="rules")
        await repos.roadmaps.complete_version(version.id, ROADMAP)
        await repos.roadmaps.set_thread(roadmap.id, channel, thread_ts)
        roadmap_id = roadmap.id
    await world.nudges.ensure_schedule(roadmap_id, timezone=tz, now=CREATED)
    return roadmap_id, thread_ts


async def next_due(world: World, roadmap_id: int) -> datetime | None:
    async with world.database.unit_of_work() as repos:
        schedule = await repos.nudges.get_schedule(roadmap_id)
        assert schedule is not None
        return schedule.next_due_at


async def close_all(world: World, roadmap_id: int) -> None:
    async with world.database.unit_of_work() as repos:
        version = await repos.roadmaps.latest_version(roadmap_id)
        assert version is not None
        for item in await repos.items.list(version.id):
            await repos.items.set_status(version.id, item.item_key, ItemStatus.DONE, actor="U0OWNER")


async def test_due_in_the_owners_zone_once_a_week(world: World) -> None:
    roadmap_id, thread = await add_roadmap(world, "C0NUDGE1")
    # Monday 10:00 in Seoul is 01:00 UTC; the roadmap was posted on Thursday, so the first is Monday 30 Nov
    assert await next_due(world, roadmap_id) == utc(2026, 11, 30, 1)
    assert (await world.nudges.sweep(utc(2026, 11, 30, 0, 59))).sent == []
    report = await world.nudges.sweep(utc(2026, 11, 30, 1, 0, 30))
    assert [(s.roadmap_id, s.period_key, s.kind) for s in report.sent] == [(roadmap_id, "2026-W49", "nudge")]
    assert await next_due(world, roadmap_id) == utc(2026, 12, 7, 1)
    assert (await world.nudges.sweep(utc(2026, 11, 30, 1, 5))).sent == []  # not twice the same week
    messages = world.nudge_messages("C0NUDGE1", thread)
    assert len(messages) == 1 and messages[0]["thread_ts"] == thread
    text = json.dumps(messages[0]["blocks"])
    first = ROADMAP.stages[0].items[0]
    assert first.title in text and "Mondays at 10:00 (Asia/Seoul)" in text and "Mon 7 Dec 10:00 KST" in text


async def test_default_zone_when_the_owners_is_unknown_and_dst(world: World) -> None:
    roadmap_id, _ = await add_roadmap(world, "C0NUDGE2", tz=None)
    assert await next_due(world, roadmap_id) == utc(2026, 11, 30, 10)  # Monday 10:00 in the default (UTC)
    view = await world.nudges.change(roadmap_id, now=utc(2027, 3, 22, 12), timezone="Europe/Berlin")
    assert "Europe/Berlin" in view.text()
    assert await next_due(world, roadmap_id) == utc(2027, 3, 29, 8)  # after the spring change: CEST
    assert len((await world.nudges.sweep(utc(2027, 3, 29, 8))).sent) == 1
    assert await next_due(world, roadmap_id) == utc(2027, 4, 5, 8)


async def test_downtime_sends_one_catch_up_not_a_backlog(world: World) -> None:
    roadmap_id, thread = await add_roadmap(world, "C0NUDGE3")
    later = utc(2027, 1, 6, 12)  # five Mondays were missed
    report = await world.nudges.sweep(later)
    assert len(report.sent) == 1 and report.sent[0].period_key == "2027-W01"
    messages = world.nudge_messages("C0NUDGE3", thread)
    assert len(messages) == 1 and "missed while" in json.dumps(messages[0]["blocks"])
    assert await next_due(world, roadmap_id) == utc(2027, 1, 11, 1)
    assert (await world.nudges.sweep(later + timedelta(minutes=1))).sent == []


async def test_all_done_congratulates_once_and_stops(world: World) -> None:
    roadmap_id, thread = await add_roadmap(world, "C0NUDGE4")
    await close_all(world, roadmap_id)
    await world.nudges.after_status_change(roadmap_id, now=utc(2026, 11, 27))
    await world.nudges.after_status_change(roadmap_id, now=utc(2026, 11, 27, 1))  # twice: still once
    done = [m for m in world.fake.messages("C0NUDGE4", thread) if "Every item" in json.dumps(m.get("blocks", []))]
    assert len(done) == 1
    assert await next_due(world, roadmap_id) is None
    assert (await world.nudges.sweep(utc(2026, 12, 30))).sent == []
    async with world.database.unit_of_work() as repos:
        log = (await repos.nudges.logs_for([(roadmap_id, DONE_KEY)]))[(roadmap_id, DONE_KEY)]
        assert log.status == "sent"


async def test_sweep_also_congratulates_when_everything_closed_meanwhile(world: World) -> None:
    roadmap_id, _ = await add_roadmap(world, "C0NUDGE5")
    await close_all(world, roadmap_id)  # closed without the hook (e.g. by another instance's bug or a restore)
    report = await world.nudges.sweep(utc(2026, 11, 30, 2))
    assert [s.kind for s in report.sent] == ["completion"]
    assert await next_due(world, roadmap_id) is None


async def test_pause_resume_and_snooze(world: World) -> None:
    roadmap_id, _ = await add_roadmap(world, "C0NUDGE6")
    view = await world.nudges.pause(roadmap_id)
    assert view.paused and view.next_label() is None
    assert (await world.nudges.sweep(utc(2026, 12, 15))).sent == []
    view = await world.nudges.resume(roadmap_id, now=utc(2026, 12, 15))
    assert await next_due(world, roadmap_id) == utc(2026, 12, 21, 1) and view.next_label() == "Mon 21 Dec 10:00 KST"
    await world.nudges.snooze(roadmap_id, now=utc(2026, 12, 15))
    assert await next_due(world, roadmap_id) == utc(2026, 12, 28, 1)  # the 21st is skipped


async def test_a_failed_send_is_retried_later_not_lost_nor_doubled(world: World) -> None:
    roadmap_id, thread = await add_roadmap(world, "C0NUDGE7")
    world.fake.fail_next("chat.postMessage", "internal_error")
    first = await world.nudges.sweep(utc(2026, 11, 30, 1))
    assert first.sent == [] and first.failed and first.failed[0][0] == roadmap_id
    assert await next_due(world, roadmap_id) == utc(2026, 11, 30, 1, 5)  # retried in five minutes
    assert (await world.nudges.sweep(utc(2026, 11, 30, 1, 2))).sent == []  # not yet
    second = await world.nudges.sweep(utc(2026, 11, 30, 1, 6))
    assert [s.period_key for s in second.sent] == ["2026-W49"]
    assert len(world.nudge_messages("C0NUDGE7", thread)) == 1
    async with world.database.unit_of_work() as repos:
        log = (await repos.nudges.logs_for([(roadmap_id, "2026-W49")]))[(roadmap_id, "2026-W49")]
        assert log.status == "sent" and log.attempts == 2


async def test_a_week_that_keeps_failing_is_given_up(world: World) -> None:
    roadmap_id, _ = await add_roadmap(world, "C0NUDGE8")
    now = utc(2026, 11, 30, 1)
    for _ in range(MAX_ATTEMPTS):
        world.fake.fail_next("chat.postMessage", "internal_error")
        assert not (await world.nudges.sweep(now)).sent
        now += timedelta(minutes=6)
    report = await world.nudges.sweep(now)
    assert report.sent == [] and report.failed == []
    assert await next_due(world, roadmap_id) == utc(2026, 12, 7, 1)  # next week gets a fresh try


async def test_a_paged_sweep_reaches_everything_with_constant_statements(world: World) -> None:
    roadmap_ids = [(await add_roadmap(world, f"C0PAGE{n:02d}"))[0] for n in range(12)]
    report = await world.nudges.sweep(utc(2026, 11, 30, 2), page_size=5)
    assert report.pages == 3 and sorted(s.roadmap_id for s in report.sent) == sorted(roadmap_ids)


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
async def test_two_processes_sweeping_at_once_send_each_nudge_exactly_once(
    world: World, pg_migrated_url: str, tmp_path: Path
) -> None:
    roadmaps = [await add_roadmap(world, f"C0TWO{n:03d}") for n in range(40)]
    world.fake.delay("chat.postMessage", 0.02)  # long enough for the two sweeps to overlap
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "OPENAI_"))},
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_API_URL": world.fake.base_url,
        "DATABASE_URL": pg_migrated_url,
        "NUDGE_PAGE_SIZE": "3",
    }
    command = [sys.executable, "-m", "bot", "nudge", "--at", "2026-11-30T01:00:00+00:00"]
    processes = [
        await asyncio.create_subprocess_exec(*command, env=env, cwd=tmp_path, stdout=subprocess.PIPE) for _ in (1, 2)
    ]
    outputs = [(await p.communicate())[0].decode() for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    sent_lines = [line for out in outputs for line in out.splitlines() if line.startswith("sent nudge")]
    assert len(sent_lines) == 40
    assert all(out.count("sent nudge") > 0 for out in outputs), "both processes should have shared the work"
    for (_, thread), n in zip(roadmaps, range(40), strict=True):
        assert len(world.nudge_messages(f"C0TWO{n:03d}", thread)) == 1


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)  # PostgreSQL: the two-process test above
async def test_cli_nudge_prints_what_it_sent(world: World, tmp_path: Path, database: Database) -> None:
    roadmap_id, thread = await add_roadmap(world, "C0CLI")
    url = database.engine.url.render_as_string(hide_password=False)
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("SLACK_", "OPENAI_"))},
        "SLACK_BOT_TOKEN": TOKEN,
        "SLACK_API_URL": world.fake.base_url,
        "DATABASE_URL": url,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "nudge",
        "--at",
        "2026-11-30T10:00:00+09:00",
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert process.returncode == 0, err.decode()
    text = out.decode()
    assert f"sent nudge for roadmap {roadmap_id} (Ledgerly API) in C0CLI, thread {thread}, period 2026-W49" in text
    assert "1 sent, 0 failed" in text
    bad = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "nudge",
        "--at",
        "2026-11-30T10:00",
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    _, bad_err = await bad.communicate()
    assert bad.returncode == 2 and "has no UTC offset" in bad_err.decode()
