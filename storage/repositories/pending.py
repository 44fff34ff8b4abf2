"""Profile changes waiting for a click in a roadmap's thread (see models.PendingRevision)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update

from storage.models import DiscussionMessage, PendingRevision
from storage.repositories._base import Repository
from storage.types import utcnow


class PendingRevisionRepository(Repository):
    async def propose(
        self,
        roadmap_id: int,
        message_ts: str,
        *,
        proposed_by: str | None,
        base_version: int,
        profile: dict[str, Any],
        changes: dict[str, Any],
    ) -> PendingRevision | None:
        """Keep a proposal once per thread message; None when that message already made one (a retried event)."""
        insert = self._insert(PendingRevision).values(
            roadmap_id=roadmap_id,
            message_ts=message_ts,
            proposed_by=proposed_by,
            base_version=base_version,
            profile=profile,
            changes=changes,
            state="pending",
            created_at=utcnow(),
        )
        new_id = await self._session.scalar(
            insert.on_conflict_do_nothing(index_elements=["roadmap_id", "message_ts"]).returning(PendingRevision.id)
        )
        return await self._session.get(PendingRevision, new_id) if new_id is not None else None

    async def get(self, pending_id: int) -> PendingRevision | None:
        return await self._session.get(PendingRevision, pending_id)

    async def decide(self, pending_id: int, state: str, user_id: str) -> bool:
        """Move a pending proposal to `state`; False when it was decided already (a second click, or a race)."""
        statement = (
            update(PendingRevision)
            .where(PendingRevision.id == pending_id, PendingRevision.state == "pending")
            .values(state=state, decided_by=user_id, decided_at=utcnow())
            .returning(PendingRevision.id)
            .execution_options(synchronize_session=False)
        )
        return await self._session.scalar(statement) is not None

    async def in_thread(self, roadmap_id: int, user_id: str) -> bool:
        """Whether the person has written in the roadmap's thread (they may then confirm its changes)."""
        query = select(DiscussionMessage.id).where(
            DiscussionMessage.roadmap_id == roadmap_id, DiscussionMessage.user_id == user_id
        )
        return await self._session.scalar(query.limit(1)) is not None
