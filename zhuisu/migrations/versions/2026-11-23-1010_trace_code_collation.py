"""Trace codes compared byte by byte on PostgreSQL: ``COLLATE "C"`` on the columns walks and impact probe.

A walk probes these indexes once per thing (100,000 times for a lot's recall impact); under a linguistic
collation (``C.UTF-8``, ``en_US.UTF-8``, …) every comparison goes through ``strcoll``, a third of each probe's
time. Codes are identifiers, not words: byte order is their natural order, and the one SQLite uses. Only the
trace tables change; they are compared with nothing but bound parameters and each other.

Revision ID: 0014_trace_code_collation
Revises: 0013_trace_holdings
Create Date: 2026-11-23 10:10:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0014_trace_code_collation"
down_revision: str | None = "0013_trace_holdings"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COLUMNS = (("trace_links", ("src", "dst")), ("trace_holdings", ("thing",)))


def _collate(collation: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite compares text with BINARY (byte order) already
    for table, columns in _COLUMNS:
        changes = ", ".join(f'ALTER COLUMN {c} TYPE text COLLATE "{collation}"' for c in columns)
        op.execute(f"ALTER TABLE {table} {changes}")
        op.execute(f"ANALYZE {table}")  # the columns' statistics go with their old type


def upgrade() -> None:
    _collate("C")


def downgrade() -> None:
    _collate("default")
