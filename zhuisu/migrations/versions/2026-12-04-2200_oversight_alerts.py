"""Risk alerts (``oversight_alerts``: one per anomaly a risk rule found, unique by its dedup key, with its handling)
the full scans that looked for them (``oversight_risk_scans``), and the items events destroyed or decommissioned
(``oversight_ended_things``, filled from the events already stored), which the capture's rule probes.

Revision ID: 0025_oversight_alerts
Revises: 0022_durable_capture
Create Date: 2026-12-04 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from sqlalchemy.dialects import postgresql

from zhuisu.db.types import UTCDateTime

revision: str = "0025_oversight_alerts"
down_revision: str | None = "0022_durable_capture"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql")
_CODE = sa.Text().with_variant(sa.Text(collation="C"), "postgresql")
_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "oversight_alerts",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("rule", sa.String(40), nullable=False),
        sa.Column("dedup_key", sa.String(64), nullable=False),
        sa.Column("severity", sa.String(8), nullable=False),
        sa.Column("party_id", sa.String(32), nullable=True),
        sa.Column("region", sa.String(6), nullable=True),
        sa.Column("class_id", sa.String(100), nullable=True),
        sa.Column("evidence", _JSON, nullable=False),
        sa.Column("codes", _JSON, nullable=False),
        sa.Column("detail_zh", sa.Text(), nullable=False),
        sa.Column("detail_en", sa.Text(), nullable=False),
        sa.Column("first_seen", UTCDateTime(), nullable=False),
        sa.Column("last_seen", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("acknowledged_by_id", sa.String(32), nullable=True),
        sa.Column("acknowledged_at", UTCDateTime(), nullable=True),
        sa.Column("closed_by_id", sa.String(32), nullable=True),
        sa.Column("closed_at", UTCDateTime(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("facts", _JSON, nullable=False),
        sa.ForeignKeyConstraint(["party_id"], ["parties.id"], name=op.f("fk_oversight_alerts_party_id_parties")),
        sa.ForeignKeyConstraint(
            ["acknowledged_by_id"], ["parties.id"], name=op.f("fk_oversight_alerts_acknowledged_by_id_parties")
        ),
        sa.ForeignKeyConstraint(["closed_by_id"], ["parties.id"], name=op.f("fk_oversight_alerts_closed_by_id_parties")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oversight_alerts")),
        sa.UniqueConstraint("dedup_key", name=op.f("uq_oversight_alerts_dedup_key")),
    )
    op.create_index(op.f("ix_oversight_alerts_severity"), "oversight_alerts", ["severity"])
    op.create_index(op.f("ix_oversight_alerts_party_id"), "oversight_alerts", ["party_id"])
    op.create_index(op.f("ix_oversight_alerts_region"), "oversight_alerts", ["region"])
    op.create_index("ix_oversight_alerts_status_rule", "oversight_alerts", ["status", "rule"])
    op.create_table(
        "oversight_risk_scans",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("trigger", sa.String(16), nullable=False),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oversight_risk_scans")),
    )
    op.create_index(op.f("ix_oversight_risk_scans_started_at"), "oversight_risk_scans", ["started_at"])


    op.create_table(
        "oversight_ended_things",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("thing", _CODE, nullable=False),
        sa.Column("event_pk", _ID, nullable=False),
        sa.Column("event_time", UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(["event_pk"], ["events.id"], name=op.f("fk_oversight_ended_things_event_pk_events")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_oversight_ended_things")),
    )
    op.create_index("ix_oversight_ended_things_thing", "oversight_ended_things", ["thing", "event_time"])
    # the items the events already stored destroyed or decommissioned (oversight.rules.after_destruction.ENDED)
    op.execute(
        "INSERT INTO oversight_ended_things (thing, event_pk, event_time) "
        "SELECT ee.value, e.id, e.event_time FROM event_epcs ee JOIN events e ON e.id = ee.event_pk "
        "WHERE ee.role = 'epc' AND (e.biz_step IN ('destroying', 'decommissioning') "
        "OR e.disposition IN ('destroyed', 'inactive') OR (e.type = 'ObjectEvent' AND e.action = 'DELETE'))"
    )


def downgrade() -> None:
    op.drop_table("oversight_ended_things")
    op.drop_table("oversight_risk_scans")
    op.drop_table("oversight_alerts")
