"""What every repository shares: its session and a dialect-aware INSERT."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import InstrumentedAttribute

from storage.models import Base


class Repository:
    def __init__(self, session: AsyncSession) -> None:
        self._session = session

    def _insert(self, entity: type[Base] | Table) -> postgresql.Insert | sqlite.Insert:
        """INSERT with ON CONFLICT: both dialects spell it alike but build it from their own classes."""
        name = self._session.get_bind().dialect.name
        if name == "postgresql":
            return postgresql.insert(entity)
        if name == "sqlite":
            return sqlite.insert(entity)
        raise NotImplementedError(f"no ON CONFLICT support for the {name} dialect")


def equals_or_null(column: InstrumentedAttribute[Any], value: object) -> ColumnElement[bool]:
    """``column = value``, or ``IS NULL`` for None (CLI reviews have no workspace or user): NULL = NULL is not true."""
    return column.is_(None) if value is None else column == value
