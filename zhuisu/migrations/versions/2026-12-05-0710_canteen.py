"""Canteen procurement ledger (电子采购台账): the receipts derived from the ledger's receiving events, and the invoice
photos the canteens upload (bytes kept under their SHA-256).

Revision ID: 0038_canteen
Revises: 0037_market
Create Date: 2026-12-05 07:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from zhuisu.db.types import UTCDateTime

revision: str = "0038_canteen"
down_revision: str | None = "0037_market"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "canteen_receipts",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("event_pk", sa.BigInteger(), nullable=False),
        sa.Column("event_id", sa.String(500), nullable=False),
        sa.Column("canteen_id", sa.String(32), nullable=False),
        sa.Column("region", sa.String(6), nullable=True),
        sa.Column("class_id", sa.String(100), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("received_at", UTCDateTime(timezone=True), nullable=False),
        sa.Column("site", sa.String(200), nullable=False),
        sa.Column("supplier_id", sa.String(32), nullable=True),
        sa.Column("supplier_name", sa.String(200), nullable=False),
        sa.Column("supplier_uscc", sa.String(18), nullable=True),
        sa.Column("product_name", sa.String(200), nullable=False),
        sa.Column("spec", sa.String(200), nullable=False),
        sa.Column("code", sa.String(500), nullable=False),
        sa.Column("gtin", sa.String(14), nullable=True),
        sa.Column("lot", sa.String(64), nullable=True),
        sa.Column("product_class", sa.String(100), nullable=True),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("uom", sa.String(16), nullable=False),
        sa.Column("production_date", sa.Date(), nullable=True),
        sa.Column("expiry", sa.Date(), nullable=True),
        sa.Column("origin", sa.String(200), nullable=False),
        sa.Column("licence_status", sa.String(16), nullable=False),
        sa.Column("licence_type", sa.String(64), nullable=True),
        sa.Column("licence_number", sa.String(64), nullable=True),
        sa.Column("invoice_number", sa.String(64), nullable=False),
        sa.Column("invoice_photo", sa.String(64), nullable=True),
        sa.Column("certificate_kind", sa.String(32), nullable=True),
        sa.Column("certificate_number", sa.String(100), nullable=True),
        sa.Column("certificate_source", sa.String(16), nullable=True),
        sa.Column("certificate_result", sa.String(8), nullable=True),
        sa.Column("receiver", sa.String(100), nullable=False),
        sa.Column("recorded_by_id", sa.String(32), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_canteen_receipts")),
        sa.ForeignKeyConstraint(["canteen_id"], ["parties.id"], name=op.f("fk_canteen_receipts_canteen_id_parties")),
        sa.ForeignKeyConstraint(["supplier_id"], ["parties.id"], name=op.f("fk_canteen_receipts_supplier_id_parties")),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["parties.id"], name=op.f("fk_canteen_receipts_recorded_by_id_parties")
        ),
        sa.UniqueConstraint("event_pk", name=op.f("uq_canteen_receipts_event_pk")),
    )
    op.create_index("ix_canteen_receipts_canteen_id_day", "canteen_receipts", ["canteen_id", "day"])
    op.create_index("ix_canteen_receipts_supplier_id_day", "canteen_receipts", ["supplier_id", "day"])
    op.create_index("ix_canteen_receipts_region_day", "canteen_receipts", ["region", "day"])
    op.create_index("ix_canteen_receipts_day", "canteen_receipts", ["day"])
    op.create_index("ix_canteen_receipts_code", "canteen_receipts", ["code"])
    op.create_table(
        "canteen_photos",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("content_type", sa.String(100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("filename", sa.String(200), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("uploaded_by_id", sa.String(32), nullable=False),
        sa.Column("uploaded_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_canteen_photos")),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["parties.id"], name=op.f("fk_canteen_photos_uploaded_by_id_parties")
        ),
    )
    op.create_index("ix_canteen_photos_uploaded_by_id", "canteen_photos", ["uploaded_by_id"])


def downgrade() -> None:
    op.drop_index("ix_canteen_photos_uploaded_by_id", table_name="canteen_photos")
    op.drop_table("canteen_photos")
    for name in ("code", "day", "region_day", "supplier_id_day", "canteen_id_day"):
        op.drop_index(f"ix_canteen_receipts_{name}", table_name="canteen_receipts")
    op.drop_table("canteen_receipts")
