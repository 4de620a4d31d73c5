"""Catalog releases, event flags, licences, locations, products; party type, roles, class and address.

Revision ID: 0005_catalog
Revises: 0001_events
Create Date: 2026-11-22 15:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import zhuisu.db.types

revision: str = "0005_catalog"
down_revision: str | None = "0001_events"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql")
_BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _id_and_created() -> list[sa.Column]:
    return [
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("created_at", zhuisu.db.types.UTCDateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    with op.batch_alter_table("parties", schema=None) as batch_op:
        batch_op.add_column(sa.Column("party_type", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("roles", _JSON, nullable=True))
        batch_op.add_column(sa.Column("product_class", sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column("address", sa.String(length=500), nullable=True))
        batch_op.create_index(batch_op.f("ix_parties_product_class"), ["product_class"], unique=False)

    op.create_table(
        "catalog_releases",
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("region", sa.String(length=6), nullable=False),
        sa.Column("version", sa.String(length=40), nullable=False),
        sa.Column("effective_from", sa.Date(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("document", _JSON, nullable=False),
        sa.Column("loaded_at", zhuisu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("loaded_by", sa.String(length=32), nullable=True),
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(["loaded_by"], ["parties.id"], name=op.f("fk_catalog_releases_loaded_by_parties")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_catalog_releases")),
        sa.UniqueConstraint("scope", "region", "version", name=op.f("uq_catalog_releases_scope")),
    )
    op.create_table(
        "event_flags",
        sa.Column("id", _BIGID, autoincrement=True, nullable=False),
        sa.Column("event_pk", _BIGID, nullable=False),
        sa.Column("recorder_id", sa.String(length=32), nullable=False),
        sa.Column("class_id", sa.String(length=100), nullable=False),
        sa.Column("rule_id", sa.String(length=100), nullable=False),
        sa.Column("release", sa.String(length=64), nullable=False),
        sa.Column("elements", _JSON, nullable=False),
        sa.Column("created_at", zhuisu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["event_pk"], ["events.id"], name=op.f("fk_event_flags_event_pk_events")),
        sa.ForeignKeyConstraint(["recorder_id"], ["parties.id"], name=op.f("fk_event_flags_recorder_id_parties")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_flags")),
    )
    with op.batch_alter_table("event_flags", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_event_flags_event_pk"), ["event_pk"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_flags_recorder_id"), ["recorder_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_event_flags_class_id"), ["class_id"], unique=False)

    op.create_table(
        "licences",
        sa.Column("party_id", sa.String(length=32), nullable=False),
        sa.Column("licence_type", sa.String(length=64), nullable=False),
        sa.Column("number", sa.String(length=64), nullable=False),
        sa.Column("issuer", sa.String(length=200), nullable=False),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("scope", sa.String(length=500), nullable=False),
        *_id_and_created(),
        sa.ForeignKeyConstraint(["party_id"], ["parties.id"], name=op.f("fk_licences_party_id_parties")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_licences")),
        sa.UniqueConstraint("licence_type", "number", name=op.f("uq_licences_licence_type")),
    )
    with op.batch_alter_table("licences", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_licences_party_id"), ["party_id"], unique=False)

    op.create_table(
        "locations",
        sa.Column("party_id", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("gln", sa.String(length=13), nullable=True),
        sa.Column("code", sa.String(length=40), nullable=True),
        sa.Column("address", sa.String(length=500), nullable=False),
        sa.Column("region", sa.String(length=6), nullable=True),
        *_id_and_created(),
        sa.ForeignKeyConstraint(["party_id"], ["parties.id"], name=op.f("fk_locations_party_id_parties")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_locations")),
        sa.UniqueConstraint("gln", name=op.f("uq_locations_gln")),
        sa.UniqueConstraint("code", name=op.f("uq_locations_code")),
    )
    with op.batch_alter_table("locations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_locations_party_id"), ["party_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_locations_region"), ["region"], unique=False)

    op.create_table(
        "products",
        sa.Column("producer_id", sa.String(length=32), nullable=True),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("gtin", sa.String(length=14), nullable=True),
        sa.Column("code_scheme", sa.String(length=32), nullable=True),
        sa.Column("code", sa.String(length=100), nullable=True),
        sa.Column("spec", sa.String(length=200), nullable=False),
        sa.Column("class_id", sa.String(length=100), nullable=False),
        *_id_and_created(),
        sa.ForeignKeyConstraint(["producer_id"], ["parties.id"], name=op.f("fk_products_producer_id_parties")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_products")),
        sa.UniqueConstraint("gtin", name=op.f("uq_products_gtin")),
        sa.UniqueConstraint("code_scheme", "code", name=op.f("uq_products_code_scheme")),
    )
    with op.batch_alter_table("products", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_products_producer_id"), ["producer_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_products_class_id"), ["class_id"], unique=False)


def downgrade() -> None:
    for table in ("products", "locations", "licences", "event_flags", "catalog_releases"):
        op.drop_table(table)
    with op.batch_alter_table("parties", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_parties_product_class"))
        for column in ("address", "product_class", "roles", "party_type"):
            batch_op.drop_column(column)
