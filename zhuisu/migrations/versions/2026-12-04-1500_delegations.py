"""Delegations: an enterprise lets a platform record on its behalf (``delegations``), and a capture job keeps the
platform that captured it for the recorder (``capture_jobs.agent_id``).

Revision ID: 0018_delegations
Revises: 0017_token_expiry_scopes
Create Date: 2026-12-04 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from zhuisu.db.types import UTCDateTime

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision: str = "0018_delegations"
down_revision: str | None = "0017_token_expiry_scopes"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "delegations",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("enterprise_id", sa.String(32), sa.ForeignKey("parties.id"), nullable=False),
        sa.Column("platform_id", sa.String(32), sa.ForeignKey("parties.id"), nullable=False),
        sa.Column("classes", _JSON, nullable=True),
        sa.Column("valid_from", UTCDateTime(), nullable=False),
        sa.Column("valid_until", UTCDateTime(), nullable=True),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column("granted_by_id", sa.String(32), sa.ForeignKey("parties.id"), nullable=True),
    )
    op.create_index("ix_delegations_enterprise_id", "delegations", ["enterprise_id"])
    op.create_index("ix_delegations_platform_id", "delegations", ["platform_id"])
    with op.batch_alter_table("capture_jobs") as batch:
        batch.add_column(sa.Column("agent_id", sa.String(32), sa.ForeignKey("parties.id"), nullable=True))
        batch.create_index("ix_capture_jobs_agent_id", ["agent_id"])


def downgrade() -> None:
    with op.batch_alter_table("capture_jobs") as batch:
        batch.drop_index("ix_capture_jobs_agent_id")
        batch.drop_column("agent_id")
    op.drop_index("ix_delegations_platform_id", "delegations")
    op.drop_index("ix_delegations_enterprise_id", "delegations")
    op.drop_table("delegations")
