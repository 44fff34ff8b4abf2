"""Profile changes read from a roadmap's thread, waiting for the team's one-click confirmation.

Revision ID: 0005_pending_revisions
Revises: 0004
Create Date: 2026-12-07 19:25:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005_pending_revisions"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")


def upgrade() -> None:
    op.create_table(
        "pending_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("roadmap_id", sa.Integer(), nullable=False),
        sa.Column("message_ts", sa.String(length=32), nullable=False),
        sa.Column("proposed_by", sa.String(length=32), nullable=True),
        sa.Column("base_version", sa.Integer(), nullable=False),
        sa.Column("profile", _JSON, nullable=False),
        sa.Column("changes", _JSON, nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=32), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "state IN ('pending', 'applied', 'cancelled', 'stale')", name=op.f("ck_pending_revisions_state")
        ),
        sa.ForeignKeyConstraint(
            ["roadmap_id"], ["roadmaps.id"], name=op.f("fk_pending_revisions_roadmap_id_roadmaps"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_revisions")),
        sa.UniqueConstraint("roadmap_id", "message_ts", name=op.f("uq_pending_revisions_roadmap_id_message_ts")),
    )


def downgrade() -> None:
    op.drop_table("pending_revisions")
