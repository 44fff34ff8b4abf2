from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import cast

from sqlalchemy import CursorResult, Table, and_, bindparam, false, func, select, tuple_, update

from bot.roadmap.schema import ItemStatus
from storage.models import NudgeLog, NudgeSchedule, Review, Roadmap, RoadmapItem, RoadmapVersion, Workspace
from storage.repositories._base import Repository
from storage.types import utcnow


@dataclass(frozen=True, slots=True)
class TargetItem:
    key: str
    stage: int
    title: str
    status: ItemStatus
    owner_user_id: str | None
    due_on: date | None = None


@dataclass(frozen=True, slots=True)
class NudgeTarget:
    """Where a roadmap's nudge goes and what it reports, read in a constant number of statements per page."""

    roadmap_id: int
    system_name: str
    channel_id: str | None
    thread_ts: str | None
    owner_user_id: str | None
    version_id: int | None  # the latest ready version; None while none is ready
    items: tuple[TargetItem, ...]
    language: str = "en"  # the review's: what the nudge is written in
    team_id: str | None = None  # the workspace whose token posts it


@dataclass(frozen=True, slots=True)
class NudgeOutcome:
    """How one claimed nudge ended, written back in bulk."""

    schedule_id: int
    roadmap_id: int
    period_key: str | None  # None: nothing was sent (e.g. no thread yet)
    status: str  # "sent" | "failed" | "skipped"
    next_due_at: datetime | None
    ts: str | None = None
    error: str | None = None


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

    async def ensure_schedule(
        self, roadmap_id: int, *, weekday: int, local_time: str, timezone: str, next_due_at: datetime
    ) -> NudgeSchedule:
        """The roadmap's schedule, created with these defaults if it has none; a person's settings are kept."""
        now = utcnow()
        insert = self._insert(NudgeSchedule).values(
            roadmap_id=roadmap_id,
            weekday=weekday,
            local_time=local_time,
            timezone=timezone,
            next_due_at=next_due_at,
            paused=False,
            created_at=now,
            updated_at=now,
        )
        await self._session.execute(insert.on_conflict_do_nothing(index_elements=[NudgeSchedule.roadmap_id]))
        return await self._require_schedule(roadmap_id)

    async def pause_workspace(self, team_id: str) -> int:
        """Pause every schedule of the workspace's roadmaps (it uninstalled the app); returns how many were running."""
        roadmaps = (
            select(Roadmap.id)
            .join(Review, Review.id == Roadmap.review_id)
            .join(Workspace, Workspace.id == Review.workspace_id)
            .where(Workspace.team_id == team_id)
        )
        result = await self._session.execute(
            update(NudgeSchedule)
            .where(NudgeSchedule.roadmap_id.in_(roadmaps), NudgeSchedule.paused == false())
            .values(paused=True, updated_at=utcnow()),
            execution_options={"synchronize_session": False},
        )
        assert isinstance(result, CursorResult)  # an UPDATE's result; SQLAlchemy types execute() as Result
        return result.rowcount

    async def schedules_for(self, roadmap_ids: Iterable[int]) -> dict[int, NudgeSchedule]:
        ids = list(roadmap_ids)
        if not ids:
            return {}
        rows = await self._session.scalars(select(NudgeSchedule).where(NudgeSchedule.roadmap_id.in_(ids)))
        return {row.roadmap_id: row for row in rows}

    async def claim_page(self, now: datetime, limit: int, lease_until: datetime) -> Sequence[NudgeSchedule]:
        """Claim up to `limit` due schedules and move them to `lease_until`, in two statements.

        The lease is what a crashed sweep leaves behind: the schedule comes due again when it ends.
        """
        rows = await self.claim_due(now, limit)
        if rows:
            await self._session.execute(
                update(NudgeSchedule)
                .where(NudgeSchedule.id.in_([r.id for r in rows]))
                .values(next_due_at=lease_until, updated_at=utcnow()),
                execution_options={"synchronize_session": False},
            )
        return rows

    async def targets(self, roadmap_ids: Sequence[int]) -> dict[int, NudgeTarget]:
        """Thread, system name, latest ready version and its items for many roadmaps: three statements."""
        if not roadmap_ids:
            return {}
        heads = (
            await self._session.execute(
                select(
                    Roadmap.id,
                    Roadmap.channel_id,
                    Roadmap.thread_ts,
                    Roadmap.owner_user_id,
                    Review.system_name,
                    Review.language,
                    Workspace.team_id,
                )
                .join(Review, Review.id == Roadmap.review_id)
                .outerjoin(Workspace, Workspace.id == Review.workspace_id)
                .where(Roadmap.id.in_(roadmap_ids))
            )
        ).all()
        newest = (
            select(RoadmapVersion.roadmap_id, func.max(RoadmapVersion.version).label("version"))
            .where(RoadmapVersion.status == "ready", RoadmapVersion.roadmap_id.in_(roadmap_ids))
            .group_by(RoadmapVersion.roadmap_id)
            .subquery()
        )
        versions: dict[int, int] = dict(
            (
                await self._session.execute(
                    select(RoadmapVersion.roadmap_id, RoadmapVersion.id).join(
                        newest,
                        and_(
                            newest.c.roadmap_id == RoadmapVersion.roadmap_id,
                            newest.c.version == RoadmapVersion.version,
                        ),
                    )
                )
            ).all()
        )
        items: dict[int, list[TargetItem]] = {}
        if versions:
            rows = await self._session.execute(
                select(
                    RoadmapItem.version_id,
                    RoadmapItem.item_key,
                    RoadmapItem.stage,
                    RoadmapItem.title,
                    RoadmapItem.status,
                    RoadmapItem.owner_user_id,
                    RoadmapItem.due_on,
                )
                .where(RoadmapItem.version_id.in_(list(versions.values())))
                .order_by(RoadmapItem.version_id, RoadmapItem.stage, RoadmapItem.position)
            )
            for version_id, key, stage, title, status, owner, due_on in rows.all():
                items.setdefault(version_id, []).append(
                    TargetItem(key, stage, title, ItemStatus(status), owner, due_on)
                )
        return {
            rid: NudgeTarget(
                rid,
                system,
                channel,
                thread,
                owner,
                versions.get(rid),
                tuple(items.get(versions[rid], ())) if rid in versions else (),
                language,
                team_id,
            )
            for rid, channel, thread, owner, system, language, team_id in heads
        }

    async def logs_for(self, keys: Sequence[tuple[int, str]]) -> dict[tuple[int, str], NudgeLog]:
        if not keys:
            return {}
        rows = await self._session.scalars(
            select(NudgeLog).where(tuple_(NudgeLog.roadmap_id, NudgeLog.period_key).in_(list(keys)))
        )
        return {(row.roadmap_id, row.period_key): row for row in rows}

    async def open_logs(self, entries: Sequence[tuple[int, str, str | None]]) -> None:
        """(roadmap, period, channel) slots as 'claimed', in one statement; existing slots are left alone."""
        if not entries:
            return
        insert = self._insert(NudgeLog).values(
            [
                {"roadmap_id": rid, "period_key": key, "status": "claimed", "channel_id": channel, "attempts": 0}
                for rid, key, channel in entries
            ]
        )
        await self._session.execute(
            insert.on_conflict_do_nothing(index_elements=[NudgeLog.roadmap_id, NudgeLog.period_key])
        )

    async def finish(self, outcomes: Sequence[NudgeOutcome], now: datetime) -> None:
        """Write a page's results back: one executemany for the log, one for the schedules."""
        logged = [o for o in outcomes if o.period_key is not None and o.status in ("sent", "failed")]
        if logged:
            log = cast(Table, NudgeLog.__table__)  # a mapped class's table (typed FromClause by SQLAlchemy)
            await self._session.execute(
                update(log)
                .where(log.c.roadmap_id == bindparam("b_roadmap"), log.c.period_key == bindparam("b_period"))
                .values(
                    status=bindparam("b_status", type_=log.c.status.type),
                    ts=bindparam("b_ts", type_=log.c.ts.type),
                    error=bindparam("b_error", type_=log.c.error.type),
                    sent_at=bindparam("b_sent_at", type_=log.c.sent_at.type),
                    attempts=log.c.attempts + 1,
                ),
                [
                    {
                        "b_roadmap": o.roadmap_id,
                        "b_period": o.period_key,
                        "b_status": o.status,
                        "b_ts": o.ts,
                        "b_error": o.error,
                        "b_sent_at": now if o.status == "sent" else None,
                    }
                    for o in logged
                ],
            )
        if outcomes:
            table = cast(Table, NudgeSchedule.__table__)
            await self._session.execute(
                update(table)
                .where(table.c.id == bindparam("b_id"))
                .values(
                    next_due_at=bindparam("b_due", type_=table.c.next_due_at.type),
                    last_sent_at=func.coalesce(
                        bindparam("b_sent", type_=table.c.last_sent_at.type), table.c.last_sent_at
                    ),
                    updated_at=now,
                ),
                [
                    {"b_id": o.schedule_id, "b_due": o.next_due_at, "b_sent": now if o.status == "sent" else None}
                    for o in outcomes
                ],
            )

    async def update_schedule(self, roadmap_id: int, **changes: object) -> NudgeSchedule:
        schedule = await self._require_schedule(roadmap_id)
        for name, value in changes.items():
            setattr(schedule, name, value)
        await self._session.flush()
        return schedule

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
