"""Recall orders: the order and its notice (``recalls``), the holders it reached (``recall_holders``) and the things
(``recall_things``, by thing: the product page of a thing finds its notices).

Revision ID: 0026_recall_orders
Revises: 0022_durable_capture
Create Date: 2026-12-04 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from zhuisu.db.types import BigIntId, UTCDateTime

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision: str = "0026_recall_orders"
down_revision: str | None = "0022_durable_capture"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "recalls",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("code", sa.String(500), nullable=False),
        sa.Column("scope_since", UTCDateTime(), nullable=True),
        sa.Column("scope_until", UTCDateTime(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("advice", sa.Text(), nullable=False),
        sa.Column("deadline", UTCDateTime(), nullable=False),
        sa.Column("issuer_id", sa.String(32), sa.ForeignKey("parties.id"), nullable=False),
        sa.Column("owner_id", sa.String(32), sa.ForeignKey("parties.id"), nullable=True),
        sa.Column("owner_region", sa.String(12), nullable=True),
        sa.Column("class_id", sa.String(100), nullable=True),
        sa.Column("impact", _JSON, nullable=False),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("closed_by", sa.String(32), sa.ForeignKey("parties.id"), nullable=True),
        sa.Column("close_note", sa.Text(), nullable=False),
        sa.Column("final", _JSON, nullable=True),
    )
    for column in ("status", "code", "issuer_id", "owner_id", "owner_region"):
        op.create_index(f"ix_recalls_{column}", "recalls", [column])
    op.create_table(
        "recall_holders",
        sa.Column("id", BigIntId, primary_key=True, autoincrement=True),
        sa.Column("recall_id", sa.String(32), sa.ForeignKey("recalls.id"), nullable=False),
        sa.Column("party", sa.String(500), nullable=False),
        sa.Column("party_id", sa.String(32), sa.ForeignKey("parties.id"), nullable=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("region", sa.String(12), nullable=True),
        sa.Column("quantity_out", sa.Float(), nullable=False),
        sa.Column("uom", sa.String(16), nullable=True),
        sa.Column("things", sa.Integer(), nullable=False),
        sa.Column("notified_at", UTCDateTime(), nullable=False),
    )
    op.create_index("ix_recall_holders_recall_id", "recall_holders", ["recall_id"])
    op.create_index("ix_recall_holders_party_id", "recall_holders", ["party_id"])
    op.create_table(
        "recall_things",
        sa.Column("recall_id", sa.String(32), sa.ForeignKey("recalls.id"), primary_key=True),
        sa.Column("thing", sa.String(500), primary_key=True),
        sa.Column("holder_id", BigIntId, sa.ForeignKey("recall_holders.id"), nullable=True),
        sa.Column("quantity", sa.Float(), nullable=False),
        sa.Column("uom", sa.String(16), nullable=True),
    )
    op.create_index("ix_recall_things_thing", "recall_things", ["thing"])
    op.create_index("ix_recall_things_holder_id", "recall_things", ["holder_id"])


def downgrade() -> None:
    op.drop_table("recall_things")
    op.drop_table("recall_holders")
    op.drop_table("recalls")
