"""Market scan trading (扫码交易).

Revision ID: 0037_market
Revises: 0036_hazardous
Create Date: 2026-12-05 07:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from zhuisu.db.types import UTCDateTime

revision: str = "0037_market"
down_revision: str | None = "0036_hazardous"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "market_stalls",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("market_site_id", sa.String(32), nullable=False),
        sa.Column("site_id", sa.String(32), nullable=False),
        sa.Column("holder_id", sa.String(32), nullable=False),
        sa.Column("number", sa.String(32), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_market_stalls")),
        sa.ForeignKeyConstraint(
            ["market_site_id"], ["locations.id"], name=op.f("fk_market_stalls_market_site_id_locations")
        ),
        sa.ForeignKeyConstraint(["site_id"], ["locations.id"], name=op.f("fk_market_stalls_site_id_locations")),
        sa.ForeignKeyConstraint(["holder_id"], ["parties.id"], name=op.f("fk_market_stalls_holder_id_parties")),
        sa.UniqueConstraint("site_id", name=op.f("uq_market_stalls_site_id")),
        sa.UniqueConstraint("market_site_id", "number", name=op.f("uq_market_stalls_market_site_id")),
    )
    op.create_index("ix_market_stalls_market_site_id", "market_stalls", ["market_site_id"])
    op.create_index("ix_market_stalls_holder_id", "market_stalls", ["holder_id"])
    op.create_table(
        "market_receipts",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("number", sa.String(32), nullable=False),
        sa.Column("event_id", sa.String(500), nullable=False),
        sa.Column("stall_id", sa.String(32), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_market_receipts")),
        sa.ForeignKeyConstraint(
            ["stall_id"], ["market_stalls.id"], name=op.f("fk_market_receipts_stall_id_market_stalls")
        ),
        sa.UniqueConstraint("number", name=op.f("uq_market_receipts_number")),
        sa.UniqueConstraint("event_id", name=op.f("uq_market_receipts_event_id")),
    )
    op.create_index("ix_market_receipts_stall_id", "market_receipts", ["stall_id"])


def downgrade() -> None:
    op.drop_index("ix_market_receipts_stall_id", table_name="market_receipts")
    op.drop_table("market_receipts")
    op.drop_index("ix_market_stalls_holder_id", table_name="market_stalls")
    op.drop_index("ix_market_stalls_market_site_id", table_name="market_stalls")
    op.drop_table("market_stalls")
