"""An event's identifiers by role: ``event_epcs(event_pk, role)`` replaces ``event_epcs(event_pk)``.

A trace's mass-balance check reads the input and output quantities of the transformation events on its path; a
lot made into 100,000 items in 100 events had every one of their 100,000 output rows read to find 100 quantities
(15 ms of a trace of one item). The new index serves every read the old one did (its first column).

Revision ID: 0015_event_epcs_event_role
Revises: 0014_trace_code_collation
Create Date: 2026-11-23 10:20:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015_event_epcs_event_role"
down_revision: str | None = "0014_trace_code_collation"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_event_epcs_event_pk_role", "event_epcs", ["event_pk", "role"])
    op.drop_index("ix_event_epcs_event_pk", table_name="event_epcs")


def downgrade() -> None:
    op.create_index("ix_event_epcs_event_pk", "event_epcs", ["event_pk"])
    op.drop_index("ix_event_epcs_event_pk_role", table_name="event_epcs")
