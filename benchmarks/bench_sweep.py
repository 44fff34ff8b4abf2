"""One nudge sweep over 100,000 roadmaps on PostgreSQL, 10% of them due, sending to the fake Slack Web API.

Seeds a fresh PostgreSQL database (COPY, ~5 items per roadmap), runs the bot's real sweep
(NudgeService over SQLAlchemy/asyncpg, SlackPublisher over slack_sdk with per-channel pacing) and
prints: the time for the sweep to claim, render and send; sends per second; and the SQL statements
per page (the goal: constant per page, not per roadmap). The fake Slack runs in its own process so
its Block Kit checks do not share this process's CPU.

Needs PostgreSQL: SCALE_REVIEW_TEST_POSTGRES_URL (default postgresql://postgres@127.0.0.1:5432/postgres).
Run from the repository root: python benchmarks/bench_sweep.py [--roadmaps 100000] [--due 0.1] [--channels 2000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import os
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

import asyncpg  # noqa: E402
from sqlalchemy import event, make_url, text  # noqa: E402

from benchmarks.bot_process import scratch_postgres  # noqa: E402
from bot.app import build_services  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.roadmap.examples import EXAMPLE_PROFILE  # noqa: E402
from bot.services import nudges as nudge_module  # noqa: E402
from bot.slack.client import close_client, make_client  # noqa: E402
from storage import Database  # noqa: E402

TOKEN = "xoxb-bench-sweep"
NOW = datetime(2026, 11, 30, 1, 0, tzinfo=UTC)  # Monday 10:00 in Seoul
ITEMS = [
    (1, "Find the slow queries and add the missing indexes"),
    (1, "Serve static files through a CDN"),
    (2, "Run stateless app servers behind a load balancer"),
    (2, "Add read replicas"),
    (3, "Make capacity a routine"),
]


def serve_fake(channels: int, port_queue: multiprocessing.Queue, stop: multiprocessing.Event) -> None:  # type: ignore[type-arg]
    """The fake Slack Web API in its own process."""
    from tests.fakes.slack_api import FakeSlack

    fake = FakeSlack(token=TOKEN).start()
    for n in range(channels):
        fake.add_channel(f"C{n:07d}")
    port_queue.put((fake.base_url, os.getpid()))
    stop.wait()
    port_queue.put((len(fake.calls("chat.postMessage")), len(fake.violations)))
    fake.stop()


def channel(roadmap_id: int, channels: int) -> str:
    """Neighbouring roadmaps share a channel, so the due ones (every tenth) spread over all channels."""
    return f"C{(roadmap_id // 10) % channels:07d}"


async def seed(url: str, roadmaps: int, due_share: float, channels: int) -> None:
    connection = await asyncpg.connect(url)
    try:
        now = datetime.now(UTC)
        profile = json.dumps(EXAMPLE_PROFILE)
        await connection.execute("INSERT INTO workspaces (id, team_id, created_at) VALUES (1, 'T0BENCH', $1)", now)
        ids = range(1, roadmaps + 1)
        await connection.copy_records_to_table(
            "reviews",
            columns=["id", "workspace_id", "user_id", "channel_id", "system_name", "profile", "source", "created_at"],
            records=[(i, 1, f"U{i:07d}", channel(i, channels), f"System {i}", profile, "slack", now) for i in ids],
        )
        await connection.copy_records_to_table(
            "roadmaps",
            columns=[
                "id",
                "review_id",
                "owner_user_id",
                "owner_tz",
                "channel_id",
                "thread_ts",
                "created_at",
                "updated_at",
            ],
            records=[
                (i, i, f"U{i:07d}", "Asia/Seoul", channel(i, channels), f"1700000000.{i:06d}", now, now) for i in ids
            ],
        )
        await connection.copy_records_to_table(
            "roadmap_versions",
            columns=["id", "roadmap_id", "version", "engine", "status", "created_at", "completed_at"],
            records=[(i, i, 1, "rules", "ready", now, now) for i in ids],
        )
        await connection.copy_records_to_table(
            "roadmap_items",
            columns=["version_id", "item_key", "stage", "position", "title", "status"],
            records=[
                (i, f"{stage}.{k}", stage, k, title, "done" if (i + k) % 3 == 0 else "todo")
                for i in ids
                for k, (stage, title) in enumerate(ITEMS, 1)
            ],
        )
        due_every = round(1 / due_share)
        await connection.copy_records_to_table(
            "nudge_schedules",
            columns=[
                "roadmap_id",
                "weekday",
                "local_time",
                "timezone",
                "paused",
                "next_due_at",
                "created_at",
                "updated_at",
            ],
            records=[
                (
                    i,
                    0,
                    "10:00",
                    "Asia/Seoul",
                    False,
                    NOW - timedelta(minutes=1) if i % due_every == 0 else NOW + timedelta(days=7),
                    now,
                    now,
                )
                for i in ids
            ],
        )
        for table in ("workspaces", "reviews", "roadmaps", "roadmap_versions", "roadmap_items", "nudge_schedules"):
            await connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        await connection.execute("ANALYZE")
    finally:
        await connection.close()


async def run(args: argparse.Namespace, slack_url: str, db_url: str) -> None:
    database = Database(db_url)
    await database.upgrade()
    started = time.perf_counter()
    await seed(
        make_url(db_url).set(drivername="postgresql").render_as_string(hide_password=False),
        args.roadmaps,
        args.due,
        args.channels,
    )
    print(
        f"seeded {args.roadmaps:,} roadmaps ({args.roadmaps * len(ITEMS):,} items) in "
        f"{time.perf_counter() - started:.1f} s"
    )
    statements = 0

    def count(*_: object) -> None:
        nonlocal statements
        statements += 1

    event.listen(database.engine.sync_engine, "before_cursor_execute", count)
    per_page: list[int] = []
    original = nudge_module.NudgeService._claim

    async def claim_and_count(self, now, page_size, report):  # type: ignore[no-untyped-def]
        per_page.append(statements)  # statements so far, at the start of each page
        return await original(self, now, page_size, report)

    nudge_module.NudgeService._claim = claim_and_count  # type: ignore[method-assign]
    settings = Settings(_env_file=None, slack_bot_token=TOKEN, slack_api_url=slack_url, database_url=db_url)  # type: ignore[call-arg]
    client = make_client(settings, timeout=60)
    services = build_services(database, client, settings)
    started = time.perf_counter()
    report = await services.nudges.sweep(NOW)
    elapsed = time.perf_counter() - started
    await close_client(client)
    pages = [b - a for a, b in zip(per_page, [*per_page[1:], statements], strict=True)][:-1]  # the last is empty
    async with database.unit_of_work(readonly=True) as repos:
        result = await repos.session.execute(text("SELECT status, count(*) FROM nudge_log GROUP BY status"))
        logged = dict(result.all())
    await database.dispose()
    due = args.roadmaps // round(1 / args.due)
    print(f"due: {due:,}; sent: {len(report.sent):,}; failed: {len(report.failed)}; nudge_log: {logged}")
    print(
        f"one sweep: {elapsed:.2f} s ({len(report.sent) / elapsed:.0f} sends/s over {args.channels:,} channels, "
        f"paced at 1 message/s per channel after a burst of 4)"
    )
    print(
        f"pages: {report.pages} of up to {nudge_module.PAGE_SIZE}; SQL statements per page: "
        f"min {min(pages)}, max {max(pages)}, median {statistics.median(pages):g}; total {statements}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--roadmaps", type=int, default=100_000)
    parser.add_argument("--due", type=float, default=0.1)
    parser.add_argument("--channels", type=int, default=2_000)
    args = parser.parse_args()
    context = multiprocessing.get_context("spawn")
    queue, stop = context.Queue(), context.Event()
    fake = context.Process(target=serve_fake, args=(args.channels, queue, stop))
    fake.start()
    slack_url, _ = queue.get(timeout=60)
    try:
        with scratch_postgres() as url:
            db_url = make_url(url).set(drivername="postgresql+asyncpg").render_as_string(hide_password=False)
            asyncio.run(run(args, slack_url, db_url))
    finally:
        stop.set()
        posted, violations = queue.get(timeout=60)
        fake.join(timeout=30)
        print(f"fake Slack received {posted:,} chat.postMessage calls; contract violations: {violations}")


if __name__ == "__main__":
    main()
