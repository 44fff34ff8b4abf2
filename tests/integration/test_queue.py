"""Queued generation on PostgreSQL (bot/jobs.py) in one process: what the person is told, and what a rerun posts.

The bot runs over HTTP against the fake Slack with its pgqueuer worker started, as `serve` does on PostgreSQL;
tests/integration/test_cluster.py runs two real processes. Skipped without PostgreSQL (a failure under
SCALE_REVIEW_CI=1).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Any

import pytest
from sqlalchemy import func, select, text, update

from bot.config import Settings
from bot.jobs import GenerationWorker, queue_available
from bot.slack import ids
from storage import Database, RoadmapVersion
from storage.repositories.jobs import GenerationJob
from tests.builders import sample_profile
from tests.fakes import slack_requests as sr
from tests.slack_harness import OUTSIDE, Harness, running_bot

pytestmark = pytest.mark.parametrize("database", ["postgresql"], indirect=True)


@asynccontextmanager
async def queued_bot(database: Database) -> AsyncIterator[Harness]:
    assert queue_available(database)
    async with running_bot(database) as h:
        worker = GenerationWorker(
            database,
            h.bot.services.reviews,
            Settings(_env_file=None, job_heartbeat_seconds=2),  # type: ignore[call-arg]
        )
        await worker.start()
        try:
            yield h
        finally:
            await worker.drain()


async def until(check: Callable[[], Awaitable[Any]], limit: float = 15) -> Any:
    deadline = asyncio.get_running_loop().time() + limit
    while (found := await check()) is None or found is False:
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.05)
    return found


async def latest(database: Database) -> RoadmapVersion:
    async with database.unit_of_work(readonly=True) as repos:
        version = await repos.session.scalar(select(RoadmapVersion).order_by(RoadmapVersion.id.desc()).limit(1))
        assert version is not None
        return version


async def queued_jobs(database: Database) -> int:
    async with database.unit_of_work(readonly=True) as repos:
        return int(await repos.session.scalar(text("SELECT count(*) FROM pgqueuer")) or 0)


async def test_a_refused_channel_is_said_in_the_modal_only_and_the_job_ends(database: Database) -> None:
    async with queued_bot(database) as h:
        _, body = await h.submit(sample_profile(), channel=OUTSIDE)
        payload = json.loads(body)
        assert payload["response_action"] == "errors" and "/invite @scale-review" in payload["errors"][ids.Q_CHANNEL]
        version = await latest(database)
        assert (version.status, version.error) == ("failed", "not started: not_in_channel")
        await until(lambda: _is_zero(queued_jobs(database)))  # the job ran, found the version closed, and ended
        await asyncio.sleep(0.3)
        assert h.fake.calls("chat.postEphemeral") == []
        assert [c for c in h.fake.calls("chat.postMessage") if c.args.get("channel") == sr.USER_ID] == []
        h.fake.assert_clean()


async def test_a_channel_lost_after_the_modal_closed_is_told_once(database: Database) -> None:
    async with queued_bot(database) as h:
        h.fake.delay("chat.postMessage", 2.2)  # past the modal's wait
        h.fake.fail_next("chat.postMessage", "channel_not_found")
        status, body = await h.submit(sample_profile())
        assert status == 200 and body in ("", "{}"), body

        async def told() -> list[dict[str, Any]] | None:
            found = [c.args for c in h.fake.calls("chat.postEphemeral")] + [
                c.args for c in h.fake.calls("chat.postMessage") if c.args.get("channel") == sr.USER_ID
            ]
            return found or None

        notices = await until(told)
        await until(lambda: _is_zero(queued_jobs(database)))
        await h.idle()
        assert len(notices) == 1 and "/invite @scale-review" in json.dumps(notices[0]), notices
        assert await told() == notices  # and only once
        assert (await latest(database)).error == "not started: channel_not_found"


async def test_a_rerun_of_a_posted_version_posts_nothing_and_a_half_posted_one_is_completed(
    database: Database,
) -> None:
    async with queued_bot(database) as h:
        await h.submit(sample_profile())
        await until(lambda: _published(database))
        await until(lambda: _is_zero(queued_jobs(database)))
        await h.idle()
        version = await latest(database)
        posts = len(h.fake.calls("chat.postMessage"))
        reviews = h.bot.services.reviews

        assert await reviews.run_queued(GenerationJob(version.id)) == "already posted"
        assert len(h.fake.calls("chat.postMessage")) == posts

        # a crash after the messages went up but before the version was marked posted: the rerun completes it
        async with database.unit_of_work() as repos:
            await repos.session.execute(
                update(RoadmapVersion).where(RoadmapVersion.id == version.id).values(published_at=None)
            )
        updates = len(h.fake.calls("chat.update"))
        assert await reviews.run_queued(GenerationJob(version.id)) == "posting completed"
        await h.idle()
        assert len(h.fake.calls("chat.postMessage")) == posts  # every message updated in place, none posted again
        assert len(h.fake.calls("chat.update")) > updates
        assert await _published(database)
        async with database.unit_of_work(readonly=True) as repos:
            count = await repos.session.scalar(select(func.count()).select_from(RoadmapVersion))
        assert count == 1  # and no new version was started
        h.fake.assert_clean()


async def _is_zero(count: Awaitable[int]) -> bool:
    return await count == 0


async def _published(database: Database) -> bool:
    return (await latest(database)).published_at is not None
