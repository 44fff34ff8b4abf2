"""The database handle: engine, sessions, units of work and migrations."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar, cast

from sqlalchemy import URL, Connection, Engine, create_engine, event, make_url
from sqlalchemy.exc import OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry, StaticPool

from storage.repositories import Repositories

if TYPE_CHECKING:  # Alembic costs ~0.4 s to import; only migrations need it
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
log = logging.getLogger(__name__)

SQLITE_BUSY_TIMEOUT_MS = 30_000  # other processes (the CLI, a second bot) wait this long for the lock
_READONLY = "scale_review_readonly"
CHECKPOINT_EVERY = 200  # inline commits between WAL checkpoints (SQLite's own default is per 1000 pages)

T = TypeVar("T")
Work = Callable[[Repositories], Coroutine[Any, Any, T]]

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
        # SQLite files: `transact` runs short write transactions on the event loop's own thread, on a
        # plain connection that never waits for the lock (it hands over to the async path instead).
        self._inline_engine: Engine | None = None
        self._inline_sessions: sessionmaker[Session] | None = None
        self._inline_commits = 0
        self._checkpoints: set[asyncio.Task[None]] = set()
        if is_sqlite and not _is_memory(parsed):
            sync_url = parsed.set(drivername="sqlite")
            self._inline_engine = create_engine(sync_url, echo=echo, connect_args={"check_same_thread": False})
            event.listen(self._inline_engine, "connect", _on_inline_sqlite_connect)
            event.listen(self._inline_engine, "begin", _on_sqlite_begin)
            self._inline_sessions = sessionmaker(self._inline_engine, expire_on_commit=False)

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

    async def transact(self, work: Work[T]) -> T:
        """One short write transaction made only of repository calls: ``await db.transact(lambda repos: ...)``.

        On a SQLite file it runs on the event loop's thread, synchronously, on a plain connection: a few
        hundred microseconds with no thread hop per statement. Through aiosqlite every statement is a
        round trip to its thread and back through the event loop, and under load SQLite's single write
        lock stayed held across those round trips until writers queued for seconds. If another process
        holds the lock, the connection does not wait (that would block the loop): the transaction runs
        the async way instead, which may. Elsewhere, and for in-memory SQLite, it is a `unit_of_work`.
        `work` must not await anything but the repositories.
        """
        if self._inline_sessions is None:
            async with self.unit_of_work() as repos:
                return await work(repos)
        async with self._writer:  # no writer of this process holds SQLite's lock across an await meanwhile
            try:
                result = self._run_inline(work)
            except _Busy:  # another process is writing: wait for it off the loop
                async with self._sessions() as session, session.begin():
                    return await work(Repositories(session))
        self._inline_commits += 1
        if self._inline_commits % CHECKPOINT_EVERY == 0:
            task = asyncio.ensure_future(self._checkpoint())
            self._checkpoints.add(task)
            task.add_done_callback(self._checkpoints.discard)
        return result

    async def read(self, work: Work[T]) -> T:
        """A short read made only of repository calls: ``await db.read(lambda repos: ...)``.

        On a SQLite file it runs on the event loop's thread, synchronously, in a deferred (read) transaction: WAL
        readers never wait for the writer, and a busy thread's answers skip a thread hop per statement and the
        pool's queue. If SQLite says busy all the same, it runs the async way. Elsewhere it is a read-only
        `unit_of_work`. `work` must not await anything but the repositories.
        """
        if self._inline_engine is not None:
            try:
                with self._inline_engine.connect() as connection:
                    connection = connection.execution_options(**{_READONLY: True})
                    with Session(bind=connection, expire_on_commit=False) as session, session.begin():
                        return _drive(work(Repositories(cast(AsyncSession, _InlineSession(session)))))
            except OperationalError as exc:
                if getattr(exc.orig, "sqlite_errorcode", None) not in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                    raise
        async with self.unit_of_work(readonly=True) as repos:
            return await work(repos)

    def _run_inline(self, work: Work[T]) -> T:
        assert self._inline_sessions is not None
        with self._inline_sessions() as session:
            try:
                session.begin()
                session.connection()  # BEGIN IMMEDIATE: fails at once if another process holds the lock
            except OperationalError as exc:
                if getattr(exc.orig, "sqlite_errorcode", None) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                    raise _Busy from exc
                raise
            try:
                result = _drive(work(Repositories(cast(AsyncSession, _InlineSession(session)))))
            except BaseException:
                session.rollback()
                raise
            session.commit()
            return result

    async def _checkpoint(self) -> None:
        """The inline connection leaves checkpoints (which may fsync) to this, off the event loop's thread."""
        try:
            async with self._engine.connect() as connection:  # outside any transaction, or SQLite refuses
                raw = await connection.get_raw_connection()
                driver = raw.driver_connection
                if driver is not None:  # aiosqlite's connection; None only once the pool has invalidated it
                    await driver.execute("PRAGMA wal_checkpoint(PASSIVE)")
        except Exception:
            log.warning("WAL checkpoint failed; the next one will try again", exc_info=True)

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

    async def checkpoints_done(self) -> None:
        """Wait for the WAL checkpoints under way (shutdown, and tests that measure the WAL)."""
        if self._checkpoints:
            await asyncio.gather(*self._checkpoints, return_exceptions=True)

    async def dispose(self) -> None:
        await self._engine.dispose()
        await self.checkpoints_done()
        if self._inline_engine is not None:
            self._inline_engine.dispose()

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


class _Busy(Exception):
    """Another process holds SQLite's write lock."""


class _InlineSession:
    """A synchronous Session behind the awaitable methods the repositories call (see `Database.transact`)."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, instance: object) -> None:
        self._session.add(instance)

    def get_bind(self) -> Any:
        return self._session.get_bind()

    async def execute(self, *args: Any, **kwargs: Any) -> Any:
        return self._session.execute(*args, **kwargs)

    async def flush(self, *args: Any, **kwargs: Any) -> None:
        self._session.flush(*args, **kwargs)

    async def get(self, *args: Any, **kwargs: Any) -> Any:
        return self._session.get(*args, **kwargs)

    async def scalar(self, *args: Any, **kwargs: Any) -> Any:
        return self._session.scalar(*args, **kwargs)

    async def scalars(self, *args: Any, **kwargs: Any) -> Any:
        return self._session.scalars(*args, **kwargs)


def _drive(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine that never suspends (it only calls an `_InlineSession`) and return its value."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return cast(T, done.value)
    coroutine.close()
    raise RuntimeError("a transaction's work awaited something other than the database; use unit_of_work for it")


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


def _on_inline_sqlite_connect(dbapi_connection: Any, record: ConnectionPoolEntry) -> None:
    _on_sqlite_connect(dbapi_connection, record)
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA busy_timeout=0")  # never wait on the event loop's thread
    cursor.execute("PRAGMA wal_autocheckpoint=0")  # see Database._checkpoint
    cursor.close()


def _on_sqlite_begin(connection: Connection) -> None:
    """Take the write lock up front: a deferred transaction that reads and then writes can fail at once with
    'database is locked' when another connection wrote in between, and the busy timeout does not help there."""
    readonly = connection.get_execution_options().get(_READONLY, False)
    connection.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")
