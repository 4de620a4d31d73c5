"""Special equipment: the register of equipment derived from its lifecycle events, the reason an interlock gives
when it flags an event (``event_flags.detail``), and the parties an alert is addressed to besides its answerable
one (``oversight_alert_parties``).

Revision ID: 0035_equipment
Revises: 0034_federation_reconcile
Create Date: 2026-12-05 05:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from zhuisu.db.types import UTCDateTime

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_CODE = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")

revision: str = "0035_equipment"
down_revision: str | None = "0034_federation_reconcile"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("event_flags") as batch:
        batch.add_column(sa.Column("detail", _JSON, nullable=True))
    op.create_table(
        "sector_equipment",
        sa.Column("code", _CODE, nullable=False),
        sa.Column("class_id", sa.String(100), nullable=False),
        sa.Column("master", _JSON, nullable=False),
        sa.Column("region", sa.String(6), nullable=True),
        sa.Column("registration_certificate", sa.String(64), nullable=True),
        sa.Column(
            "user_unit_id",
            sa.String(32),
            sa.ForeignKey("parties.id", name="fk_sector_equipment_user_unit_id_parties"),
            nullable=True,
        ),
        sa.Column(
            "maintenance_unit_id",
            sa.String(32),
            sa.ForeignKey("parties.id", name="fk_sector_equipment_maintenance_unit_id_parties"),
            nullable=True,
        ),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("installed_at", UTCDateTime(), nullable=True),
        sa.Column(
            "installed_by_id",
            sa.String(32),
            sa.ForeignKey("parties.id", name="fk_sector_equipment_installed_by_id_parties"),
            nullable=True,
        ),
        sa.Column("registered_at", UTCDateTime(), nullable=True),
        sa.Column("status_since", UTCDateTime(), nullable=True),
        sa.Column("last_inspection_at", UTCDateTime(), nullable=True),
        sa.Column("last_inspection_result", sa.String(16), nullable=True),
        sa.Column(
            "last_inspection_by_id",
            sa.String(32),
            sa.ForeignKey("parties.id", name="fk_sector_equipment_last_inspection_by_id_parties"),
            nullable=True,
        ),
        sa.Column("last_inspection_report", sa.String(200), nullable=True),
        sa.Column("next_inspection_due", sa.Date(), nullable=True),
        sa.Column("last_maintenance_at", UTCDateTime(), nullable=True),
        sa.Column(
            "last_maintenance_by_id",
            sa.String(32),
            sa.ForeignKey("parties.id", name="fk_sector_equipment_last_maintenance_by_id_parties"),
            nullable=True,
        ),
        sa.Column("next_maintenance_due", sa.Date(), nullable=True),
        sa.Column("last_filled_at", UTCDateTime(), nullable=True),
        sa.Column(
            "last_filled_by_id",
            sa.String(32),
            sa.ForeignKey("parties.id", name="fk_sector_equipment_last_filled_by_id_parties"),
            nullable=True,
        ),
        sa.Column("fills", sa.Integer(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column(
            "last_event_pk",
            _BIGINT,
            sa.ForeignKey("events.id", name="fk_sector_equipment_last_event_pk_events"),
            nullable=True,
        ),
        sa.Column("updated_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("code", name="pk_sector_equipment"),
    )
    for column in ("class_id", "user_unit_id", "maintenance_unit_id", "status"):
        op.create_index(f"ix_sector_equipment_{column}", "sector_equipment", [column])
    op.create_index("ix_sector_equipment_region_class", "sector_equipment", ["region", "class_id"])
    op.create_index("ix_sector_equipment_inspection_due", "sector_equipment", ["next_inspection_due"])
    op.create_index("ix_sector_equipment_maintenance_due", "sector_equipment", ["next_maintenance_due"])

    op.create_table(
        "oversight_alert_parties",
        sa.Column(
            "alert_id",
            _BIGINT,
            sa.ForeignKey("oversight_alerts.id", name="fk_oversight_alert_parties_alert_id_oversight_alerts"),
            nullable=False,
        ),
        sa.Column(
            "party_id",
            sa.String(32),
            sa.ForeignKey("parties.id", name="fk_oversight_alert_parties_party_id_parties"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("alert_id", "party_id", name="pk_oversight_alert_parties"),
    )
    op.create_index("ix_oversight_alert_parties_party_id", "oversight_alert_parties", ["party_id"])


def downgrade() -> None:
    op.drop_table("oversight_alert_parties")
    op.drop_table("sector_equipment")
    with op.batch_alter_table("event_flags") as batch:
        batch.drop_column("detail")
