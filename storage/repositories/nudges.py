from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import false, select

from storage.models import NudgeLog, NudgeSchedule
from storage.repositories._base import Repository
from storage.types import utcnow

_LOCAL_TIME = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")


class NudgeRepository(Repository):
    async def upsert_schedule(
        self,
        roadmap_id: int,
        *,
        weekday: int,
        local_time: str,
        timezone: str,
        next_due_at: datetime | None,
        paused: bool = False,
    ) -> NudgeSchedule:
        if not 0 <= weekday <= 6:
            raise ValueError(f"weekday must be 0 (Monday) to 6 (Sunday), not {weekday}")
        if not _LOCAL_TIME.match(local_time):
            raise ValueError(f"local_time must be HH:MM (24-hour), not {local_time!r}")
        now = utcnow()
        values = {
            "weekday": weekday,
            "local_time": local_time,
            "timezone": timezone,
            "next_due_at": next_due_at,
            "paused": paused,
            "updated_at": now,
        }
        insert = self._insert(NudgeSchedule).values(roadmap_id=roadmap_id, created_at=now, **values)
        upsert = insert.on_conflict_do_update(index_elements=[NudgeSchedule.roadmap_id], set_=values)
        schedule: NudgeSchedule | None = await self._session.scalar(
            upsert.returning(NudgeSchedule), execution_options={"populate_existing": True}
        )
        assert schedule is not None  # DO UPDATE always returns the row
        return schedule

    async def get_schedule(self, roadmap_id: int) -> NudgeSchedule | None:
        return await self._session.scalar(select(NudgeSchedule).where(NudgeSchedule.roadmap_id == roadmap_id))

    async def set_paused(self, roadmap_id: int, paused: bool) -> NudgeSchedule:
        schedule = await self._require_schedule(roadmap_id)
        schedule.paused = paused
        await self._session.flush()
        return schedule

    async def claim_due(self, now: datetime, limit: int) -> Sequence[NudgeSchedule]:
        """Due, unpaused schedules, locked until this transaction ends.

        On PostgreSQL rows another instance holds are skipped (FOR UPDATE SKIP LOCKED), so concurrent sweeps
        share the work; SQLite renders no FOR UPDATE and needs none, as it admits one writer at a time.
        """
        query = (
            select(NudgeSchedule)
            .where(NudgeSchedule.next_due_at <= now, NudgeSchedule.paused == false())
            .order_by(NudgeSchedule.next_due_at, NudgeSchedule.id)
            .limit(limit)
            .with_for_update(skip_locked=True)
        )
        return (await self._session.scalars(query, execution_options={"populate_existing": True})).all()

    async def record_nudge(self, roadmap_id: int, period_key: str, channel_id: str | None = None) -> NudgeLog | None:
        """Claim the (roadmap, period) slot; None when it is already taken, i.e. this nudge was sent or is being sent.

        ON CONFLICT DO NOTHING rather than catching an IntegrityError, so the caller's transaction stays usable.
        """
        insert = self._insert(NudgeLog).values(
            roadmap_id=roadmap_id, period_key=period_key, status="claimed", channel_id=channel_id
        )
        upsert = insert.on_conflict_do_nothing(index_elements=[NudgeLog.roadmap_id, NudgeLog.period_key])
        log: NudgeLog | None = await self._session.scalar(upsert.returning(NudgeLog))
        return log

    async def mark_sent(self, log_id: int, ts: str) -> NudgeLog:
        log = await self._require_log(log_id)
        log.status, log.ts, log.sent_at, log.error = "sent", ts, utcnow(), None
        await self._session.flush()
        return log

    async def mark_failed(self, log_id: int, error: str) -> NudgeLog:
        log = await self._require_log(log_id)
        log.status, log.error = "failed", error
        await self._session.flush()
        return log

    async def set_next_due(
        self, roadmap_id: int, next_due_at: datetime | None, last_sent_at: datetime | None = None
    ) -> NudgeSchedule:
        schedule = await self._require_schedule(roadmap_id)
        schedule.next_due_at = next_due_at
        if last_sent_at is not None:
            schedule.last_sent_at = last_sent_at
        await self._session.flush()
        return schedule

    async def _require_schedule(self, roadmap_id: int) -> NudgeSchedule:
        schedule = await self.get_schedule(roadmap_id)
        if schedule is None:
            raise LookupError(f"roadmap {roadmap_id} has no nudge schedule")
        return schedule

    async def _require_log(self, log_id: int) -> NudgeLog:
        log = await self._session.get(NudgeLog, log_id)
        if log is None:
            raise LookupError(f"no nudge log {log_id}")
        return log
