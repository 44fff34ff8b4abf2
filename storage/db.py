"""The database handle: engine, sessions, units of work and migrations."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import URL, Connection, event, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.pool import ConnectionPoolEntry, StaticPool

from storage.repositories import Repositories

if TYPE_CHECKING:  # Alembic costs ~0.4 s to import; only migrations need it
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000  # other processes (the CLI, a second bot) wait this long for the lock
_READONLY = "scale_review_readonly"

_ASYNC_DRIVERS = {"postgresql": "postgresql+asyncpg", "postgres": "postgresql+asyncpg", "sqlite": "sqlite+aiosqlite"}


def normalise_url(url: str) -> str:
    """Give a bare ``postgresql://`` or ``sqlite:///`` URL (as hosting platforms hand out) its asyncio driver."""
    scheme, separator, rest = url.strip().partition("://")
    if not separator:
        raise ValueError("database URL must look like postgresql://... or sqlite:///path")
    return f"{_ASYNC_DRIVERS.get(scheme.lower(), scheme)}://{rest}"


def alembic_config() -> Config:
    """Alembic settings built in code, so migrating needs neither alembic.ini nor a particular working directory."""
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("path_separator", "os")
    return config


class Database:
    """One engine and its session factory; open a transaction with :meth:`unit_of_work`."""

    def __init__(self, url: str, *, echo: bool = False) -> None:
        parsed = make_url(normalise_url(url))
        options: dict[str, Any] = {}
        if parsed.get_backend_name() == "sqlite":
            if _is_memory(parsed):
                options["poolclass"] = StaticPool  # one connection, or each checkout would see an empty database
            elif parsed.database and not parsed.query.get("uri"):
                Path(parsed.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
        self._engine = create_async_engine(parsed, echo=echo, **options)
        if parsed.get_backend_name() == "sqlite":
            event.listen(self._engine.sync_engine, "connect", _on_sqlite_connect)
            event.listen(self._engine.sync_engine, "begin", _on_sqlite_begin)
        self._sessions = async_sessionmaker(self._engine, expire_on_commit=False)
        is_sqlite = parsed.get_backend_name() == "sqlite"
        self._writer: contextlib.AbstractAsyncContextManager[Any] = (
            asyncio.Lock() if is_sqlite else contextlib.nullcontext()
        )

    def __repr__(self) -> str:
        return f"Database({self.url})"

    @property
    def url(self) -> str:
        return self._engine.url.render_as_string(hide_password=True)

    @property
    def dialect(self) -> str:
        return self._engine.dialect.name

    @property
    def engine(self) -> AsyncEngine:
        return self._engine

    @asynccontextmanager
    async def unit_of_work(self, *, readonly: bool = False) -> AsyncIterator[Repositories]:
        """One transaction: committed when the block ends normally, rolled back when it raises.

        `readonly` work on SQLite skips the write lock every other transaction takes up front,
        so lookups (the modal prefill, listings) never queue behind writers.
        """
        if not readonly:
            # SQLite has one writer: queue this process's writers here (fair, no polling) instead of
            # in SQLite's busy handler, which gives up after its timeout when the event loop is busy.
            async with self._writer, self._sessions() as session, session.begin():
                yield Repositories(session)
            return
        async with self._engine.connect() as connection:
            await connection.execution_options(**{_READONLY: True})
            async with self._sessions(bind=connection) as session, session.begin():
                yield Repositories(session)

    async def upgrade(self, revision: str = "head") -> None:
        from alembic import command

        await self._migrate(command.upgrade, revision)

    async def downgrade(self, revision: str) -> None:
        from alembic import command

        await self._migrate(command.downgrade, revision)

    async def current_revision(self) -> str | None:
        from alembic.runtime.migration import MigrationContext

        async with self._engine.connect() as connection:
            return await connection.run_sync(lambda sync: MigrationContext.configure(sync).get_current_revision())

    async def head_revision(self) -> str:
        from alembic.script import ScriptDirectory

        head = ScriptDirectory.from_config(alembic_config()).get_current_head()
        if head is None:
            raise RuntimeError(f"no migration revisions found in {MIGRATIONS_DIR}")
        return head

    async def is_up_to_date(self) -> bool:
        return await self.current_revision() == await self.head_revision()

    async def dispose(self) -> None:
        await self._engine.dispose()

    async def _migrate(self, action: Callable[[Config, str], None], revision: str) -> None:
        """Run an Alembic command on our own async connection: env.py picks it up instead of building an engine,
        so this works inside a running event loop."""

        def run(connection: Connection) -> None:
            config = alembic_config()
            config.attributes["connection"] = connection
            action(config, revision)

        async with self._engine.connect() as connection:
            await connection.run_sync(run)
            await connection.commit()


def _is_memory(url: URL) -> bool:
    return url.database in (None, "", ":memory:")


def _on_sqlite_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # The driver's own transaction handling skips BEGIN for SELECT and DDL; we emit BEGIN ourselves instead.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _on_sqlite_begin(connection: Connection) -> None:
    """Take the write lock up front: a deferred transaction that reads and then writes can fail at once with
    'database is locked' when another connection wrote in between, and the busy timeout does not help there."""
    readonly = connection.get_execution_options().get(_READONLY, False)
    connection.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")
