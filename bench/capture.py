"""Capture throughput through the real service path, and the raw insert floor of exactly the same rows.

Capture: ``zhuisu.capture.importer.import_file`` on the generated document (validation, CBV 2.0 hashing,
deduplication, catalog checks, ledger, trace graph, subscription hooks — everything a real import does), on a
fresh database, in batches of ``BATCH`` events.

Raw: after each capture batch commits, the rows it wrote — in every table, read back from the capture database,
not timed — are written to another fresh database by plain ``executemany`` (SQLAlchemy Core ``insert``) in one
transaction, nothing validated or hashed; only that write is timed. The parties and the rows written once per
capture (its job, the document's ``@context``) are copied first, untimed. So the floor writes the same rows into
the same tables as capture, batch by batch, and both run interleaved under the same machine load (the copying
time is taken out of capture's clock); ``ratio`` is capture's share of the floor. At the end every table's row
count is compared between the two databases.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Table, func, insert, or_, select
from sqlalchemy.orm import Session, sessionmaker

from zhuisu.capture import importer
from zhuisu.db.session import unit_of_work
from zhuisu.demo.generator import demo_parties
from zhuisu.models import Base, Event, LedgerLeaf, LedgerNode
from zhuisu.models.ledger import node_key
from zhuisu.parties import service as parties_service

BATCH = 2000
#: Tables that do not grow with the events: copied untimed (the log head is seeded and only updated).
#: ``sector_equipment`` too: the special equipment register is rewritten per piece at each capture (derived from its
#: lifecycle events, a few rows of the generated chains), not appended, so a raw insert has no rows of its own to copy.
_SETUP_SKIP = frozenset({"ledger_heads", "sector_equipment"})
#: Tables capture grows that are not per event (no ``event_pk``): the rows of a batch are those past the last id
#: copied (the risk rules' alerts at capture).
_GROWING = frozenset({"oversight_alerts"})


@dataclass
class CaptureFigures:
    """What one database's capture and raw-insert runs measured."""

    actor_id: str  #: the recorder of the captured events
    events: int
    capture_events_per_s: float
    raw_insert_events_per_s: float
    rows: dict[str, int] = field(default_factory=dict)  #: rows written per table, by each of the two
    #: Capture's CPU seconds over the raw writes' (this process's only: the whole work on SQLite, not on PostgreSQL,
    #: whose server does the writing); less sensitive to the machine's load than the wall-clock ratio.
    cpu_ratio: float = 0.0

    @property
    def ratio(self) -> float:
        return self.capture_events_per_s / self.raw_insert_events_per_s


def register_parties(maker: sessionmaker[Session], seed: int) -> str:
    """The demo parties (so holders resolve to regions) and the recorder; returns the recorder's id."""
    with unit_of_work(maker) as session:
        for p in demo_parties(seed):
            parties_service.create_party(session, name=p.name, uscc=p.uscc, gln=p.gln, region=p.region)
        return parties_service.create_party(session, name="bench recorder").id


def capture_rate(maker: sessionmaker[Session], path: Path, actor_id: str) -> tuple[float, int]:
    """(events per second, events captured) of importing ``path`` through the service, alone."""
    started = time.perf_counter()
    report = importer.import_file(maker, path, actor_id=actor_id, batch_size=BATCH)
    return report.captured / (time.perf_counter() - started), report.captured


def table_counts(maker: sessionmaker[Session]) -> dict[str, int]:
    with unit_of_work(maker, write=False) as session:
        tables = Base.metadata.sorted_tables
        return {t.name: int(session.scalar(select(func.count()).select_from(t)) or 0) for t in tables}


class _Mirror:
    """Copies each committed capture batch's rows to the raw database, timing only the writes."""

    def __init__(self, source: sessionmaker[Session], target: sessionmaker[Session], empty: dict[str, int]) -> None:
        self.source, self.target, self.empty = source, target, empty
        self.last_pk, self.last_leaf = 0, 0
        self.last_ids: dict[str, int] = {}
        self.writing = self.writing_cpu = 0.0  # seconds (wall, CPU) spent in the timed writes
        self.aside = self.aside_cpu = 0.0  # seconds (wall, CPU) in the progress callback (reads, copies, writes)
        self.events = 0

    def after_batch(self, _position: int, _handled: int) -> None:
        started, started_cpu = time.perf_counter(), time.process_time()
        if self.last_pk == 0:
            self._copy_setup()
        rows, top_pk, top_leaf = self._batch_rows()
        began, began_cpu = time.perf_counter(), time.process_time()
        with unit_of_work(self.target) as session:
            for table in Base.metadata.sorted_tables:
                if rows.get(table.name):
                    session.execute(insert(table), rows[table.name])
        self.writing += time.perf_counter() - began
        self.writing_cpu += time.process_time() - began_cpu
        self.events += top_pk - self.last_pk
        self.last_pk, self.last_leaf = top_pk, top_leaf
        self.aside += time.perf_counter() - started
        self.aside_cpu += time.process_time() - started_cpu

    def _copy_setup(self) -> None:
        """The parties, the capture job, the document's @context: what grew that is not per event."""
        now = table_counts(self.source)
        with unit_of_work(self.source, write=False) as read, unit_of_work(self.target) as write:
            for table in Base.metadata.sorted_tables:
                if (
                    now[table.name] > self.empty[table.name]
                    and not _per_event(table)
                    and table.name not in _SETUP_SKIP | _GROWING
                ):
                    write.execute(insert(table), [dict(r) for r in read.execute(select(table)).mappings()])

    def _batch_rows(self) -> tuple[dict[str, list[dict[str, Any]]], int, int]:
        with unit_of_work(self.source, write=False) as read:
            top_pk = int(read.scalar(select(func.max(Event.id))) or 0)
            top_leaf = int(read.scalar(select(func.coalesce(func.max(LedgerLeaf.idx) + 1, 0))) or 0)
            rows: dict[str, list[dict[str, Any]]] = {}
            for table in Base.metadata.sorted_tables:
                where = _batch_filter(table, self.last_pk, top_pk, self.last_leaf, top_leaf)
                if table.name in _GROWING:
                    where = table.c.id > self.last_ids.get(table.name, 0)
                if where is not None:
                    rows[table.name] = [dict(r) for r in read.execute(select(table).where(where)).mappings()]
                if table.name in _GROWING and rows[table.name]:
                    self.last_ids[table.name] = max(r["id"] for r in rows[table.name])
        return rows, top_pk, top_leaf


def _per_event(table: Table) -> bool:
    return table.name in ("events", "ledger_nodes") or "event_pk" in table.c


def _batch_filter(table: Table, lo_pk: int, hi_pk: int, lo_leaf: int, hi_leaf: int) -> Any:
    """Which rows of ``table`` a batch wrote: events ``lo_pk < pk <= hi_pk``, log leaves ``[lo_leaf, hi_leaf)``."""
    if table.name == "events":
        return table.c.id.between(lo_pk + 1, hi_pk)
    if "event_pk" in table.c:
        return table.c.event_pk.between(lo_pk + 1, hi_pk)
    if table.name == "ledger_nodes":
        return _new_nodes(lo_leaf, hi_leaf)
    return None


def _new_nodes(lo: int, hi: int) -> Any:
    """The log nodes completed by appending leaves ``[lo, hi)``: at level L, the subtrees ``j`` whose last leaf
    ``(j + 1) * 2**L - 1`` is among them."""
    ranges = []
    level = 0
    while hi >> level:
        first, last = -(-(lo + 1) // (1 << level)) - 1, (hi >> level) - 1
        if first <= last:
            ranges.append(LedgerNode.key.between(node_key(level, first), node_key(level, last)))
        level += 1
    return or_(*ranges) if ranges else None


def measure(source: sessionmaker[Session], target: sessionmaker[Session], doc: Path, seed: int) -> CaptureFigures:
    """Capture ``doc`` into ``source`` (fresh) with the raw insert of each batch into ``target`` (fresh)."""
    empty = table_counts(source)
    actor = register_parties(source, seed)
    ready = table_counts(source)
    mirror = _Mirror(source, target, empty)
    progress: Callable[[int, int], None] = mirror.after_batch
    started, started_cpu = time.perf_counter(), time.process_time()
    report = importer.import_file(source, doc, actor_id=actor, batch_size=BATCH, progress=progress)
    capture_seconds = time.perf_counter() - started - mirror.aside
    capture_cpu = time.process_time() - started_cpu - mirror.aside_cpu
    done, copied = table_counts(source), table_counts(target)
    grown = {name: done[name] - ready[name] for name in done if done[name] > ready[name]}
    missing = {name for name in grown if name not in _SETUP_SKIP and copied[name] != done[name]}
    if missing or mirror.events != report.captured:
        raise SystemExit(f"the raw insert did not write the rows capture wrote: {sorted(missing)}")
    rows = {name: count for name, count in grown.items() if _per_event(Base.metadata.tables[name])}
    return CaptureFigures(
        actor,
        report.captured,
        report.captured / capture_seconds,
        report.captured / mirror.writing,
        rows,
        mirror.writing_cpu / capture_cpu,
    )
