from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple, cast

from sqlalchemy import CursorResult, Table, delete, select

from storage.models import MessageRef
from storage.repositories._base import Repository
from storage.types import utcnow


class PostedMessage(NamedTuple):
    version_id: int
    kind: str
    channel_id: str
    ts: str
    stage: int = 0
    part: int = 0


class MessageRefRepository(Repository):
    async def record(
        self, version_id: int, kind: str, channel_id: str, ts: str, *, stage: int = 0, part: int = 0
    ) -> None:
        """Upsert on (version, kind, stage, part): a re-posted message replaces the old ts."""
        await self.record_many([PostedMessage(version_id, kind, channel_id, ts, stage, part)])

    async def record_many(self, messages: Sequence[PostedMessage]) -> None:
        """Several upserts as one executemany of a Core statement: its compiled form is cached, where a
        multi-row VALUES would be compiled anew for every batch size. Of two for the same part, the later wins."""
        latest = {(m.version_id, m.kind, m.stage, m.part): m for m in messages}
        if not latest:
            return
        now = utcnow()
        insert = self._insert(cast(Table, MessageRef.__table__))  # typed FromClause by SQLAlchemy
        upsert = insert.on_conflict_do_update(
            index_elements=["version_id", "kind", "stage", "part"],
            set_={
                "channel_id": insert.excluded.channel_id,
                "ts": insert.excluded.ts,
                "created_at": insert.excluded.created_at,
            },
        )
        rows = [{**m._asdict(), "created_at": now} for m in latest.values()]
        await self._session.execute(upsert, rows)

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
