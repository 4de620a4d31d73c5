"""Cold chain: sensor logs imported from loggers.

Revision ID: 0040_coldchain
Revises: 0039_farm_imports
Create Date: 2026-12-05 07:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from zhuisu.db.types import UTCDateTime

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision: str = "0040_coldchain"
down_revision: str | None = "0039_farm_imports"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "coldchain_logs",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("party_id", sa.String(32), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("encoding", sa.String(16), nullable=False),
        sa.Column("device_id", sa.String(500), nullable=False),
        sa.Column("codes", _JSON, nullable=False),
        sa.Column("location", sa.String(500), nullable=True),
        sa.Column("shipment", sa.String(100), nullable=True),
        sa.Column("biz_step", sa.String(100), nullable=False),
        sa.Column("region", sa.String(6), nullable=True),
        sa.Column("class_id", sa.String(100), nullable=True),
        sa.Column("readings", sa.Integer(), nullable=False),
        sa.Column("first_time", UTCDateTime(timezone=True), nullable=False),
        sa.Column("last_time", UTCDateTime(timezone=True), nullable=False),
        sa.Column("min_celsius", sa.Float(), nullable=False),
        sa.Column("max_celsius", sa.Float(), nullable=False),
        sa.Column("allowed", _JSON, nullable=True),
        sa.Column("excursions", _JSON, nullable=False),
        sa.Column("event_ids", _JSON, nullable=False),
        sa.Column("capture_id", sa.String(32), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coldchain_logs")),
        sa.ForeignKeyConstraint(["party_id"], ["parties.id"], name=op.f("fk_coldchain_logs_party_id_parties")),
        sa.ForeignKeyConstraint(
            ["capture_id"], ["capture_jobs.id"], name=op.f("fk_coldchain_logs_capture_id_capture_jobs")
        ),
        sa.UniqueConstraint("party_id", "sha256", name=op.f("uq_coldchain_logs_party_id")),
    )
    for column in ("party_id", "region", "class_id"):
        op.create_index(f"ix_coldchain_logs_{column}", "coldchain_logs", [column])


def downgrade() -> None:
    op.drop_table("coldchain_logs")
