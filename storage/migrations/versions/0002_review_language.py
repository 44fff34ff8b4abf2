"""The language a review's roadmap is written in (en or ko), beside its answers.

Rows from before this revision were written in English, so they read as 'en'.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-07 16:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("reviews") as batch:
        batch.add_column(sa.Column("language", sa.String(2), nullable=False, server_default="en"))
        batch.create_check_constraint(op.f("ck_reviews_language"), "language IN ('en', 'ko')")


def downgrade() -> None:
    with op.batch_alter_table("reviews") as batch:
        batch.drop_constraint(op.f("ck_reviews_language"), type_="check")
        batch.drop_column("language")
