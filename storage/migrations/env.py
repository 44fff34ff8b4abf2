"""Alembic environment.

``Database.upgrade`` hands over its own async connection in ``config.attributes["connection"]`` (run via
``run_sync``), which is what lets it migrate from inside a running event loop. The ``alembic`` command line
builds a ``Database`` from ``DATABASE_URL`` or ``sqlalchemy.url`` in alembic.ini instead.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from contextlib import contextmanager
from logging.config import fileConfig
from typing import Any, Literal

from alembic import context
from alembic.autogenerate.api import AutogenContext
from sqlalchemy import Connection
from sqlalchemy.types import TypeDecorator

from storage.db import Database, normalise_url
from storage.models import Base

config = context.config


def _render_item(kind: str, obj: object, _context: AutogenContext) -> str | Literal[False]:
    """Autogenerate writes our column types as their plain SQLAlchemy type: a migration must not import app code."""
    if kind == "type" and isinstance(obj, TypeDecorator):
        return f"sa.{obj.impl!r}"
    return False


def _configure(**options: Any) -> None:
    context.configure(
        target_metadata=Base.metadata,
        render_item=_render_item,
        render_as_batch=True,  # SQLite alters a table by copying it; autogenerate must write migrations that do
        transactional_ddl=True,  # true for SQLite too, because storage.db emits BEGIN itself
        compare_type=True,
        compare_server_default=True,
        **options,
    )


def _url() -> str:
    url = os.environ.get("DATABASE_URL") or config.get_main_option("sqlalchemy.url")
    if not url:
        raise RuntimeError("set DATABASE_URL, or sqlalchemy.url in alembic.ini")
    return normalise_url(url)


@contextmanager
def _sqlite_foreign_keys_off(connection: Connection) -> Iterator[None]:
    """Batch mode rebuilds a table by copy, drop and rename; with foreign keys enforced, dropping a parent table
    deletes its children through ON DELETE CASCADE. SQLite ignores this pragma inside a transaction, so it goes to
    the driver connection directly, before Alembic begins one."""
    if connection.dialect.name != "sqlite" or connection.in_transaction():
        yield
        return
    driver_connection = connection.connection
    driver_connection.cursor().execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        driver_connection.cursor().execute("PRAGMA foreign_keys=ON")


def _check_sqlite_foreign_keys(connection: Connection) -> None:
    if connection.dialect.name == "sqlite" and (broken := connection.exec_driver_sql("PRAGMA foreign_key_check").all()):
        raise RuntimeError(f"migration left rows that break foreign keys (table, rowid, parent, fk): {broken[:5]}")


def run_migrations(connection: Connection) -> None:
    _configure(connection=connection)
    with _sqlite_foreign_keys_off(connection), context.begin_transaction():
        context.run_migrations()
        _check_sqlite_foreign_keys(connection)


async def _run_standalone() -> None:
    database = Database(_url())
    try:
        async with database.engine.connect() as connection:
            await connection.run_sync(run_migrations)
    finally:
        await database.dispose()


if context.is_offline_mode():
    _configure(url=_url(), literal_binds=True, dialect_opts={"paramstyle": "named"})
    with context.begin_transaction():
        context.run_migrations()
elif (given := config.attributes.get("connection")) is not None:
    run_migrations(given)
else:
    if config.config_file_name is not None:
        fileConfig(config.config_file_name, disable_existing_loggers=False)
    asyncio.run(_run_standalone())
