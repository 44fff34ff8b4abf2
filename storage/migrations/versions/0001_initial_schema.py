"""Initial schema: workspaces, reviews, roadmaps and their versions, items, messages, nudges, processed events.

Revision ID: 0001
Revises:
Create Date: 2026-11-26 12:17:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Plain types only: a migration must not change meaning when application code changes later.
TIMESTAMP = sa.DateTime(timezone=True)
JSON_DOCUMENT = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")
ITEM_STATUSES = "status IN ('todo', 'in_progress', 'done', 'acknowledged', 'not_applicable')"


def _id() -> sa.Column[int]:
    return sa.Column("id", sa.Integer(), nullable=False)


def _cascade(column: str, table: str, target: str) -> sa.ForeignKeyConstraint:
    return sa.ForeignKeyConstraint(
        [column], [f"{target}.id"], name=op.f(f"fk_{table}_{column}_{target}"), ondelete="CASCADE"
    )


def upgrade() -> None:
    op.create_table(
        "workspaces",
        _id(),
        sa.Column("team_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_workspaces")),
        sa.UniqueConstraint("team_id", name=op.f("uq_workspaces_team_id")),
    )

    op.create_table(
        "reviews",
        _id(),
        sa.Column("workspace_id", sa.Integer(), nullable=True),
        sa.Column("user_id", sa.String(length=32), nullable=True),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("system_name", sa.String(length=80), nullable=False),
        sa.Column("profile", JSON_DOCUMENT, nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint("source IN ('slack', 'cli')", name=op.f("ck_reviews_source")),
        _cascade("workspace_id", "reviews", "workspaces"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reviews")),
    )
    op.create_index(
        "ix_reviews_workspace_id_user_id_system_name", "reviews", ["workspace_id", "user_id", "system_name"]
    )

    op.create_table(
        "roadmaps",
        _id(),
        sa.Column("review_id", sa.Integer(), nullable=False),
        sa.Column("owner_user_id", sa.String(length=32), nullable=True),
        sa.Column("owner_tz", sa.String(length=64), nullable=True),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("thread_ts", sa.String(length=32), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        _cascade("review_id", "roadmaps", "reviews"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roadmaps")),
        sa.UniqueConstraint("review_id", name=op.f("uq_roadmaps_review_id")),
    )
    op.create_index("ix_roadmaps_channel_id_thread_ts", "roadmaps", ["channel_id", "thread_ts"])

    op.create_table(
        "roadmap_versions",
        _id(),
        sa.Column("roadmap_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("engine", sa.String(length=32), nullable=False),
        sa.Column("model", sa.String(length=100), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("content", JSON_DOCUMENT, nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("change_summary", sa.Text(), nullable=True),
        sa.Column("prompt_tokens", sa.Integer(), nullable=True),
        sa.Column("completion_tokens", sa.Integer(), nullable=True),
        sa.Column("cost_usd", sa.Numeric(precision=12, scale=6), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("completed_at", TIMESTAMP, nullable=True),
        sa.CheckConstraint("status IN ('generating', 'ready', 'failed')", name=op.f("ck_roadmap_versions_status")),
        _cascade("roadmap_id", "roadmap_versions", "roadmaps"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roadmap_versions")),
        sa.UniqueConstraint("roadmap_id", "version", name=op.f("uq_roadmap_versions_roadmap_id_version")),
    )

    op.create_table(
        "roadmap_items",
        _id(),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("item_key", sa.String(length=8), nullable=False),
        sa.Column("stage", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("pattern_id", sa.String(length=60), nullable=True),
        sa.Column("title", sa.String(length=150), nullable=False),
        sa.Column("status", sa.String(length=20), server_default="todo", nullable=False),
        sa.Column("owner_user_id", sa.String(length=32), nullable=True),
        sa.Column("status_changed_at", TIMESTAMP, nullable=True),
        sa.Column("status_changed_by", sa.String(length=32), nullable=True),
        sa.CheckConstraint(ITEM_STATUSES, name=op.f("ck_roadmap_items_status")),
        _cascade("version_id", "roadmap_items", "roadmap_versions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_roadmap_items")),
        sa.UniqueConstraint("version_id", "item_key", name=op.f("uq_roadmap_items_version_id_item_key")),
    )

    op.create_table(
        "item_status_events",
        _id(),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("from_status", sa.String(length=20), nullable=False),
        sa.Column("to_status", sa.String(length=20), nullable=False),
        sa.Column("actor", sa.String(length=32), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("at", TIMESTAMP, nullable=False),
        _cascade("item_id", "item_status_events", "roadmap_items"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_status_events")),
    )
    op.create_index(op.f("ix_item_status_events_item_id"), "item_status_events", ["item_id"])

    op.create_table(
        "message_refs",
        _id(),
        sa.Column("version_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("stage", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("part", sa.Integer(), server_default=sa.text("0"), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=False),
        sa.Column("ts", sa.String(length=32), nullable=False),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        _cascade("version_id", "message_refs", "roadmap_versions"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_message_refs")),
        sa.UniqueConstraint(
            "version_id", "kind", "stage", "part", name=op.f("uq_message_refs_version_id_kind_stage_part")
        ),
    )
    op.create_index("ix_message_refs_channel_id_ts", "message_refs", ["channel_id", "ts"])

    op.create_table(
        "nudge_schedules",
        _id(),
        sa.Column("roadmap_id", sa.Integer(), nullable=False),
        sa.Column("weekday", sa.Integer(), nullable=False),
        sa.Column("local_time", sa.String(length=5), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("paused", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("next_due_at", TIMESTAMP, nullable=True),
        sa.Column("last_sent_at", TIMESTAMP, nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("updated_at", TIMESTAMP, nullable=False),
        sa.CheckConstraint("weekday BETWEEN 0 AND 6", name=op.f("ck_nudge_schedules_weekday")),
        _cascade("roadmap_id", "nudge_schedules", "roadmaps"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nudge_schedules")),
        sa.UniqueConstraint("roadmap_id", name=op.f("uq_nudge_schedules_roadmap_id")),
    )
    op.create_index(op.f("ix_nudge_schedules_next_due_at"), "nudge_schedules", ["next_due_at"])

    op.create_table(
        "nudge_log",
        _id(),
        sa.Column("roadmap_id", sa.Integer(), nullable=False),
        sa.Column("period_key", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), server_default=sa.text("1"), nullable=False),
        sa.Column("channel_id", sa.String(length=32), nullable=True),
        sa.Column("ts", sa.String(length=32), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", TIMESTAMP, nullable=False),
        sa.Column("sent_at", TIMESTAMP, nullable=True),
        sa.CheckConstraint("status IN ('claimed', 'sent', 'failed')", name=op.f("ck_nudge_log_status")),
        _cascade("roadmap_id", "nudge_log", "roadmaps"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_nudge_log")),
        sa.UniqueConstraint("roadmap_id", "period_key", name=op.f("uq_nudge_log_roadmap_id_period_key")),
    )

    op.create_table(
        "processed_events",
        sa.Column("event_id", sa.String(length=64), nullable=False),
        sa.Column("received_at", TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_processed_events")),
    )
    op.create_index(op.f("ix_processed_events_received_at"), "processed_events", ["received_at"])


def downgrade() -> None:
    # Dropping a table drops its indexes too, on both backends; children go before their parents.
    for table in (
        "processed_events",
        "nudge_log",
        "nudge_schedules",
        "message_refs",
        "item_status_events",
        "roadmap_items",
        "roadmap_versions",
        "roadmaps",
        "reviews",
        "workspaces",
    ):
        op.drop_table(table)
