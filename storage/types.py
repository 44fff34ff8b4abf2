"""Column types that make both backends hand back the same Python values."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, Dialect, String
from sqlalchemy.types import TypeDecorator

from bot.roadmap.schema import ItemStatus


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC in, aware UTC out.

    SQLite has no time zone column, so values are stored as naive UTC there and UTC is attached
    again on load. A naive value is rejected instead of guessed at: whose local time would it be?
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if not isinstance(value, datetime):
            raise TypeError(f"expected a datetime, got {type(value).__name__}")
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(
                f"naive datetime {value.isoformat()} rejected: pass a timezone-aware one, e.g. datetime.now(UTC)"
            )
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class ItemStatusType(TypeDecorator[ItemStatus]):
    """Stores an ``ItemStatus`` as its string value; an unknown status fails before reaching SQL."""

    impl = String(20)
    cache_ok = True

    def process_bind_param(self, value: ItemStatus | str | None, dialect: Dialect) -> str | None:
        return None if value is None else ItemStatus(value).value

    def process_result_value(self, value: str | None, dialect: Dialect) -> ItemStatus | None:
        return None if value is None else ItemStatus(value)
