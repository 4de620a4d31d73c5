"""The console's uploads: each events spreadsheet an enterprise uploaded, with every rejected row and its reasons.

Revision ID: 0031_console_uploads
Revises: 0022_durable_capture
Create Date: 2026-12-05 01:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from zhuisu.db.types import UTCDateTime

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision: str = "0031_console_uploads"
down_revision: str | None = "0022_durable_capture"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "console_uploads",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column(
            "party_id", sa.String(32), sa.ForeignKey("parties.id", name="fk_console_uploads_party_id_parties"),
            nullable=False,
        ),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("accepted", sa.Integer(), nullable=False),
        sa.Column("duplicates", sa.Integer(), nullable=False),
        sa.Column("rejected", _JSON, nullable=False),
        sa.Column("letters", _JSON, nullable=False),
        sa.Column(
            "capture_id", sa.String(32),
            sa.ForeignKey("capture_jobs.id", name="fk_console_uploads_capture_id_capture_jobs"), nullable=True,
        ),
        sa.PrimaryKeyConstraint("id", name="pk_console_uploads"),
    )  # fmt: skip
    op.create_index("ix_console_uploads_party_id", "console_uploads", ["party_id"])


def downgrade() -> None:
    op.drop_table("console_uploads")
