"""Handling each Slack event once: Slack retries events it thinks were not acknowledged."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from storage import Database

KEEP = timedelta(hours=2)  # Slack's last retry comes about 5 minutes after the first attempt


class EventLog:
    def __init__(self, database: Database) -> None:
        self._db = database

    async def first_time(self, event_id: str) -> bool:
        # one insert: on SQLite inline (no thread hop per statement, the write lock held for microseconds), since a
        # burst of mentions runs this once each before any of them is answered
        return await self._db.transact(lambda repos: repos.events.first_time(event_id))

    async def purge(self, *, now: datetime | None = None) -> int:
        async with self._db.unit_of_work() as repos:
            return await repos.events.purge_older_than((now or datetime.now(UTC)) - KEEP)
