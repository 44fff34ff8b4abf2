"""Shared test policy.

Tests that need PostgreSQL or the reference data in ``../shared`` skip with a reason on a
machine that lacks them. CI sets ``SCALE_REVIEW_CI=1``, which turns every skip into a
failure, so a green CI run proves those tests ran.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

STRICT = os.environ.get("SCALE_REVIEW_CI", "") not in ("", "0", "false", "no")
REPO_ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("SCALE_REVIEW_SHARED_DIR", REPO_ROOT.parent / "shared"))


def require_shared(relative: str) -> Path:
    """Path to a reference file in ../shared, or skip with the reason (a failure in CI)."""
    path = SHARED / relative
    if not path.exists():
        pytest.skip(f"reference data {path} is absent (set SCALE_REVIEW_SHARED_DIR to its folder)")
    return path


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    if STRICT and report.skipped and not hasattr(report, "wasxfail"):
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        report.outcome = "failed"
        report.longrepr = f"skipped under SCALE_REVIEW_CI=1, which forbids skips: {reason}"


# --- storage: migrated databases on SQLite and PostgreSQL ------------------------------------------------------
# PostgreSQL tests run in a fresh database per session (scale_review_test_<hex>) on the server named by
# SCALE_REVIEW_TEST_POSTGRES_URL; it is dropped at the end.

import asyncio  # noqa: E402
import secrets  # noqa: E402
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402
from typing import Any, TypeVar  # noqa: E402

from sqlalchemy import URL, make_url  # noqa: E402

from storage import Base, Database  # noqa: E402

PG_ADMIN_URL = os.environ.get("SCALE_REVIEW_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
_T = TypeVar("_T")


def _run_in_thread(make: Callable[[], Coroutine[Any, Any, _T]]) -> _T:
    """Run a coroutine to completion from a sync fixture. A worker thread keeps asyncio.run away from the
    event loop pytest-asyncio has set for this thread (asyncio.run unsets it when it finishes)."""
    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(lambda: asyncio.run(make())).result()


def _pg_admin_url() -> URL:
    return make_url(PG_ADMIN_URL).set(drivername="postgresql")


async def _pg_admin(*statements: str) -> None:
    import asyncpg

    connection = await asyncpg.connect(_pg_admin_url().render_as_string(hide_password=False), timeout=5)
    try:
        for statement in statements:
            await connection.execute(statement)
    finally:
        await connection.close()


async def _pg_create_database() -> str:
    name = f"scale_review_test_{secrets.token_hex(6)}"
    await _pg_admin(f'CREATE DATABASE "{name}"')
    return _pg_admin_url().set(drivername="postgresql+asyncpg", database=name).render_as_string(hide_password=False)


async def _pg_drop_database(url: str) -> None:
    name = make_url(url).database
    await _pg_admin(
        f"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid()",
        f'DROP DATABASE IF EXISTS "{name}"',
    )


@pytest.fixture(scope="session")
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for this test session, as a postgresql+asyncpg URL."""
    where = _pg_admin_url().render_as_string(hide_password=True)
    try:
        import asyncpg
    except ImportError as exc:
        pytest.skip(f"PostgreSQL not reachable at {where}: asyncpg is not installed ({exc})")
    try:
        url = _run_in_thread(_pg_create_database)
    except (OSError, TimeoutError, asyncpg.PostgresError, asyncpg.InterfaceError) as exc:
        pytest.skip(f"PostgreSQL not reachable at {where}: {type(exc).__name__}: {exc}")
    try:
        yield url
    finally:
        _run_in_thread(lambda: _pg_drop_database(url))


@pytest.fixture(scope="session")
def pg_migrated_url(pg_url: str) -> str:
    """``pg_url`` upgraded to head once; each test empties it instead of migrating again."""

    async def upgrade() -> None:
        database = Database(pg_url)
        try:
            await database.upgrade()
        finally:
            await database.dispose()

    _run_in_thread(upgrade)
    return pg_url


async def _truncate_all(database: Database) -> None:
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    async with database.engine.begin() as connection:
        await connection.exec_driver_sql(f"TRUNCATE TABLE {tables} RESTART IDENTITY CASCADE")


@pytest.fixture(params=["sqlite", "postgresql"])
async def database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A migrated, empty database: a temp-file SQLite, or the session's PostgreSQL database truncated."""
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'scale-review.db'}")
        await db.upgrade()
    else:
        db = Database(request.getfixturevalue("pg_migrated_url"))
        await _truncate_all(db)
    try:
        yield db
    finally:
        await db.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
async def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Database]:
    """A database with no tables at all, for migration tests: a new SQLite file or a new PostgreSQL database."""
    if request.param == "sqlite":
        db = Database(f"sqlite:///{tmp_path / 'empty.db'}")
        try:
            yield db
        finally:
            await db.dispose()
        return
    request.getfixturevalue("pg_url")  # skips with the reason when the server is unreachable
    url = await _pg_create_database()
    db = Database(url)
    try:
        yield db
    finally:
        await db.dispose()
        await _pg_drop_database(url)
