"""A due date per roadmap item ("due 2.1 friday" in the thread), which the weekly check-in shows.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07 17:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("roadmap_items") as batch:
        batch.add_column(sa.Column("due_on", sa.Date(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("roadmap_items") as batch:
        batch.drop_column("due_on")
