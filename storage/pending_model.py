"""The pending_revisions table (migration 0005): a profile change read from a roadmap's thread, waiting for a
click. Beside models.py rather than in it so the table, its migration and its repository travel together."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, Created, IntPK, OptionalSlackId, SlackId, _cascade, _one_of

PENDING_STATES = ("pending", "applied", "cancelled", "stale")


class PendingRevision(Base):
    """A change to a roadmap's profile read from its thread, waiting for one click (Revise or Cancel). Kept in the
    database, not in memory, so a restart between the proposal and the click loses nothing."""

    __tablename__ = "pending_revisions"
    __table_args__ = (
        UniqueConstraint("roadmap_id", "message_ts"),
        CheckConstraint(_one_of("state", PENDING_STATES), name="state"),
    )

    id: Mapped[IntPK]
    roadmap_id: Mapped[int] = mapped_column(_cascade("roadmaps.id"))
    message_ts: Mapped[SlackId]  # the thread message that stated the change (a retried event proposes it once)
    proposed_by: Mapped[OptionalSlackId]
    base_version: Mapped[int]  # the version it was read against: a click after a newer version changes nothing
    profile: Mapped[dict[str, Any]]  # the amended answers
    changes: Mapped[dict[str, Any]]  # {"changes": [...], "refused": [...]}: what the confirmation message says
    state: Mapped[str] = mapped_column(String(16), default="pending")
    decided_by: Mapped[OptionalSlackId]
    decided_at: Mapped[datetime | None]
    created_at: Mapped[Created]
