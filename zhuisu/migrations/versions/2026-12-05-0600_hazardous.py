"""Hazardous goods: permits' quantity limits, buyers' identities (keyed hashes) and electronic waybills.

Revision ID: 0036_hazardous
Revises: 0035_equipment
Create Date: 2026-12-05 06:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from zhuisu.db.types import UTCDateTime

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision: str = "0036_hazardous"
down_revision: str | None = "0035_equipment"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "hazardous_permit_limits",
        sa.Column("licence_id", sa.String(32), nullable=False),
        sa.Column("quantity_limit", sa.Float(), nullable=False),
        sa.Column("quantity_unit", sa.String(16), nullable=False),
        sa.PrimaryKeyConstraint("licence_id", name=op.f("pk_hazardous_permit_limits")),
        sa.ForeignKeyConstraint(
            ["licence_id"], ["licences.id"], name=op.f("fk_hazardous_permit_limits_licence_id_licences")
        ),
    )
    op.create_table(
        "hazardous_buyer_identities",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("party_id", sa.String(32), nullable=False),
        sa.Column("id_hash", sa.String(64), nullable=False),
        sa.Column("id_masked", sa.String(32), nullable=False),
        sa.Column("name", sa.String(100), nullable=False),
        sa.Column("registered_by_id", sa.String(32), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hazardous_buyer_identities")),
        sa.ForeignKeyConstraint(
            ["party_id"], ["parties.id"], name=op.f("fk_hazardous_buyer_identities_party_id_parties")
        ),
        sa.ForeignKeyConstraint(
            ["registered_by_id"], ["parties.id"], name=op.f("fk_hazardous_buyer_identities_registered_by_id_parties")
        ),
        sa.UniqueConstraint("id_hash", name=op.f("uq_hazardous_buyer_identities_id_hash")),
    )
    op.create_index("ix_hazardous_buyer_identities_party_id", "hazardous_buyer_identities", ["party_id"])
    op.create_table(
        "hazardous_waybills",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("number", sa.String(64), nullable=False),
        sa.Column("consignor_id", sa.String(32), nullable=False),
        sa.Column("carrier_id", sa.String(32), nullable=False),
        sa.Column("consignee_id", sa.String(32), nullable=False),
        sa.Column("origin", sa.String(200), nullable=False),
        sa.Column("origin_region", sa.String(6), nullable=True),
        sa.Column("destination", sa.String(200), nullable=False),
        sa.Column("destination_region", sa.String(6), nullable=True),
        sa.Column("vehicle_plate", sa.String(16), nullable=False),
        sa.Column("crew", _JSON, nullable=False),
        sa.Column("goods", _JSON, nullable=False),
        sa.Column("classes", _JSON, nullable=False),
        sa.Column("route", sa.String(500), nullable=False),
        sa.Column("window_start", UTCDateTime(timezone=True), nullable=False),
        sa.Column("window_end", UTCDateTime(timezone=True), nullable=False),
        sa.Column("permit_number", sa.String(64), nullable=False),
        sa.Column("created_by_id", sa.String(32), nullable=True),
        sa.Column("cancelled_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hazardous_waybills")),
        sa.ForeignKeyConstraint(
            ["consignor_id"], ["parties.id"], name=op.f("fk_hazardous_waybills_consignor_id_parties")
        ),
        sa.ForeignKeyConstraint(["carrier_id"], ["parties.id"], name=op.f("fk_hazardous_waybills_carrier_id_parties")),
        sa.ForeignKeyConstraint(
            ["consignee_id"], ["parties.id"], name=op.f("fk_hazardous_waybills_consignee_id_parties")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["parties.id"], name=op.f("fk_hazardous_waybills_created_by_id_parties")
        ),
        sa.UniqueConstraint("number", name=op.f("uq_hazardous_waybills_number")),
    )
    for column in ("consignor_id", "carrier_id", "consignee_id", "origin_region", "destination_region", "window_end"):
        op.create_index(f"ix_hazardous_waybills_{column}", "hazardous_waybills", [column])


def downgrade() -> None:
    op.drop_table("hazardous_waybills")
    op.drop_table("hazardous_buyer_identities")
    op.drop_table("hazardous_permit_limits")
