from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import CursorResult, delete, select

from storage.models import MessageRef
from storage.repositories._base import Repository
from storage.types import utcnow


class MessageRefRepository(Repository):
    async def record(
        self, version_id: int, kind: str, channel_id: str, ts: str, *, stage: int = 0, part: int = 0
    ) -> None:
        """Upsert on (version, kind, stage, part): a re-posted message replaces the old ts.

        A plain statement, no ORM round trip: it runs once per message posted, in its own transaction.
        """
        insert = self._insert(MessageRef).values(
            version_id=version_id, kind=kind, stage=stage, part=part, channel_id=channel_id, ts=ts, created_at=utcnow()
        )
        upsert = insert.on_conflict_do_update(
            index_elements=[MessageRef.version_id, MessageRef.kind, MessageRef.stage, MessageRef.part],
            set_={
                "channel_id": insert.excluded.channel_id,
                "ts": insert.excluded.ts,
                "created_at": insert.excluded.created_at,
            },
        )
        await self._session.execute(upsert)

    async def list(self, version_id: int, kind: str | None = None) -> Sequence[MessageRef]:
        query = select(MessageRef).where(MessageRef.version_id == version_id)
        if kind is not None:
            query = query.where(MessageRef.kind == kind)
        return (await self._session.scalars(query.order_by(MessageRef.stage, MessageRef.part, MessageRef.id))).all()

    async def find_by_ts(self, channel_id: str, ts: str) -> MessageRef | None:
        """The message a button was pressed on or a reply points at."""
        query = select(MessageRef).where(MessageRef.channel_id == channel_id, MessageRef.ts == ts)
        return await self._session.scalar(query.order_by(MessageRef.id.desc()).limit(1))

    async def delete_stage_parts(self, version_id: int, stage: int, from_part: int) -> int:
        """Forget a stage's trailing messages after it was re-rendered into fewer parts."""
        result = await self._session.execute(
            delete(MessageRef).where(
                MessageRef.version_id == version_id,
                MessageRef.kind == "stage",
                MessageRef.stage == stage,
                MessageRef.part >= from_part,
            ),
            execution_options={"synchronize_session": False},
        )
        assert isinstance(result, CursorResult)
        return result.rowcount
