"""The database handle: URLs, units of work, migrations, and the column types both backends share."""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect, select
from sqlalchemy.exc import IntegrityError, StatementError

from storage import Base, Database, ProcessedEvent, Repositories, Review, normalise_url
from storage import db as db_module
from storage.db import SQLITE_BUSY_TIMEOUT_MS
from storage.repositories.jobs import QUEUE_TABLES
from tests.builders import sample_profile


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("postgresql://u:p@db:5432/app", "postgresql+asyncpg://u:p@db:5432/app"),
        ("postgres://u:p@db/app", "postgresql+asyncpg://u:p@db/app"),
        ("sqlite:///./scale-review.db", "sqlite+aiosqlite:///./scale-review.db"),
        ("sqlite:////var/lib/app.db", "sqlite+aiosqlite:////var/lib/app.db"),
        ("sqlite:///:memory:", "sqlite+aiosqlite:///:memory:"),
        ("postgresql+psycopg://u@db/app", "postgresql+psycopg://u@db/app"),
        ("postgresql+asyncpg://u@db/app", "postgresql+asyncpg://u@db/app"),
        ("sqlite+aiosqlite:///x.db", "sqlite+aiosqlite:///x.db"),
        ("  postgresql://u@db/app\n", "postgresql+asyncpg://u@db/app"),
    ],
)
def test_normalise_url_adds_the_async_driver_only_when_none_is_named(given: str, expected: str) -> None:
    assert normalise_url(given) == expected


def test_normalise_url_rejects_a_url_without_scheme() -> None:
    with pytest.raises(ValueError, match="database URL"):
        normalise_url("scale-review.db")


async def test_repr_and_url_never_show_the_password() -> None:
    database = Database("postgresql://bot:s3cr3t-pw@db.internal:5432/app")
    try:
        for shown in (str(database), repr(database), database.url, f"{database}"):
            assert "s3cr3t-pw" not in shown
            assert "db.internal" in shown
        assert database.dialect == "postgresql"
    finally:
        await database.dispose()


async def test_migrations_go_from_empty_to_head_and_back(empty_database: Database) -> None:
    head = await empty_database.head_revision()
    assert await empty_database.current_revision() is None
    assert not await empty_database.is_up_to_date()

    await empty_database.upgrade()
    assert await empty_database.current_revision() == head
    assert await empty_database.is_up_to_date()
    assert await _schema_diff(empty_database) == []

    await empty_database.downgrade("base")
    assert await empty_database.current_revision() is None
    assert await _table_names(empty_database) == {"alembic_version"}

    await empty_database.upgrade()
    queue = QUEUE_TABLES if empty_database.dialect == "postgresql" else set()  # pgqueuer's own, PostgreSQL only
    assert await _table_names(empty_database) == {*Base.metadata.tables, "alembic_version", *queue}
    assert await _schema_diff(empty_database) == []


async def test_upgrade_twice_is_a_no_op(database: Database) -> None:
    await database.upgrade()
    assert await database.is_up_to_date()


async def _schema_diff(database: Database) -> list[object]:
    def diff(connection: Connection) -> list[object]:
        def ours(name: str | None, kind: str, _parents: object) -> bool:
            return not (kind == "table" and name in QUEUE_TABLES)  # the job queue's tables are pgqueuer's, not models

        options = {"compare_type": True, "compare_server_default": True, "include_name": ours}
        context = MigrationContext.configure(connection, opts=options)
        return list(compare_metadata(context, Base.metadata))

    async with database.engine.connect() as connection:
        return await connection.run_sync(diff)


async def _table_names(database: Database) -> set[str]:
    async with database.engine.connect() as connection:
        return set(await connection.run_sync(lambda sync: inspect(sync).get_table_names()))


async def test_unit_of_work_commits_on_success_and_rolls_back_on_error(database: Database) -> None:
    async with database.unit_of_work() as repos:
        assert await repos.events.first_time("Ev-kept")
    with pytest.raises(RuntimeError, match="boom"):
        async with database.unit_of_work() as repos:
            assert await repos.events.first_time("Ev-dropped")
            raise RuntimeError("boom")
    async with database.unit_of_work() as repos:
        stored = (await repos.session.scalars(select(ProcessedEvent.event_id))).all()
    assert stored == ["Ev-kept"]


async def test_transact_commits_returns_and_rolls_back_on_error(database: Database) -> None:
    async def keep(repos: Repositories) -> int:
        review = await repos.reviews.add(sample_profile())
        await repos.events.first_time("Ev-kept")
        return review.id

    review_id = await database.transact(keep)

    async def fail(repos: Repositories) -> None:
        await repos.events.first_time("Ev-dropped")
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await database.transact(fail)
    with pytest.raises(IntegrityError):  # a constraint fails the transaction as it would in unit_of_work
        await database.transact(lambda repos: repos.roadmaps.create(review_id=424242))
    async with database.unit_of_work(readonly=True) as repos:
        assert (await repos.reviews.get(review_id)) is not None
        stored = (await repos.session.scalars(select(ProcessedEvent.event_id))).all()
    assert stored == ["Ev-kept"]


async def test_read_sees_what_was_committed_and_writes_nothing(database: Database) -> None:
    """A short read (inline on a SQLite file) returns what committed writes left, even while a writer on another
    connection is in the middle of its transaction, and never takes the write lock itself."""
    await database.transact(lambda repos: repos.events.first_time("Ev-seen"))

    async def look(repos: Repositories) -> list[str]:
        return list((await repos.session.scalars(select(ProcessedEvent.event_id))).all())

    assert await database.read(look) == ["Ev-seen"]
    async with database.unit_of_work() as repos:  # a writer in the middle of its transaction
        assert await repos.events.first_time("Ev-pending")
        assert await database.read(look) == ["Ev-seen"]  # not blocked by it, and not seeing it yet
    assert sorted(await database.read(look)) == ["Ev-pending", "Ev-seen"]


@pytest.mark.parametrize("database", ["sqlite"], indirect=True)
async def test_transact_refuses_work_that_waits_on_something_else(database: Database) -> None:
    async def wanders(repos: Repositories) -> None:
        await repos.events.first_time("Ev-never")
        await asyncio.sleep(0.01)  # e.g. a Slack call: it belongs outside the transaction

    with pytest.raises(RuntimeError, match="awaited something other than the database"):
        await database.transact(wanders)
    async with database.unit_of_work(readonly=True) as repos:
        assert (await repos.session.scalars(select(ProcessedEvent.event_id))).all() == []


async def test_transact_waits_off_the_loop_while_another_process_writes(tmp_path: Path) -> None:
    """Another process holds SQLite's write lock: the event loop keeps running, and the write lands after it."""
    path = tmp_path / "shared.db"
    database = Database(f"sqlite:///{path}")
    await database.upgrade()
    holder = await asyncio.create_subprocess_exec(
        sys.executable,
        "-c",
        "import sqlite3, time\n"
        f"c = sqlite3.connect({str(path)!r}, isolation_level=None)\n"
        "c.execute('BEGIN IMMEDIATE'); print('locked', flush=True); time.sleep(1.0); c.execute('COMMIT')",
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert holder.stdout is not None and (await holder.stdout.readline()).strip() == b"locked"
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await asyncio.sleep(0.02)
                ticks += 1

        running = asyncio.ensure_future(ticker())
        started = time.monotonic()
        await database.transact(lambda repos: repos.events.first_time("Ev-after-the-lock"))
        waited = time.monotonic() - started
        running.cancel()
        assert waited > 0.5 and ticks >= 15  # it waited for the other writer, and the loop went on meanwhile
        async with database.unit_of_work(readonly=True) as repos:
            assert (await repos.session.scalars(select(ProcessedEvent.event_id))).all() == ["Ev-after-the-lock"]
    finally:
        await asyncio.wait_for(holder.wait(), 10)
        await database.dispose()


async def _wal_size_after_writes(path: Path, monkeypatch: pytest.MonkeyPatch, every: int) -> int:
    monkeypatch.setattr(db_module, "CHECKPOINT_EVERY", every)
    database = Database(f"sqlite:///{path}")
    await database.upgrade()
    try:
        for n in range(120):
            await database.transact(lambda repos, n=n: repos.events.first_time(f"Ev-{n}"))
            await asyncio.sleep(0)  # a checkpoint due now starts
            await database.checkpoints_done()  # and ends before the next write, however busy the machine is
        return (path.parent / f"{path.name}-wal").stat().st_size
    finally:
        await database.dispose()


async def test_inline_writes_leave_wal_checkpoints_to_a_background_connection(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """The inline connection never checkpoints (that may fsync on the loop); the background ones keep the WAL short."""
    unchecked = await _wal_size_after_writes(tmp_path / "never.db", monkeypatch, every=10**9)
    checked = await _wal_size_after_writes(tmp_path / "often.db", monkeypatch, every=10)
    assert checked < unchecked / 3, (checked, unchecked)
    assert "WAL checkpoint failed" not in caplog.text


async def test_foreign_keys_are_enforced(database: Database) -> None:
    with pytest.raises(IntegrityError):
        async with database.unit_of_work() as repos:
            await repos.roadmaps.create(review_id=424242)


async def test_deleting_a_review_cascades_to_its_roadmap(database: Database) -> None:
    async with database.unit_of_work() as repos:
        review = await repos.reviews.add(sample_profile())
        roadmap = await repos.roadmaps.create(review.id)
    async with database.unit_of_work() as repos:
        await repos.session.delete(await repos.reviews.get(review.id))
    async with database.unit_of_work() as repos:
        assert await repos.roadmaps.get(roadmap.id) is None


async def test_sqlite_memory_database_works_and_keeps_foreign_keys_on_after_migrating() -> None:
    database = Database("sqlite:///:memory:")
    try:
        await database.upgrade()
        async with database.unit_of_work() as repos:
            review = await repos.reviews.add(sample_profile())
        async with database.unit_of_work() as repos:
            assert (await repos.reviews.get(review.id)) is not None
        with pytest.raises(IntegrityError):
            async with database.unit_of_work() as repos:
                await repos.roadmaps.create(review_id=review.id + 1)
    finally:
        await database.dispose()


async def test_sqlite_file_gets_its_directory_wal_and_busy_timeout(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "dir" / "bot.db"
    database = Database(f"sqlite:///{path}")
    try:
        await database.upgrade()
        assert path.exists()
        async with database.engine.connect() as connection:
            assert (await connection.exec_driver_sql("PRAGMA journal_mode")).scalar() == "wal"
            assert (await connection.exec_driver_sql("PRAGMA busy_timeout")).scalar() == SQLITE_BUSY_TIMEOUT_MS
            assert (await connection.exec_driver_sql("PRAGMA foreign_keys")).scalar() == 1
    finally:
        await database.dispose()


async def test_utc_datetime_comes_back_aware_utc(database: Database) -> None:
    seoul = timezone(timedelta(hours=9))
    async with database.unit_of_work() as repos:
        review = await repos.reviews.add(sample_profile())
        review.created_at = datetime(2026, 3, 2, 10, 0, tzinfo=seoul)
    async with database.unit_of_work() as repos:
        stored = await repos.session.scalar(select(Review.created_at).where(Review.id == review.id))
    assert stored == datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    assert stored.tzinfo is UTC


async def test_utc_datetime_rejects_naive_values(database: Database) -> None:
    with pytest.raises(StatementError, match="naive datetime") as raised:
        async with database.unit_of_work() as repos:
            await repos.events.purge_older_than(datetime(2026, 1, 1))
    assert isinstance(raised.value.orig, ValueError)


async def test_utc_datetime_compares_instants_not_wall_clocks(database: Database) -> None:
    seoul = timezone(timedelta(hours=9))
    async with database.unit_of_work() as repos:
        assert await repos.events.first_time("Ev1")
        event = await repos.session.get(ProcessedEvent, "Ev1")
        assert event is not None
        event.received_at = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
    async with database.unit_of_work() as repos:
        # 20:59 in Seoul is 11:59 UTC, before the event; 21:01 is after it.
        assert await repos.events.purge_older_than(datetime(2026, 1, 1, 20, 59, tzinfo=seoul)) == 0
        assert await repos.events.purge_older_than(datetime(2026, 1, 1, 21, 1, tzinfo=seoul)) == 1
