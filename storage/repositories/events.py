from __future__ import annotations

from datetime import datetime

from sqlalchemy import CursorResult, delete

from storage.models import ProcessedEvent
from storage.repositories._base import Repository
from storage.types import utcnow


class EventRepository(Repository):
    async def first_time(self, event_id: str) -> bool:
        """True for the first delivery of a Slack event, False for a retry (even one racing the first)."""
        insert = self._insert(ProcessedEvent).values(event_id=event_id, received_at=utcnow())
        inserted = await self._session.scalar(
            insert.on_conflict_do_nothing(index_elements=[ProcessedEvent.event_id]).returning(ProcessedEvent.event_id)
        )
        return inserted is not None

    async def purge_older_than(self, when: datetime) -> int:
        """Slack stops retrying after minutes, so old ids only cost space."""
        result = await self._session.execute(
            delete(ProcessedEvent).where(ProcessedEvent.received_at < when),
            execution_options={"synchronize_session": False},
        )
        assert isinstance(result, CursorResult)
        return result.rowcount
