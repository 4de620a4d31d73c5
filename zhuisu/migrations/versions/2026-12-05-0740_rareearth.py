"""Rare earth: annual production quotas (总量控制计划).

Revision ID: 0041_rareearth
Revises: 0040_coldchain
Create Date: 2026-12-05 07:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from zhuisu.db.types import UTCDateTime

revision: str = "0041_rareearth"
down_revision: str | None = "0040_coldchain"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "rare_earth_quotas",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("party_id", sa.String(32), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("class_id", sa.String(100), nullable=False),
        sa.Column("product", sa.String(14), nullable=True),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("uom", sa.String(16), nullable=False),
        sa.Column("basis", sa.String(8), nullable=False),
        sa.Column("document_number", sa.String(100), nullable=False),
        sa.Column("issuer", sa.String(200), nullable=False),
        sa.Column("note", sa.String(500), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("registered_by_id", sa.String(32), nullable=True),
        sa.Column("replaced_by_id", sa.String(32), nullable=True),
        sa.Column("replaced_at", UTCDateTime(timezone=True), nullable=True),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rare_earth_quotas")),
        sa.ForeignKeyConstraint(["party_id"], ["parties.id"], name=op.f("fk_rare_earth_quotas_party_id_parties")),
        sa.ForeignKeyConstraint(
            ["registered_by_id"], ["parties.id"], name=op.f("fk_rare_earth_quotas_registered_by_id_parties")
        ),
        sa.ForeignKeyConstraint(
            ["replaced_by_id"],
            ["rare_earth_quotas.id"],
            name=op.f("fk_rare_earth_quotas_replaced_by_id_rare_earth_quotas"),
        ),
        sa.UniqueConstraint("party_id", "year", "kind", "revision", name=op.f("uq_rare_earth_quotas_party_id")),
    )
    op.create_index("ix_rare_earth_quotas_party_id", "rare_earth_quotas", ["party_id"])
    op.create_index("ix_rare_earth_quotas_year_kind", "rare_earth_quotas", ["year", "kind"])


def downgrade() -> None:
    op.drop_index("ix_rare_earth_quotas_year_kind", table_name="rare_earth_quotas")
    op.drop_index("ix_rare_earth_quotas_party_id", table_name="rare_earth_quotas")
    op.drop_table("rare_earth_quotas")
