"""Durable generation on PostgreSQL: pgqueuer's tables, and when a version was fully posted.

The queue's objects are pgqueuer's own DDL for the pinned release (pyproject: pgqueuer 1.6.x), run on
PostgreSQL only; SQLite (one instance) keeps generating in process. `published_at` is on both.

Revision ID: 0006_job_queue
Revises: 0005_pending_revisions
Create Date: 2026-12-07 19:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.util import await_

revision: str = "0006_job_queue"
down_revision: str | Sequence[str] | None = "0005_pending_revisions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _run_script(sql: str) -> None:
    """pgqueuer's DDL is one script with function bodies; asyncpg runs a script whole, in this transaction."""
    raw = op.get_bind().connection.driver_connection
    assert raw is not None, "the migration's connection is open"
    await_(raw.execute(sql))


def upgrade() -> None:
    with op.batch_alter_table("roadmap_versions") as batch:
        batch.add_column(sa.Column("published_at", sa.DateTime(timezone=True), nullable=True))
    if op.get_bind().dialect.name == "postgresql":
        from pgqueuer.adapters.persistence.qb import QueryBuilderEnvironment

        _run_script(QueryBuilderEnvironment().build_install_query())


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        from pgqueuer.adapters.persistence.qb import QueryBuilderEnvironment

        _run_script(QueryBuilderEnvironment().build_uninstall_query())
    with op.batch_alter_table("roadmap_versions") as batch:
        batch.drop_column("published_at")
