"""Portal: complaints and reports filed from product pages, with their handling state.

Revision ID: 0007_portal
Revises: 0001_events
Create Date: 2026-11-22 15:25:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import zhuisu.db.types

revision: str = "0007_portal"
down_revision: str | None = "0001_events"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "portal_complaints",
        sa.Column("reference", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("code", sa.String(length=500), nullable=False),
        sa.Column("product_name", sa.String(length=200), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=False),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("region", sa.String(length=6), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("handled_by", sa.String(length=32), nullable=True),
        sa.Column("handled_at", zhuisu.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("created_at", zhuisu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["handled_by"], ["parties.id"], name=op.f("fk_portal_complaints_handled_by_parties")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_complaints")),
        sa.UniqueConstraint("reference", name=op.f("uq_portal_complaints_reference")),
    )
    with op.batch_alter_table("portal_complaints", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_portal_complaints_code"), ["code"], unique=False)
        batch_op.create_index(batch_op.f("ix_portal_complaints_region"), ["region"], unique=False)
        batch_op.create_index(batch_op.f("ix_portal_complaints_status"), ["status"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("portal_complaints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_portal_complaints_status"))
        batch_op.drop_index(batch_op.f("ix_portal_complaints_region"))
        batch_op.drop_index(batch_op.f("ix_portal_complaints_code"))
    op.drop_table("portal_complaints")
