"""Group commit: concurrent writers share transactions, and each still learns its own outcome."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest
from sqlalchemy import Engine, event

from storage import Database, GroupCommit, PostedMessage, Repositories
from tests.builders import sample_profile, sample_roadmap


async def _version_id(database: Database) -> int:
    async with database.unit_of_work() as repos:
        review = await repos.reviews.add(sample_profile())
        roadmap = await repos.roadmaps.create(review.id)
        version = await repos.roadmaps.start_version(roadmap.id, engine="rules")
        await repos.roadmaps.complete_version(version.id, sample_roadmap())
        return version.id


async def _record(repos: Repositories, rows: Sequence[PostedMessage]) -> None:
    await repos.messages.record_many(rows)


async def test_concurrent_writes_share_few_transactions_and_all_land(database: Database) -> None:
    version_id = await _version_id(database)
    writer: GroupCommit[PostedMessage] = GroupCommit(database, _record)
    inserts: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if statement.upper().startswith("INSERT INTO MESSAGE_REFS"):
            inserts.append(statement)

    event.listen(Engine, "before_cursor_execute", count)  # every engine: on SQLite, writes go their own way
    try:
        await asyncio.gather(
            *(writer.write(PostedMessage(version_id, "stage", "C1", f"1.{n}", stage=1, part=n)) for n in range(50))
        )
    finally:
        event.remove(Engine, "before_cursor_execute", count)
    async with database.unit_of_work(readonly=True) as repos:
        stored = {(m.part, m.ts) for m in await repos.messages.list(version_id)}
    assert stored == {(n, f"1.{n}") for n in range(50)}
    # All 50 were queued before the flusher first ran: one statement, in one transaction.
    assert len(inserts) == 1


async def test_a_failed_batch_fails_each_of_its_writers_and_the_next_batch_still_runs(database: Database) -> None:
    version_id = await _version_id(database)
    writer: GroupCommit[PostedMessage] = GroupCommit(database, _record)
    missing_version = PostedMessage(987_654, "stage", "C1", "9.9")  # breaks the foreign key
    first = asyncio.ensure_future(writer.write(PostedMessage(version_id, "summary", "C1", "1.0")))
    await asyncio.sleep(0)  # the first write's transaction is under way; the next two queue as one batch
    results = await asyncio.gather(
        writer.write(missing_version),
        writer.write(PostedMessage(version_id, "stage", "C1", "2.0", stage=1)),
        return_exceptions=True,
    )
    await first
    assert all(isinstance(r, Exception) for r in results), results
    await writer.write(PostedMessage(version_id, "stage", "C1", "3.0", stage=2))
    async with database.unit_of_work(readonly=True) as repos:
        assert [m.ts for m in await repos.messages.list(version_id)] == ["1.0", "3.0"]


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
async def test_a_cancelled_writer_is_left_out_and_the_rest_commit(database: Database) -> None:
    version_id = await _version_id(database)
    writer: GroupCommit[PostedMessage] = GroupCommit(database, _record)
    first = asyncio.ensure_future(writer.write(PostedMessage(version_id, "summary", "C1", "1.0")))
    await asyncio.sleep(0)
    dropped = asyncio.ensure_future(writer.write(PostedMessage(version_id, "stage", "C1", "2.0", stage=1)))
    kept = asyncio.ensure_future(writer.write(PostedMessage(version_id, "stage", "C1", "3.0", stage=2)))
    await asyncio.sleep(0)
    dropped.cancel()
    await asyncio.gather(first, kept)
    async with database.unit_of_work(readonly=True) as repos:
        assert [m.ts for m in await repos.messages.list(version_id)] == ["1.0", "3.0"]
