"""Trace holdings: one row per code an event with a source or destination party names, for recall impact's
current holders; filled from the events already stored.

Revision ID: 0013_trace_holdings
Revises: 0008_trace_perf
Create Date: 2026-11-23 10:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import zhuisu.db.types

revision: str = "0013_trace_holdings"
down_revision: str | None = "0008_trace_perf"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The holdings of the events already stored: what capture writes for each (``zhuisu.trace.graph``).
BACKFILL = """INSERT INTO trace_holdings (thing, event_time, party, event_pk)
    SELECT DISTINCT e.value, c.event_time, COALESCE(c.destination, c.source), c.event_pk
    FROM trace_custody c JOIN event_epcs e ON e.event_pk = c.event_pk
    WHERE c.destination IS NOT NULL OR c.source IS NOT NULL"""

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "trace_holdings",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("thing", sa.Text(), nullable=False),
        sa.Column("event_time", zhuisu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("party", sa.Text(), nullable=False),
        sa.Column("event_pk", _ID, nullable=False),
        sa.ForeignKeyConstraint(["event_pk"], ["events.id"], name=op.f("fk_trace_holdings_event_pk_events")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trace_holdings")),
    )
    op.execute(BACKFILL)
    op.create_index("ix_trace_holdings_thing_cover", "trace_holdings", ["thing", "event_time", "party"])


def downgrade() -> None:
    op.drop_index("ix_trace_holdings_thing_cover", table_name="trace_holdings")
    op.drop_table("trace_holdings")
