"""Several bot instances (or tasks) writing at once: each in its own session and transaction."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

import pytest

from bot.roadmap.schema import ItemStatus
from storage import Database, Repositories
from tests.builders import sample_profile, sample_roadmap

NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
TASKS = 8
_T = TypeVar("_T")


async def _at_once(database: Database, work: Callable[[Repositories], Awaitable[_T]], times: int = TASKS) -> list[_T]:
    """Run ``work`` in ``times`` concurrent units of work."""

    async def one() -> _T:
        async with database.unit_of_work() as repos:
            return await work(repos)

    return await asyncio.gather(*(one() for _ in range(times)))


async def _roadmap_id(database: Database) -> int:
    async with database.unit_of_work() as repos:
        review = await repos.reviews.add(sample_profile())
        return (await repos.roadmaps.create(review.id)).id


@pytest.mark.parametrize("database", ["postgresql"], indirect=True)
async def test_concurrent_sweeps_never_claim_the_same_schedule(database: Database) -> None:
    async with database.unit_of_work() as repos:
        for hours in range(5):
            review = await repos.reviews.add(sample_profile())
            roadmap = await repos.roadmaps.create(review.id)
            await repos.nudges.upsert_schedule(
                roadmap.id, weekday=0, local_time="10:00", timezone="UTC", next_due_at=NOW - timedelta(hours=hours)
            )
    both_claimed = asyncio.Barrier(2)

    async def sweep(repos: Repositories) -> list[int]:
        claimed = [schedule.id for schedule in await repos.nudges.claim_due(NOW, 3)]
        # Hold the transaction, and so the row locks, until the other sweep has claimed too. Without SKIP LOCKED
        # the second sweep would block here on the first one's rows and the barrier would time out.
        await asyncio.wait_for(both_claimed.wait(), timeout=10)
        return claimed

    first, second = await _at_once(database, sweep, times=2)
    assert sorted([len(first), len(second)]) == [2, 3]
    assert set(first).isdisjoint(second)
    async with database.unit_of_work() as repos:  # locks end with the transactions
        assert len(await repos.nudges.claim_due(NOW, 10)) == 5


async def test_concurrent_deliveries_of_one_event_are_handled_once(database: Database) -> None:
    results = await _at_once(database, lambda repos: repos.events.first_time("Ev-retried"))
    assert sorted(results) == [False] * (TASKS - 1) + [True]


async def test_concurrent_get_or_create_makes_one_workspace(database: Database) -> None:
    async def get_id(repos: Repositories) -> int:
        return (await repos.workspaces.get_or_create("T-new", name="New team")).id

    assert len(set(await _at_once(database, get_id))) == 1


async def test_concurrent_start_version_numbers_without_gaps_or_clashes(database: Database) -> None:
    roadmap_id = await _roadmap_id(database)

    async def start(repos: Repositories) -> int:
        return (await repos.roadmaps.start_version(roadmap_id, engine="rules")).version

    assert sorted(await _at_once(database, start)) == list(range(1, TASKS + 1))


async def test_concurrent_clicks_on_one_status_record_one_change(database: Database) -> None:
    roadmap_id = await _roadmap_id(database)
    async with database.unit_of_work() as repos:
        version = await repos.roadmaps.start_version(roadmap_id, engine="rules")
        await repos.roadmaps.complete_version(version.id, sample_roadmap())

    async def click(repos: Repositories) -> bool:
        return (await repos.items.set_status(version.id, "1.1", ItemStatus.DONE, actor="U1")).changed

    assert sorted(await _at_once(database, click)) == [False] * (TASKS - 1) + [True]
    async with database.unit_of_work() as repos:
        item = await repos.items.get(version.id, "1.1")
        assert item is not None
        assert len(await repos.items.history(item.id)) == 1
