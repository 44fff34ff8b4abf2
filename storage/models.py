"""Tables. Schema changes go through an Alembic revision in ``storage/migrations/versions``.

There are no ORM relationships on purpose: with asyncio a lazy load is an error, so every read
is an explicit repository query. Children are removed by ON DELETE CASCADE in the database.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    MetaData,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    false,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from bot.roadmap import schema
from bot.roadmap.schema import ItemStatus, SystemProfile
from storage.types import ItemStatusType, UTCDateTime, utcnow

# Constraint names are spelled out so Alembic sees the same names on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_N_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

REVIEW_SOURCES = ("slack", "cli")
LANGUAGES = ("en", "ko")
VERSION_STATUSES = ("generating", "ready", "failed")
NUDGE_STATUSES = ("claimed", "sent", "failed")
CLOSED_STATUSES = (ItemStatus.DONE, ItemStatus.ACKNOWLEDGED, ItemStatus.NOT_APPLICABLE)

JSONDocument = JSON(none_as_null=True).with_variant(JSONB(none_as_null=True), "postgresql")

IntPK = Annotated[int, mapped_column(primary_key=True)]
Created = Annotated[datetime, mapped_column(default=utcnow)]
SlackId = Annotated[str, mapped_column(String(32))]
OptionalSlackId = Annotated[str | None, mapped_column(String(32))]


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(str(v)) for v in values)})"


def _cascade(target: str) -> ForeignKey:
    return ForeignKey(target, ondelete="CASCADE")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSONDocument}  # noqa: RUF012


class Workspace(Base):
    __tablename__ = "workspaces"

    id: Mapped[IntPK]
    team_id: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[Created]


class Review(Base):
    """The questionnaire answers, stored before anything else happens."""

    __tablename__ = "reviews"
    __table_args__ = (
        Index("ix_reviews_workspace_id_user_id_system_name", "workspace_id", "user_id", "system_name"),
        CheckConstraint(_one_of("source", REVIEW_SOURCES), name="source"),
        CheckConstraint(_one_of("language", LANGUAGES), name="language"),
    )

    id: Mapped[IntPK]
    workspace_id: Mapped[int | None] = mapped_column(_cascade("workspaces.id"))
    user_id: Mapped[OptionalSlackId]
    channel_id: Mapped[OptionalSlackId]
    system_name: Mapped[str] = mapped_column(String(80))
    profile: Mapped[dict[str, Any]]
    source: Mapped[str] = mapped_column(String(16))
    language: Mapped[str] = mapped_column(String(2), server_default="en")  # the roadmap's, for nudges and replies
    created_at: Mapped[Created]

    @property
    def profile_model(self) -> SystemProfile:
        return SystemProfile.model_validate(self.profile)


class Roadmap(Base):
    """The plan as users see it: one Slack thread, across all its versions."""

    __tablename__ = "roadmaps"
    __table_args__ = (Index("ix_roadmaps_channel_id_thread_ts", "channel_id", "thread_ts"),)

    id: Mapped[IntPK]
    review_id: Mapped[int] = mapped_column(_cascade("reviews.id"), unique=True)
    owner_user_id: Mapped[OptionalSlackId]
    owner_tz: Mapped[str | None] = mapped_column(String(64))
    channel_id: Mapped[OptionalSlackId]
    thread_ts: Mapped[OptionalSlackId]
    created_at: Mapped[Created]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class RoadmapVersion(Base):
    """One generation attempt; it exists as 'generating' before the engine runs, so a failure can be retried."""

    __tablename__ = "roadmap_versions"
    __table_args__ = (
        UniqueConstraint("roadmap_id", "version"),
        CheckConstraint(_one_of("status", VERSION_STATUSES), name="status"),
    )

    id: Mapped[IntPK]
    roadmap_id: Mapped[int] = mapped_column(_cascade("roadmaps.id"))
    version: Mapped[int]
    engine: Mapped[str] = mapped_column(String(32))
    model: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16))
    content: Mapped[dict[str, Any] | None]
    error: Mapped[str | None] = mapped_column(Text)
    change_summary: Mapped[str | None] = mapped_column(Text)
    prompt_tokens: Mapped[int | None]
    completion_tokens: Mapped[int | None]
    cost_usd: Mapped[Decimal | None] = mapped_column(Numeric(12, 6))
    created_at: Mapped[Created]
    completed_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]  # every message of it is up in the thread (a rerun then posts nothing)

    @property
    def roadmap_model(self) -> schema.Roadmap | None:
        return None if self.content is None else schema.Roadmap.model_validate(self.content)


class RoadmapItem(Base):
    """Per-item state that changes after generation (status, owner); the rest lives in the version's content."""

    __tablename__ = "roadmap_items"
    __table_args__ = (
        UniqueConstraint("version_id", "item_key"),
        CheckConstraint(_one_of("status", tuple(ItemStatus)), name="status"),
    )

    id: Mapped[IntPK]
    version_id: Mapped[int] = mapped_column(_cascade("roadmap_versions.id"))
    item_key: Mapped[str] = mapped_column(String(8))
    stage: Mapped[int]
    position: Mapped[int]
    pattern_id: Mapped[str | None] = mapped_column(String(60))
    title: Mapped[str] = mapped_column(String(150))
    status: Mapped[ItemStatus] = mapped_column(
        ItemStatusType(), default=ItemStatus.TODO, server_default=ItemStatus.TODO.value
    )
    owner_user_id: Mapped[OptionalSlackId]
    due_on: Mapped[date | None]  # "due 2.1 friday": the day the team means to finish it
    status_changed_at: Mapped[datetime | None]
    status_changed_by: Mapped[OptionalSlackId]


class ItemStatusEvent(Base):
    __tablename__ = "item_status_events"

    id: Mapped[IntPK]
    item_id: Mapped[int] = mapped_column(_cascade("roadmap_items.id"), index=True)
    from_status: Mapped[ItemStatus] = mapped_column(ItemStatusType())
    to_status: Mapped[ItemStatus] = mapped_column(ItemStatusType())
    actor: Mapped[OptionalSlackId]
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)


class MessageRef(Base):
    """Where a part of a version was posted, so it can be updated in place or found from an event.

    ``stage`` and ``part`` are 0 rather than NULL when unused: NULLs never collide in a unique key.
    """

    __tablename__ = "message_refs"
    __table_args__ = (
        UniqueConstraint("version_id", "kind", "stage", "part"),
        Index("ix_message_refs_channel_id_ts", "channel_id", "ts"),
    )

    id: Mapped[IntPK]
    version_id: Mapped[int] = mapped_column(_cascade("roadmap_versions.id"))
    kind: Mapped[str] = mapped_column(String(16))
    stage: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    part: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    channel_id: Mapped[SlackId]
    ts: Mapped[SlackId]
    created_at: Mapped[Created]


class NudgeSchedule(Base):
    __tablename__ = "nudge_schedules"
    __table_args__ = (CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),)

    id: Mapped[IntPK]
    roadmap_id: Mapped[int] = mapped_column(_cascade("roadmaps.id"), unique=True)
    weekday: Mapped[int]
    local_time: Mapped[str] = mapped_column(String(5))
    timezone: Mapped[str] = mapped_column(String(64))
    paused: Mapped[bool] = mapped_column(default=False, server_default=false())
    next_due_at: Mapped[datetime | None] = mapped_column(index=True)
    last_sent_at: Mapped[datetime | None]
    created_at: Mapped[Created]
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class NudgeLog(Base):
    """One row per (roadmap, period): the unique key is what stops two instances sending the same nudge."""

    __tablename__ = "nudge_log"
    __table_args__ = (
        UniqueConstraint("roadmap_id", "period_key"),
        CheckConstraint(_one_of("status", NUDGE_STATUSES), name="status"),
    )

    id: Mapped[IntPK]
    roadmap_id: Mapped[int] = mapped_column(_cascade("roadmaps.id"))
    period_key: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16))
    attempts: Mapped[int] = mapped_column(default=1, server_default=text("1"))
    channel_id: Mapped[OptionalSlackId]
    ts: Mapped[OptionalSlackId]
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[Created]
    sent_at: Mapped[datetime | None]


class DiscussionMessage(Base):
    """What people wrote in a roadmap's thread, kept from the events received (Slack's thread history API is
    rate-limited to a crawl for new apps), so answers can take the conversation so far into account."""

    __tablename__ = "discussion_messages"
    __table_args__ = (UniqueConstraint("roadmap_id", "ts"),)

    id: Mapped[IntPK]
    roadmap_id: Mapped[int] = mapped_column(_cascade("roadmaps.id"))
    ts: Mapped[SlackId]
    user_id: Mapped[OptionalSlackId]
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[Created]


class ProcessedEvent(Base):
    """Slack event ids already handled: Slack retries an event it thinks we missed."""

    __tablename__ = "processed_events"

    event_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


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
