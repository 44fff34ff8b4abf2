"""What people wrote in roadmap threads (see models.DiscussionMessage)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import select

from storage.models import DiscussionMessage
from storage.repositories._base import Repository

MAX_KEPT_CHARS = 4_000  # a message longer than this is kept cut: the answers read it, nobody re-reads it here


class Said(NamedTuple):
    """One message of a thread, as the answers read it."""

    ts: str
    user_id: str | None
    text: str


class DiscussionRepository(Repository):
    async def remember(self, roadmap_id: int, ts: str, user_id: str | None, text: str) -> None:
        """Keep a message once (Slack sends a mention both as a mention and as a message)."""
        insert = self._insert(DiscussionMessage).values(
            roadmap_id=roadmap_id, ts=ts, user_id=user_id, text=text[:MAX_KEPT_CHARS]
        )
        await self._session.execute(insert.on_conflict_do_nothing(index_elements=["roadmap_id", "ts"]))

    async def recent(self, roadmap_id: int, limit: int = 200) -> Sequence[Said]:
        """The newest `limit` messages of a roadmap's thread, oldest first, as (ts, user_id, text) rows: every
        answer in a busy thread reads them, and whole ORM objects cost several times more to build."""
        query = (
            select(DiscussionMessage.ts, DiscussionMessage.user_id, DiscussionMessage.text)
            .where(DiscussionMessage.roadmap_id == roadmap_id)
            .order_by(DiscussionMessage.ts.desc())
            .limit(limit)
        )
        rows = (await self._session.execute(query)).all()
        return [Said(ts, user_id, text) for ts, user_id, text in reversed(rows)]
