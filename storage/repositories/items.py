from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import case, func, select

from bot.roadmap.schema import ItemStatus
from storage.models import CLOSED_STATUSES, ItemStatusEvent, RoadmapItem
from storage.repositories._base import Repository
from storage.types import utcnow


@dataclass(frozen=True, slots=True)
class StatusChange:
    """What ``set_status`` did: a button pressed twice is not a second change and must not be announced twice."""

    item: RoadmapItem
    previous: ItemStatus
    changed: bool


class ItemRepository(Repository):
    async def list(self, version_id: int) -> Sequence[RoadmapItem]:
        query = select(RoadmapItem).where(RoadmapItem.version_id == version_id)
        return (await self._session.scalars(query.order_by(RoadmapItem.stage, RoadmapItem.position))).all()

    async def statuses(self, version_id: int) -> dict[str, ItemStatus]:
        """Each item's status by its key: what rendering a version needs, without loading whole rows."""
        query = select(RoadmapItem.item_key, RoadmapItem.status).where(RoadmapItem.version_id == version_id)
        return {key: ItemStatus(status) for key, status in (await self._session.execute(query)).all()}

    async def get(self, version_id: int, item_key: str) -> RoadmapItem | None:
        query = select(RoadmapItem).where(RoadmapItem.version_id == version_id, RoadmapItem.item_key == item_key)
        return await self._session.scalar(query)

    async def set_status(
        self,
        version_id: int,
        item_key: str,
        status: ItemStatus,
        *,
        actor: str | None = None,
        note: str | None = None,
    ) -> StatusChange:
        status = ItemStatus(status)
        item = await self._require(version_id, item_key)
        previous = item.status
        if previous == status:
            return StatusChange(item, previous, changed=False)
        at = utcnow()
        item.status, item.status_changed_at, item.status_changed_by = status, at, actor
        self._session.add(
            ItemStatusEvent(item_id=item.id, from_status=previous, to_status=status, actor=actor, note=note, at=at)
        )
        await self._session.flush()
        return StatusChange(item, previous, changed=True)

    async def set_due(self, version_id: int, item_key: str, due_on: date | None) -> RoadmapItem:
        item = await self._require(version_id, item_key)
        item.due_on = due_on
        await self._session.flush()
        return item

    async def set_owner(self, version_id: int, item_key: str, owner_user_id: str | None) -> RoadmapItem:
        item = await self._require(version_id, item_key)
        item.owner_user_id = owner_user_id
        await self._session.flush()
        return item

    async def progress(self, version_id: int) -> dict[int, tuple[int, int]]:
        """stage -> (closed, total); closed counts done, acknowledged and not applicable."""
        closed = func.sum(case((RoadmapItem.status.in_(CLOSED_STATUSES), 1), else_=0))
        query = (
            select(RoadmapItem.stage, closed, func.count())
            .where(RoadmapItem.version_id == version_id)
            .group_by(RoadmapItem.stage)
            .order_by(RoadmapItem.stage)
        )
        return {stage: (int(done), int(total)) for stage, done, total in await self._session.execute(query)}

    async def history(self, item_id: int) -> Sequence[ItemStatusEvent]:
        query = select(ItemStatusEvent).where(ItemStatusEvent.item_id == item_id)
        return (await self._session.scalars(query.order_by(ItemStatusEvent.at, ItemStatusEvent.id))).all()

    async def _require(self, version_id: int, item_key: str) -> RoadmapItem:
        """The item, locked on PostgreSQL so two concurrent clicks record one change, not two."""
        query = (
            select(RoadmapItem)
            .where(RoadmapItem.version_id == version_id, RoadmapItem.item_key == item_key)
            .with_for_update()
        )
        item = await self._session.scalar(query, execution_options={"populate_existing": True})
        if item is None:
            raise LookupError(f"roadmap version {version_id} has no item {item_key!r}")
        return item
