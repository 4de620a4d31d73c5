"""Farm commitment certificates (承诺达标合格证) and import lots.

Revision ID: 0039_farm_imports
Revises: 0038_canteen
Create Date: 2026-12-05 07:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from zhuisu.db.types import UTCDateTime

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision: str = "0039_farm_imports"
down_revision: str | None = "0038_canteen"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "farm_certificates",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("number", sa.String(32), nullable=False),
        sa.Column("issuer_id", sa.String(32), nullable=False),
        sa.Column("event_id", sa.String(500), nullable=False),
        sa.Column("product", sa.String(100), nullable=False),
        sa.Column("code", sa.String(500), nullable=False),
        sa.Column("class_id", sa.String(64), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(8), nullable=False),
        sa.Column("event_quantity", sa.Float(), nullable=False),
        sa.Column("uom", sa.String(16), nullable=False),
        sa.Column("region", sa.String(6), nullable=False),
        sa.Column("place", sa.String(200), nullable=False),
        sa.Column("commitments", _JSON, nullable=False),
        sa.Column("basis", _JSON, nullable=False),
        sa.Column("producer_name", sa.String(100), nullable=False),
        sa.Column("phone", sa.String(32), nullable=False),
        sa.Column("show_phone", sa.Boolean(), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("extra", _JSON, nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_farm_certificates")),
        sa.ForeignKeyConstraint(["issuer_id"], ["parties.id"], name=op.f("fk_farm_certificates_issuer_id_parties")),
        sa.UniqueConstraint("number", name=op.f("uq_farm_certificates_number")),
    )
    op.create_index("ix_farm_certificates_issuer_id", "farm_certificates", ["issuer_id"])
    op.create_index("ix_farm_certificates_code", "farm_certificates", ["code"])
    op.create_index("ix_farm_certificates_region", "farm_certificates", ["region"])
    op.create_table(
        "import_lots",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("importer_id", sa.String(32), nullable=False),
        sa.Column("gtin", sa.String(14), nullable=False),
        sa.Column("lot", sa.String(20), nullable=False),
        sa.Column("code", sa.String(500), nullable=False),
        sa.Column("product", sa.String(200), nullable=False),
        sa.Column("class_id", sa.String(64), nullable=False),
        sa.Column("country", sa.String(2), nullable=False),
        sa.Column("declaration", sa.String(18), nullable=False),
        sa.Column("port", sa.String(200), nullable=False),
        sa.Column("region", sa.String(6), nullable=True),
        sa.Column("entry_date", sa.Date(), nullable=False),
        sa.Column("entry_event_id", sa.String(500), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_lots")),
        sa.ForeignKeyConstraint(["importer_id"], ["parties.id"], name=op.f("fk_import_lots_importer_id_parties")),
        sa.UniqueConstraint("code", name=op.f("uq_import_lots_code")),
        sa.UniqueConstraint("declaration", name=op.f("uq_import_lots_declaration")),
    )
    op.create_index("ix_import_lots_importer_id", "import_lots", ["importer_id"])
    op.create_index("ix_import_lots_region", "import_lots", ["region"])
    op.create_table(
        "import_certificates",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("lot_id", sa.String(32), nullable=False),
        sa.Column("number", sa.String(64), nullable=False),
        sa.Column("event_id", sa.String(500), nullable=False),
        sa.Column("valid_from", UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_certificates")),
        sa.ForeignKeyConstraint(["lot_id"], ["import_lots.id"], name=op.f("fk_import_certificates_lot_id_import_lots")),
        sa.UniqueConstraint("lot_id", "number", name=op.f("uq_import_certificates_lot_id")),
    )
    op.create_index("ix_import_certificates_lot_id", "import_certificates", ["lot_id"])


def downgrade() -> None:
    op.drop_index("ix_import_certificates_lot_id", table_name="import_certificates")
    op.drop_table("import_certificates")
    op.drop_index("ix_import_lots_region", table_name="import_lots")
    op.drop_index("ix_import_lots_importer_id", table_name="import_lots")
    op.drop_table("import_lots")
    op.drop_index("ix_farm_certificates_region", table_name="farm_certificates")
    op.drop_index("ix_farm_certificates_code", table_name="farm_certificates")
    op.drop_index("ix_farm_certificates_issuer_id", table_name="farm_certificates")
    op.drop_table("farm_certificates")
