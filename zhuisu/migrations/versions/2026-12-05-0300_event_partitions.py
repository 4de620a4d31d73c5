"""Events' unique keys in their own table (``event_keys``); on PostgreSQL, ``events`` partitioned by month of
arrival (``zhuisu.events.partitions``); subscriptions' event cursor as a 64-bit integer.

The events already stored keep their keys and become the partition ``events_history``, attached without being
copied (PostgreSQL reads it once to check its range); the tables whose foreign keys named it are pointed at the
partitioned table again. The months from this one to three ahead get their partitions; the worker keeps them ahead.
Downgrading copies the partitions' rows back into one plain table.

Revision ID: 0033_event_partitions
Revises: 0032_federation
Create Date: 2026-12-05 03:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from zhuisu.events.partitions import HISTORY, Month, ensure_months
from zhuisu.kit.time import utc_now

revision: str = "0033_event_partitions"
down_revision: str | None = "0032_federation"
branch_labels: str | Sequence[str] | None = None
#: Every other head: the tables whose foreign keys name ``events`` (trace, oversight, catalog, federation, …) and the
#: subscriptions' cursor exist before the table is partitioned and they are pointed at it again.
depends_on: str | Sequence[str] | None = (
    "0003_issuance",
    "0012_subscription_format",
    "0015_event_epcs_event_role",
    "0024_ledger_verifications",
    "0025_oversight_alerts",
    "0027_inspections",
    "0028_complaint_handling",
    "0029_credit",
    "0030_notice_hooks",
)

_BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "event_keys",
        sa.Column("event_pk", _BIGINT, autoincrement=False, nullable=False),
        sa.Column("event_id", sa.String(500), nullable=False),
        sa.Column("event_hash", sa.String(100), nullable=False),
        sa.ForeignKeyConstraint(["event_pk"], ["events.id"], name=op.f("fk_event_keys_event_pk_events")),
        sa.PrimaryKeyConstraint("event_pk", name=op.f("pk_event_keys")),
        sa.UniqueConstraint("event_hash", name=op.f("uq_event_keys_event_hash")),
        sa.UniqueConstraint("event_id", name=op.f("uq_event_keys_event_id")),
    )
    op.execute("INSERT INTO event_keys (event_pk, event_id, event_hash) SELECT id, event_id, event_hash FROM events")
    with op.batch_alter_table("events") as batch:
        batch.drop_constraint("uq_events_event_id", type_="unique")
        batch.drop_constraint("uq_events_event_hash", type_="unique")
    with op.batch_alter_table("subscriptions") as batch:
        batch.alter_column("last_event_pk", type_=sa.BigInteger(), existing_type=sa.Integer(), existing_nullable=False)
    if op.get_bind().dialect.name == "postgresql":
        _partition()


def _partition() -> None:
    """``events`` → a table partitioned by key range, the stored events its partition ``events_history``."""
    bind = op.get_bind()
    now = Month.of(utc_now())
    # The history ends where the first month's partition starts: this month's, or — when stored keys already
    # reach into this month's range (a database migrated down and up again) — the first month past them.
    top = int(bind.scalar(sa.text("SELECT coalesce(max(id), 0) FROM events")) or 0)
    month = now
    while month.base <= top:
        month = month.next()
    indexes = _indexes(bind, "events")
    referencing = _referencing(bind, "events")
    for table, name, _column in referencing:
        op.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    op.execute(f"ALTER TABLE events RENAME TO {HISTORY}")
    op.execute(f"ALTER TABLE {HISTORY} RENAME CONSTRAINT pk_events TO pk_{HISTORY}")
    for name, _definition in indexes:
        op.execute(f'ALTER INDEX "{name}" RENAME TO "{name.replace("ix_events_", f"ix_{HISTORY}_", 1)}"')
    op.execute(f"CREATE TABLE events (LIKE {HISTORY} INCLUDING DEFAULTS) PARTITION BY RANGE (id)")
    op.execute("ALTER TABLE events ADD CONSTRAINT pk_events PRIMARY KEY (id)")
    op.execute(f"ALTER SEQUENCE {_sequence(bind, HISTORY)} OWNED BY events.id")
    for name, column, target in _outgoing(bind, HISTORY):
        op.execute(f'ALTER TABLE events ADD CONSTRAINT "{name}" FOREIGN KEY ({column}) REFERENCES {target}')
    for _name, definition in indexes:
        op.execute(definition)
    op.execute(f"ALTER TABLE events ATTACH PARTITION {HISTORY} FOR VALUES FROM (MINVALUE) TO ({month.base})")
    ensure_months(bind, month, 4)
    for table, name, column in referencing:
        op.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" FOREIGN KEY ({column}) REFERENCES events (id)')
    if month == now:
        op.execute(f"SELECT setval(pg_get_serial_sequence('events', 'id'), {now.base}, false)")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        _unpartition()
    with op.batch_alter_table("subscriptions") as batch:
        batch.alter_column("last_event_pk", type_=sa.Integer(), existing_type=sa.BigInteger(), existing_nullable=False)
    with op.batch_alter_table("events") as batch:
        batch.create_unique_constraint("uq_events_event_hash", ["event_hash"])
        batch.create_unique_constraint("uq_events_event_id", ["event_id"])
    op.drop_table("event_keys")


def _unpartition() -> None:
    """The partitions' rows back into one plain ``events`` table (a copy), keys kept."""
    bind = op.get_bind()
    indexes = _indexes(bind, "events")
    referencing = _referencing(bind, "events")
    outgoing = _outgoing(bind, "events")
    sequence = _sequence(bind, "events")
    for table, name, _column in referencing:
        op.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    op.execute("ALTER TABLE events RENAME TO events_partitioned")
    op.execute("ALTER TABLE events_partitioned RENAME CONSTRAINT pk_events TO pk_events_partitioned")
    for name, _definition in indexes:
        op.execute(f'ALTER INDEX "{name}" RENAME TO "{name.replace("ix_events_", "ix_events_partitioned_", 1)}"')
    op.execute("CREATE TABLE events (LIKE events_partitioned INCLUDING DEFAULTS)")
    op.execute("INSERT INTO events SELECT * FROM events_partitioned")
    op.execute(f"ALTER SEQUENCE {sequence} OWNED BY events.id")
    op.execute("DROP TABLE events_partitioned")
    op.execute("ALTER TABLE events ADD CONSTRAINT pk_events PRIMARY KEY (id)")
    for name, column, target in outgoing:
        op.execute(f'ALTER TABLE events ADD CONSTRAINT "{name}" FOREIGN KEY ({column}) REFERENCES {target}')
    for _name, definition in indexes:
        op.execute(definition)
    for table, name, column in referencing:
        op.execute(f'ALTER TABLE {table} ADD CONSTRAINT "{name}" FOREIGN KEY ({column}) REFERENCES events (id)')


def _indexes(bind: sa.Connection, table: str) -> list[tuple[str, str]]:
    """The table's indexes other than its primary key: (name, CREATE INDEX statement)."""
    rows = bind.execute(
        sa.text(
            "SELECT i.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x "
            "JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = CAST(:t AS regclass) AND NOT x.indisprimary"
        ),
        {"t": table},
    )
    return [(str(name), str(definition).replace(" ON ONLY ", " ON ")) for name, definition in rows]


def _referencing(bind: sa.Connection, table: str) -> list[tuple[str, str, str]]:
    """The foreign keys that name the table: (referencing table, constraint, column)."""
    rows = bind.execute(
        sa.text(
            "SELECT c.conrelid::regclass::text, c.conname, a.attname FROM pg_constraint c "
            "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
            "WHERE c.contype = 'f' AND c.confrelid = CAST(:t AS regclass) AND c.conparentid = 0"
        ),
        {"t": table},
    )
    return [(str(t), str(n), str(c)) for t, n, c in rows]


def _outgoing(bind: sa.Connection, table: str) -> list[tuple[str, str, str]]:
    """The table's own foreign keys: (constraint, column, "target (column)")."""
    rows = bind.execute(
        sa.text(
            "SELECT c.conname, a.attname, c.confrelid::regclass::text, fa.attname FROM pg_constraint c "
            "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
            "JOIN pg_attribute fa ON fa.attrelid = c.confrelid AND fa.attnum = c.confkey[1] "
            "WHERE c.contype = 'f' AND c.conrelid = CAST(:t AS regclass) AND c.conparentid = 0"
        ),
        {"t": table},
    )
    return [(str(n), str(c), f"{t} ({fc})") for n, c, t, fc in rows]


def _sequence(bind: sa.Connection, table: str) -> str:
    return str(bind.scalar(sa.text("SELECT pg_get_serial_sequence(:t, 'id')"), {"t": table}))
