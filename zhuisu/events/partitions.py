"""The monthly partitions of ``events`` on PostgreSQL.

Partitioned by the primary key, not by the record time column, with each month given its own range of keys: an
event that arrives in month M gets a key in ``[month_base(M), month_base(M + 1))`` — capture moves the key sequence
to the month's base at its first event (``draw_keys``). So the partitions are monthly by arrival (the record time,
give or take a transaction in flight at midnight UTC), and

- every read by key — the trace's and the story's event reads, impact, the ledger's proofs, the index tables'
  joins — is pruned to one partition, where partitioning by the ``record_time`` column would probe one index per
  month for each (the key is what every index table holds; none holds the record time);
- the primary key stays the key alone, so the index tables keep their foreign keys to ``events``;
- a month's range is known in advance, so its partition is created ahead (``ensure_months``, each worker round)
  and retiring a month is ``DETACH PARTITION`` of one table.

A month's range is 2³⁶ keys (69 billion events, ≈ 350 times the national drug-code volume); keys stay below 2⁵³,
exact in any JSON reader. Events stored before partitioning keep their keys in ``events_history``. SQLite is not
partitioned: every function here is a no-op there.

Written by hand, not with pg_partman: creating that extension needs a superuser and its background worker, and
what is needed is one ``CREATE TABLE … PARTITION OF`` per month.
"""

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, text
from sqlalchemy.orm import Session, sessionmaker

from zhuisu.config import Settings
from zhuisu.db.session import unit_of_work
from zhuisu.kit.time import utc_now

#: Keys per month: the month's base is ``(year * 12 + month - 1) << MONTH_BITS``.
MONTH_BITS = 36
#: The partition of the events stored before the table was partitioned (keys below the first month's base).
HISTORY = "events_history"
#: Held while the key sequence moves to a new month's base (pg_advisory_xact_lock's key: "zsevpart").
_LOCK = 0x7A73657670617274


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def of(cls, when: datetime) -> "Month":
        utc = when.astimezone(UTC)
        return cls(utc.year, utc.month)

    @classmethod
    def of_key(cls, key: int) -> "Month":
        """The month whose range holds ``key`` (keys below the first month's base: month 0)."""
        index = max(key, 0) >> MONTH_BITS
        return cls(index // 12, index % 12 + 1)

    @property
    def base(self) -> int:
        """The first key of the month."""
        return self.index << MONTH_BITS

    @property
    def index(self) -> int:
        return self.year * 12 + self.month - 1

    def next(self) -> "Month":
        return Month(self.year + self.month // 12, self.month % 12 + 1)

    @property
    def table(self) -> str:
        return f"events_y{self.year:04d}m{self.month:02d}"

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True)
class Partition:
    """One partition: its table, its month (None for the history), its key range, and what it holds."""

    table: str
    month: str | None
    first_key: int | None  #: None: unbounded below
    end_key: int
    rows: int  #: PostgreSQL's estimate (``reltuples``), counted when the partition was never analyzed
    bytes: int  #: table, indexes and TOAST
    first_record_time: datetime | None
    last_record_time: datetime | None


def is_partition(table: str) -> bool:
    """Whether a table name is one of the partitions (a month's, or the history)."""
    return table == HISTORY or (table.startswith("events_y") and len(table) == 15 and table[12] == "m")


def leave_out_partitions(obj: Any, name: str | None, kind: str, _reflected: bool, _compare_to: Any) -> bool:
    """alembic's ``include_object``: the partitions, their indexes and the foreign keys PostgreSQL keeps per
    partition are made by the migration and the worker, not by the models — a comparison leaves them out."""
    if kind == "table":
        return not is_partition(name or "")
    if kind == "foreign_key_constraint":
        return not is_partition(obj.referred_table.name)
    table = getattr(obj, "table", None)
    return table is None or not is_partition(str(table.name))


def partitioned(connection: Connection | Session) -> bool:
    """Whether ``events`` is a partitioned table here (PostgreSQL after migration 0033)."""
    bind = connection.get_bind() if isinstance(connection, Session) else connection
    if bind.dialect.name != "postgresql":
        return False
    found = connection.execute(
        text("SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass('events')")
    ).first()
    return found is not None


def ensure_months(connection: Connection | Session, start: Month, count: int) -> list[str]:
    """Create the partitions of ``count`` months from ``start`` that do not exist yet; the tables created."""
    existing = _tables(connection)
    created: list[str] = []
    month = start
    for _ in range(count):
        if month.table not in existing:
            connection.execute(
                text(
                    f"CREATE TABLE IF NOT EXISTS {month.table} PARTITION OF events "
                    f"FOR VALUES FROM ({month.base}) TO ({month.next().base})"
                )
            )
            created.append(month.table)
        month = month.next()
    return created


def draw_keys(session: Session, count: int, when: datetime) -> list[int]:
    """``count`` new event keys from the sequence, all in the partition of ``when``'s month (PostgreSQL).

    At the first capture of a month the sequence is still in the month before: the keys drawn are dropped (a gap,
    as a rolled-back insert leaves), the sequence moves to the month's base under a transaction lock (a concurrent
    capture waits, then sees it moved) and the keys are drawn again; the month's partition is created if the
    worker has not created it ahead."""
    keys = _draw(session, count)
    month = Month.of(when)
    if keys and keys[-1] >= month.next().base and partitioned(session):
        # The sequence is past this month (the clock was set back after a later month's first capture): the keys
        # stay in order, in their own month's partition.
        ensure_months(session, Month.of_key(keys[0]), Month.of_key(keys[-1]).index - Month.of_key(keys[0]).index + 1)
        return keys
    if not keys or keys[0] >= month.base or not partitioned(session):
        return keys
    session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK})
    ensure_months(session, month, 1)
    session.execute(
        text(
            "SELECT setval(s.seq, :base, false) FROM (SELECT pg_get_serial_sequence('events', 'id') AS seq) s "
            "WHERE coalesce(pg_sequence_last_value(s.seq::regclass), 0) < :base"
        ),
        {"base": month.base},
    )
    return _draw(session, count)


#: How often the worker analyses ``events`` as a whole (autovacuum analyses each partition, never the parent, whose
#: statistics the planner uses for joins over all months).
ANALYZE_EVERY = timedelta(days=1)


def ahead_round(maker: "sessionmaker[Session]", settings: Settings) -> list[str]:
    """A worker round: the partitions of this month and the ``events_partition_months_ahead`` next ones exist
    (one catalog read when they do), and the table as a whole was analysed within ``ANALYZE_EVERY``; the tables
    created."""
    with unit_of_work(maker) as session:
        if not partitioned(session):
            return []
        created = ensure_months(session, Month.of(utc_now()), settings.events_partition_months_ahead + 1)
        last = session.scalar(
            text("SELECT greatest(last_analyze, last_autoanalyze) FROM pg_stat_user_tables WHERE relname = 'events'")
        )
    if last is None or utc_now() - last > ANALYZE_EVERY:
        with unit_of_work(maker) as session:
            session.execute(text("ANALYZE events"))
    return created


def _draw(session: Session, count: int) -> list[int]:
    drawn = session.execute(
        text("SELECT nextval(pg_get_serial_sequence('events', 'id')) FROM generate_series(1, :n)"), {"n": count}
    )
    return sorted(int(pk) for (pk,) in drawn)


def listing(connection: Connection | Session) -> list[Partition]:
    """Every partition of ``events``, oldest first (empty when the table is not partitioned)."""
    if not partitioned(connection):
        return []
    rows = connection.execute(
        text(
            "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid), c.reltuples::bigint, "
            "pg_total_relation_size(c.oid) "
            "FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'events'::regclass"
        )
    ).all()
    found: list[Partition] = []
    for table, bound, rows_estimate, size in rows:
        first, end = _bounds(str(bound))
        # table names come from pg_class; a partition never analyzed (reltuples -1) is a new one, autovacuum
        # analyzes a table soon after it grows: counted.
        times = connection.execute(
            text(f"SELECT min(record_time), max(record_time), {'count(*)' if rows_estimate < 0 else 0} FROM {table}")
        ).one()
        found.append(
            Partition(
                table=str(table),
                month=_month_of_table(str(table)),
                first_key=first,
                end_key=end,
                rows=int(rows_estimate) if rows_estimate >= 0 else int(times[2]),
                bytes=int(size),
                first_record_time=_aware(times[0]),
                last_record_time=_aware(times[1]),
            )
        )
    return sorted(found, key=lambda p: (p.first_key is not None, p.first_key or 0))


def _tables(connection: Connection | Session) -> set[str]:
    rows = connection.execute(
        text(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = 'events'::regclass"
        )
    )
    return {str(name) for (name,) in rows}


def _bounds(bound: str) -> tuple[int | None, int]:
    """``FOR VALUES FROM ('1') TO ('2')`` or ``FROM (MINVALUE) TO (…)`` → (first, end)."""
    low, _, high = bound.removeprefix("FOR VALUES FROM (").removesuffix(")").partition(") TO (")
    first = None if low == "MINVALUE" else int(low.strip("'"))
    return first, int(high.strip("'"))


def _month_of_table(table: str) -> str | None:
    if table == HISTORY or not is_partition(table):
        return None
    return f"{table[8:12]}-{table[13:15]}"


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=UTC)
