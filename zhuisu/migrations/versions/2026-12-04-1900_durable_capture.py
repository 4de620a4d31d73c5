"""Durable asynchronous capture: a queued job keeps its document (``capture_documents``) from the transaction that
answers 202 until a worker has captured it, and says where it is (``capture_jobs.state``: queued, running, done,
failed; ``claimed_at``). Jobs recorded before are done or failed as their counts say; one still marked running was
lost with its server (its document was only in memory) and is failed, truthfully.

Revision ID: 0022_durable_capture
Revises: 0020_audit_append_only
Create Date: 2026-12-04 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from zhuisu.db.types import UTCDateTime

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision: str = "0022_durable_capture"
down_revision: str | None = "0020_audit_append_only"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("capture_jobs") as batch:
        batch.add_column(sa.Column("state", sa.String(16), nullable=False, server_default="done"))
        batch.add_column(sa.Column("claimed_at", UTCDateTime(), nullable=True))
        batch.create_index("ix_capture_jobs_state", ["state"])
    jobs = sa.table(
        "capture_jobs",
        sa.column("state", sa.String),
        sa.column("running", sa.Boolean),
        sa.column("success", sa.Boolean),
    )
    op.execute(jobs.update().where(jobs.c.running.is_(True)).values(state="failed", running=False, success=False))
    op.execute(jobs.update().where(jobs.c.success.is_(False)).values(state="failed"))
    op.create_table(
        "capture_documents",
        sa.Column("job_id", sa.String(32), sa.ForeignKey("capture_jobs.id"), primary_key=True),
        sa.Column("body", _JSON, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("capture_documents")
    with op.batch_alter_table("capture_jobs") as batch:
        batch.drop_index("ix_capture_jobs_state")
        batch.drop_column("claimed_at")
        batch.drop_column("state")
