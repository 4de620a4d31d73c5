"""Inspections and certificates linked to trace (``inspections``, ``certificates``), and licences with their scope
as catalog classes and their confirmation by the issuing authority (``licences.classes``, ``confirmed_by_id``,
``confirmed_at``). Licences recorded before are unconfirmed: they do not count for capture's licence rules until a
regulator confirms them.

Revision ID: 0027_inspections
Revises: 0022_durable_capture
Create Date: 2026-12-04 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from zhuisu.db.types import UTCDateTime

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision: str = "0027_inspections"
down_revision: str | None = "0022_durable_capture"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _linked(*columns: sa.Column) -> list[sa.Column]:
    """The columns a report and a certificate share: what they concern, whose it is, who recorded it."""
    return [
        sa.Column("id", sa.String(32), primary_key=True),
        *columns,
        sa.Column("code", sa.String(500), nullable=False),
        sa.Column("gtin", sa.String(14), nullable=True),
        sa.Column("lot", sa.String(40), nullable=True),
        sa.Column("producer_id", sa.String(32), sa.ForeignKey("parties.id"), nullable=True),
        sa.Column("class_id", sa.String(100), nullable=True),
        sa.Column("recorded_by_id", sa.String(32), sa.ForeignKey("parties.id"), nullable=False),
        sa.Column("recorded_at", UTCDateTime(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "inspections",
        *_linked(
            sa.Column("lab", sa.String(200), nullable=False),
            sa.Column("report_number", sa.String(100), nullable=False),
            sa.Column("sample", sa.String(200), nullable=False),
            sa.Column("items", _JSON, nullable=False),
            sa.Column("result", sa.String(8), nullable=False),
            sa.Column("inspected_on", sa.Date(), nullable=False),
        ),
        sa.UniqueConstraint("lab", "report_number", name=op.f("uq_inspections_lab")),
    )
    op.create_table(
        "certificates",
        *_linked(
            sa.Column("kind", sa.String(32), nullable=False),
            sa.Column("number", sa.String(100), nullable=False),
            sa.Column("issuer", sa.String(200), nullable=False),
            sa.Column("valid_from", sa.Date(), nullable=False),
            sa.Column("valid_to", sa.Date(), nullable=True),
        ),
        sa.UniqueConstraint("kind", "number", name=op.f("uq_certificates_kind")),
    )
    for table in ("inspections", "certificates"):
        op.create_index(f"ix_{table}_code", table, ["code"])
        op.create_index(f"ix_{table}_gtin_lot", table, ["gtin", "lot"])
        op.create_index(f"ix_{table}_producer_id", table, ["producer_id"])
        op.create_index(f"ix_{table}_recorded_by_id", table, ["recorded_by_id"])
    with op.batch_alter_table("licences") as batch:
        batch.add_column(sa.Column("classes", _JSON, nullable=True))
        batch.add_column(sa.Column("confirmed_by_id", sa.String(32), nullable=True))
        batch.add_column(sa.Column("confirmed_at", UTCDateTime(), nullable=True))
        batch.create_foreign_key("fk_licences_confirmed_by_id_parties", "parties", ["confirmed_by_id"], ["id"])


def downgrade() -> None:
    with op.batch_alter_table("licences") as batch:
        batch.drop_constraint("fk_licences_confirmed_by_id_parties", type_="foreignkey")
        batch.drop_column("confirmed_at")
        batch.drop_column("confirmed_by_id")
        batch.drop_column("classes")
    op.drop_table("certificates")
    op.drop_table("inspections")
