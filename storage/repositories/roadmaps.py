from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import cast

from sqlalchemy import CursorResult, Table, and_, case, func, insert, or_, select, update

from bot.roadmap import schema
from storage.models import CLOSED_STATUSES, Review, Roadmap, RoadmapItem, RoadmapVersion
from storage.repositories._base import Repository, equals_or_null
from storage.types import utcnow


@dataclass(frozen=True, slots=True)
class StoredVersion:
    """A completed version and its items' statuses (carried over from the previous version where they match),
    so whoever publishes it next needs no second look at the database."""

    version: RoadmapVersion
    statuses: dict[str, schema.ItemStatus]


@dataclass(frozen=True, slots=True)
class RoadmapSummary:
    """A row of a user's roadmap list. ``closed_items`` counts what ``ItemRepository.progress`` calls closed."""

    roadmap: Roadmap
    system_name: str
    version: int | None  # latest ready version; None while the first one is generating or failed
    version_id: int | None
    closed_items: int
    total_items: int


class AlreadyComplete(ValueError):
    """The version was stored already (another run of the same queued job got there first)."""


class RoadmapRepository(Repository):
    async def create(
        self, review_id: int, *, owner_user_id: str | None = None, channel_id: str | None = None
    ) -> Roadmap:
        roadmap = Roadmap(review_id=review_id, owner_user_id=owner_user_id, channel_id=channel_id)
        self._session.add(roadmap)
        await self._session.flush()
        return roadmap

    async def create_with_version(
        self, review_id: int, *, owner_user_id: str | None, channel_id: str | None, engine: str
    ) -> tuple[Roadmap, RoadmapVersion]:
        """A new roadmap with its first version already 'generating' (a new roadmap needs no numbering lock)."""
        roadmap = await self.create(review_id, owner_user_id=owner_user_id, channel_id=channel_id)
        version = RoadmapVersion(roadmap_id=roadmap.id, version=1, engine=engine, status="generating")
        self._session.add(version)
        await self._session.flush()
        return roadmap, version

    async def get(self, roadmap_id: int) -> Roadmap | None:
        return await self._session.get(Roadmap, roadmap_id)

    async def for_review(self, review_id: int) -> Roadmap | None:
        return await self._session.scalar(select(Roadmap).where(Roadmap.review_id == review_id))

    async def by_thread(self, channel_id: str, thread_ts: str) -> Roadmap | None:
        """The roadmap a thread reply or button belongs to."""
        query = select(Roadmap).where(Roadmap.channel_id == channel_id, Roadmap.thread_ts == thread_ts)
        return await self._session.scalar(query)

    async def set_thread(self, roadmap_id: int, channel_id: str, thread_ts: str) -> None:
        await self._update(roadmap_id, channel_id=channel_id, thread_ts=thread_ts)

    async def set_owner_tz(self, roadmap_id: int, tz: str) -> None:
        await self._update(roadmap_id, owner_tz=tz)

    async def _update(self, roadmap_id: int, **values: object) -> None:
        """One UPDATE, no read first (these run on every review); objects already in the session follow it."""
        result = await self._session.execute(update(Roadmap).where(Roadmap.id == roadmap_id).values(**values))
        assert isinstance(result, CursorResult)  # an UPDATE's result; SQLAlchemy types execute() as Result
        if result.rowcount == 0:
            raise LookupError(f"no roadmap {roadmap_id}")

    async def start_version(self, roadmap_id: int, *, engine: str, model: str | None = None) -> RoadmapVersion:
        """Record the attempt before generating, so a crash or failure leaves something to retry."""
        await self._require(roadmap_id, lock=True)  # serialises numbering per roadmap on PostgreSQL
        latest = await self._session.scalar(
            select(func.max(RoadmapVersion.version)).where(RoadmapVersion.roadmap_id == roadmap_id)
        )
        version = RoadmapVersion(
            roadmap_id=roadmap_id, version=(latest or 0) + 1, engine=engine, model=model, status="generating"
        )
        self._session.add(version)
        await self._session.flush()
        return version

    async def complete_version(
        self,
        version_id: int,
        roadmap: schema.Roadmap,
        *,
        engine: str | None = None,
        model: str | None = None,
        change_summary: str | None = None,
        prompt_tokens: int | None = None,
        completion_tokens: int | None = None,
        cost_usd: Decimal | None = None,
    ) -> StoredVersion:
        """Store the generated roadmap and its items; ``engine``/``model`` given here replace the started ones
        (the OpenAI engine may have fallen back to rules). Status and owner carry over from the previous ready
        version, so a revision does not undo the team's progress. The items go in as one statement."""
        version = await self._require_version(version_id)
        if version.status == "ready":
            raise AlreadyComplete(f"roadmap version {version_id} is already complete")
        predecessors = await self._previous_ready_items(version) if version.version > 1 else ()
        version.status = "ready"
        version.content = roadmap.model_dump(mode="json")
        version.error = None
        version.completed_at = utcnow()
        version.engine = engine or version.engine
        version.model = model or version.model
        version.change_summary = change_summary
        version.prompt_tokens, version.completion_tokens, version.cost_usd = prompt_tokens, completion_tokens, cost_usd
        sources = _carry_over_sources(predecessors, roadmap)
        rows: list[dict[str, object]] = []
        statuses: dict[str, schema.ItemStatus] = {}
        for stage in roadmap.stages:
            for position, item in enumerate(stage.items, start=1):
                source = sources.get(item.id)
                status = source.status if source else schema.ItemStatus.TODO
                statuses[item.id] = status
                rows.append(
                    {
                        "version_id": version_id,
                        "item_key": item.id,
                        "stage": stage.number,
                        "position": position,
                        "pattern_id": item.pattern_id,
                        "title": item.title,
                        "status": status,
                        "owner_user_id": source.owner_user_id if source else None,
                        "due_on": source.due_on if source else None,
                        "status_changed_at": source.status_changed_at if source else None,
                        "status_changed_by": source.status_changed_by if source else None,
                    }
                )
        await self._session.flush()
        if rows:
            # Core: no ORM bulk-insert layer (a mapped class's __table__ is a Table; SQLAlchemy types it FromClause)
            await self._session.execute(insert(cast(Table, RoadmapItem.__table__)), rows)
        return StoredVersion(version, statuses)

    async def set_thread_once(self, roadmap_id: int, channel_id: str, thread_ts: str) -> tuple[str, str]:
        """Record the thread unless one is recorded already; returns the recorded one (two instances that both
        posted a parent message then use the same thread)."""
        statement = (
            update(Roadmap)
            .where(Roadmap.id == roadmap_id, Roadmap.thread_ts.is_(None))
            .values(channel_id=channel_id, thread_ts=thread_ts)
            .returning(Roadmap.channel_id, Roadmap.thread_ts)
        )
        row = (await self._session.execute(statement)).first()
        if row is None:
            query = select(Roadmap.channel_id, Roadmap.thread_ts).where(Roadmap.id == roadmap_id)
            row = (await self._session.execute(query)).first()
        if row is None or row[0] is None or row[1] is None:
            raise LookupError(f"no roadmap {roadmap_id}")
        return str(row[0]), str(row[1])

    async def mark_published(self, version_id: int) -> None:
        """Every message of the version is up: a queued rerun of it finds nothing left to post."""
        await self._session.execute(
            update(RoadmapVersion).where(RoadmapVersion.id == version_id).values(published_at=utcnow())
        )

    async def fail_version(self, version_id: int, error: str) -> RoadmapVersion:
        version = await self._require_version(version_id)
        version.status, version.error, version.completed_at = "failed", error, utcnow()
        await self._session.flush()
        return version

    async def claim_unfinished(self, *, stale_before: datetime, interrupted: str) -> list[tuple[int, int]]:
        """Atomically take over versions a shutdown interrupted (failed with `interrupted`) or a crash left
        'generating' since before `stale_before`; returns (version id, roadmap id) pairs.

        One UPDATE ... RETURNING is the claim: when several instances start at once, each row goes to one.
        """
        statement = (
            update(RoadmapVersion)
            .where(
                or_(
                    and_(RoadmapVersion.status == "generating", RoadmapVersion.created_at < stale_before),
                    and_(RoadmapVersion.status == "failed", RoadmapVersion.error == interrupted),
                )
            )
            .values(status="failed", error=f"{interrupted}; resumed", completed_at=utcnow())
            .returning(RoadmapVersion.id, RoadmapVersion.roadmap_id)
        )
        rows = (await self._session.execute(statement)).all()
        return sorted((row[0], row[1]) for row in rows)

    async def latest_version(self, roadmap_id: int, *, ready_only: bool = True) -> RoadmapVersion | None:
        query = select(RoadmapVersion).where(RoadmapVersion.roadmap_id == roadmap_id)
        if ready_only:
            query = query.where(RoadmapVersion.status == "ready")
        return await self._session.scalar(query.order_by(RoadmapVersion.version.desc()).limit(1))

    async def versions(self, roadmap_id: int) -> Sequence[RoadmapVersion]:
        """Every version of a roadmap, oldest first (the thread keeps them all)."""
        query = select(RoadmapVersion).where(RoadmapVersion.roadmap_id == roadmap_id).order_by(RoadmapVersion.version)
        return (await self._session.scalars(query)).all()

    async def get_version(self, version_id: int) -> RoadmapVersion | None:
        return await self._session.get(RoadmapVersion, version_id)

    async def list_for_user(self, workspace_id: int | None, user_id: str, limit: int = 20) -> list[RoadmapSummary]:
        """Roadmaps the user owns or asked for, newest first, with progress: one query however many there are."""
        latest_ready = (
            select(func.max(RoadmapVersion.version))
            .where(RoadmapVersion.roadmap_id == Roadmap.id, RoadmapVersion.status == "ready")
            .correlate(Roadmap)
            .scalar_subquery()
        )
        closed = func.coalesce(func.sum(case((RoadmapItem.status.in_(CLOSED_STATUSES), 1), else_=0)), 0)
        query = (
            select(Roadmap, Review.system_name, RoadmapVersion.version, RoadmapVersion.id)
            .add_columns(closed, func.count(RoadmapItem.id))
            .join(Review, Review.id == Roadmap.review_id)
            .outerjoin(
                RoadmapVersion, and_(RoadmapVersion.roadmap_id == Roadmap.id, RoadmapVersion.version == latest_ready)
            )
            .outerjoin(RoadmapItem, RoadmapItem.version_id == RoadmapVersion.id)
            .where(
                equals_or_null(Review.workspace_id, workspace_id),
                or_(Roadmap.owner_user_id == user_id, Review.user_id == user_id),
            )
            .group_by(Roadmap.id, Review.id, RoadmapVersion.id)
            .order_by(Roadmap.created_at.desc(), Roadmap.id.desc())
            .limit(limit)
        )
        rows = await self._session.execute(query)
        return [
            RoadmapSummary(roadmap, name, version, version_id, int(closed_count), int(total))
            for roadmap, name, version, version_id, closed_count, total in rows
        ]

    async def _require(self, roadmap_id: int, *, lock: bool = False) -> Roadmap:
        query = select(Roadmap).where(Roadmap.id == roadmap_id)
        roadmap = await self._session.scalar(query.with_for_update() if lock else query)
        if roadmap is None:
            raise LookupError(f"no roadmap {roadmap_id}")
        return roadmap

    async def _require_version(self, version_id: int) -> RoadmapVersion:
        query = select(RoadmapVersion).where(RoadmapVersion.id == version_id).with_for_update()
        version = await self._session.scalar(query, execution_options={"populate_existing": True})
        if version is None:
            raise LookupError(f"no roadmap version {version_id}")
        return version

    async def _previous_ready_items(self, version: RoadmapVersion) -> Sequence[RoadmapItem]:
        previous = (
            select(RoadmapVersion.id)
            .where(
                RoadmapVersion.roadmap_id == version.roadmap_id,
                RoadmapVersion.status == "ready",
                RoadmapVersion.version < version.version,
            )
            .order_by(RoadmapVersion.version.desc())
            .limit(1)
            .scalar_subquery()
        )
        return (await self._session.scalars(select(RoadmapItem).where(RoadmapItem.version_id == previous))).all()


def _carry_over_sources(previous: Sequence[RoadmapItem], roadmap: schema.Roadmap) -> dict[str, RoadmapItem]:
    """Which old item each new item continues: the same pattern if both name one, else the same key.

    Pattern matches are taken first, so an old item is not claimed by key by an item that merely took its number.
    """
    sources: dict[str, RoadmapItem] = {}
    taken: set[int] = set()
    by_pattern: dict[str, RoadmapItem] = {}
    for old in previous:
        if old.pattern_id:
            by_pattern.setdefault(old.pattern_id, old)
    for item in roadmap.items():
        same_pattern = by_pattern.get(item.pattern_id) if item.pattern_id else None
        if same_pattern is not None and same_pattern.id not in taken:
            sources[item.id] = same_pattern
            taken.add(same_pattern.id)
    by_key = {old.item_key: old for old in previous}
    for item in roadmap.items():
        same_key = by_key.get(item.id)
        if item.id in sources or same_key is None or same_key.id in taken or (item.pattern_id and same_key.pattern_id):
            continue
        sources[item.id] = same_key
        taken.add(same_key.id)
    return sources
