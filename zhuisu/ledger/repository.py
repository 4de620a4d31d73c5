"""Queries of the ledger tables: the locked head, leaves, node hashes by key, checkpoints and witness state."""

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, insert, select, true, update
from sqlalchemy.orm import Session

from zhuisu.epcis.indexed import FIELDS, Indexed
from zhuisu.kit.time import utc_now
from zhuisu.ledger.merkle import HASH_SIZE
from zhuisu.ledger.subtrees import NodeKey
from zhuisu.models import (
    Event,
    EventContext,
    EventEpc,
    EventKey,
    LedgerCheckpoint,
    LedgerCosignature,
    LedgerHead,
    LedgerLeaf,
    LedgerNode,
    LedgerWitnessState,
    WitnessedLog,
)
from zhuisu.models.ledger import node_key

HEAD_ID = 1
_IN_CHUNK = 500


@dataclass(frozen=True)
class Head:
    """The log's size and compact range (the hashes of ``subtrees.root_nodes(size)``, largest first)."""

    size: int
    compact: list[bytes]


def _head(session: Session, *, lock: bool) -> Head:
    statement = select(LedgerHead.size, LedgerHead.compact).where(LedgerHead.id == HEAD_ID)
    row = session.execute(statement.with_for_update() if lock else statement).one_or_none()
    if row is None:
        session.execute(insert(LedgerHead).values(id=HEAD_ID, size=0, compact=b"", updated_at=utc_now()))
        return Head(0, [])
    packed = bytes(row.compact)
    return Head(int(row.size), [packed[i : i + HASH_SIZE] for i in range(0, len(packed), HASH_SIZE)])


def lock_head(session: Session) -> Head:
    """The head, locked until the transaction ends (``FOR UPDATE``; SQLite serialises writers anyway)."""
    return _head(session, lock=True)


def read_head(session: Session) -> Head:
    return _head(session, lock=False)


def save_head(session: Session, size: int, compact: Sequence[bytes]) -> None:
    session.execute(
        update(LedgerHead)
        .where(LedgerHead.id == HEAD_ID)
        .values(size=size, compact=b"".join(compact), updated_at=utc_now())
    )


def insert_leaves(session: Session, rows: Sequence[tuple[int, int, str, bytes, bytes]]) -> None:
    """Insert ``(idx, event_pk, event_id, leaf, salt)`` rows."""
    columns, types = ("idx", "event_pk", "event_id", "leaf", "salt"), ("bigint", "bigint", "text", "bytea", "bytea")
    _bulk_insert(session, "ledger_leaves", columns, types, rows)


def insert_nodes(session: Session, nodes: Sequence[tuple[NodeKey, bytes]]) -> None:
    _bulk_insert(session, "ledger_nodes", ("key", "hash"), ("bigint", "bytea"), [(node_key(*k), h) for k, h in nodes])


def _bulk_insert(
    session: Session, table: str, columns: Sequence[str], pg_types: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    # Appends run inside every capture, so they skip per-row SQL construction: one INSERT … SELECT FROM
    # unnest(arrays) on PostgreSQL, one executemany on SQLite.
    if not rows:
        return
    connection = session.connection()
    names = ", ".join(f'"{c}"' for c in columns)
    if connection.dialect.name == "postgresql":
        arrays = ", ".join(f"%s::{t}[]" for t in pg_types)
        connection.exec_driver_sql(
            f"INSERT INTO {table} ({names}) SELECT * FROM unnest({arrays})",
            tuple(list(column) for column in zip(*rows, strict=True)),
        )
    else:
        marks = ", ".join("?" for _ in columns)
        connection.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({marks})", list(rows))


class NodeReader:
    """``subtrees.HashReader`` over ``ledger_nodes``: one primary-key ``IN`` query per call."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def read_many(self, keys: Sequence[NodeKey]) -> dict[NodeKey, bytes]:
        found: dict[NodeKey, bytes] = {}
        wanted = {node_key(*k): k for k in keys}
        ids = list(wanted)
        for start in range(0, len(ids), _IN_CHUNK):
            chunk = ids[start : start + _IN_CHUNK]
            for key, h in self.session.execute(
                select(LedgerNode.key, LedgerNode.hash).where(LedgerNode.key.in_(chunk))
            ):
                found[wanted[key]] = bytes(h)
        return found


def level_hashes(session: Session, level: int, start: int, end: int) -> list[bytes]:
    """The stored hashes of nodes ``(level, start) … (level, end - 1)``, in order (a tile)."""
    low, high = node_key(level, start), node_key(level, end)
    rows = session.execute(
        select(LedgerNode.hash).where(LedgerNode.key >= low, LedgerNode.key < high).order_by(LedgerNode.key)
    )
    return [bytes(h) for (h,) in rows]


def leaf_data(session: Session, start: int, end: int) -> list[bytes]:
    """The leaf bytes of indexes ``start … end - 1``, in order (an entry bundle)."""
    rows = session.execute(
        select(LedgerLeaf.leaf).where(LedgerLeaf.idx >= start, LedgerLeaf.idx < end).order_by(LedgerLeaf.idx)
    )
    return [bytes(d) for (d,) in rows]


def find_leaf(session: Session, event_id: str) -> Row[int, bytes, int | None, str | None] | None:
    """An event's leaf ``(idx, leaf)`` with the latest checkpoint's ``(size, note)`` (None if there is none),
    in one round trip; the event is found by eventID, or by its CBV event hash through the events table."""
    latest = (
        select(LedgerCheckpoint.size, LedgerCheckpoint.note).order_by(LedgerCheckpoint.size.desc()).limit(1).subquery()
    )
    query = select(LedgerLeaf.idx, LedgerLeaf.leaf, latest.c.size, latest.c.note).outerjoin(latest, true())
    leaf = session.execute(query.where(LedgerLeaf.event_id == event_id)).one_or_none()
    if leaf is not None:
        return leaf
    pk = session.scalar(select(EventKey.event_pk).where(EventKey.event_hash == event_id))
    return None if pk is None else session.execute(query.where(LedgerLeaf.event_pk == pk)).one_or_none()


def find_leaves(session: Session, event_ids: Sequence[str]) -> list[tuple[str, int, bytes]]:
    """The leaves ``(event_id, idx, leaf)`` of the events with these eventIDs that have one (chunks of 500)."""
    unique = list(dict.fromkeys(event_ids))
    rows: list[tuple[str, int, bytes]] = []
    for start in range(0, len(unique), 500):
        chunk = unique[start : start + 500]
        found = session.execute(
            select(LedgerLeaf.event_id, LedgerLeaf.idx, LedgerLeaf.leaf).where(LedgerLeaf.event_id.in_(chunk))
        )
        rows.extend((event_id, idx, bytes(leaf)) for event_id, idx, leaf in found)
    return rows


def iter_leaves(session: Session, chunk: int) -> Iterator[list[Row[Any]]]:
    """Every leaf row (idx, event_pk, event_id, leaf, salt) in index order, ``chunk`` at a time (keyset paging)."""
    after = -1
    columns = (LedgerLeaf.idx, LedgerLeaf.event_pk, LedgerLeaf.event_id, LedgerLeaf.leaf, LedgerLeaf.salt)
    while True:
        rows: list[Row[Any]] = list(
            session.execute(select(*columns).where(LedgerLeaf.idx > after).order_by(LedgerLeaf.idx).limit(chunk))
        )
        if not rows:
            return
        yield rows
        after = rows[-1].idx


def leaves_at(session: Session, indexes: Sequence[int]) -> list[Row[Any]]:
    """The leaf rows (idx, event_pk, event_id, leaf, salt) at these indexes."""
    columns = (LedgerLeaf.idx, LedgerLeaf.event_pk, LedgerLeaf.event_id, LedgerLeaf.leaf, LedgerLeaf.salt)
    rows: list[Row[Any]] = []
    for start in range(0, len(indexes), _IN_CHUNK):
        rows += session.execute(select(*columns).where(LedgerLeaf.idx.in_(indexes[start : start + _IN_CHUNK])))
    return rows


def event_rows_by_pk(session: Session, pks: Sequence[int]) -> dict[int, Row[Any]]:
    """The event rows with these keys, as plain rows (no ORM identity map, so a replay stays small)."""
    columns = (
        Event.id,
        Event.event_id,
        Event.event_hash,
        Event.record_time,
        Event.recorder_id,
        Event.context_id,
        Event.body,
        *(getattr(Event, name) for name in FIELDS),
    )
    events: dict[int, Row[Any]] = {}
    for start in range(0, len(pks), _IN_CHUNK):
        for row in session.execute(select(*columns).where(Event.id.in_(pks[start : start + _IN_CHUNK]))):
            events[row.id] = row
    return events


def event_codes_by_pk(session: Session, pks: Sequence[int]) -> dict[int, list[Indexed]]:
    """The index rows (``event_epcs``: role, code, quantity, unit) of these events, sorted per event."""
    found: dict[int, list[Indexed]] = {}
    columns = (EventEpc.event_pk, EventEpc.role, EventEpc.value, EventEpc.quantity, EventEpc.uom)
    for start in range(0, len(pks), _IN_CHUNK):
        chunk = pks[start : start + _IN_CHUNK]
        for pk, role, value, quantity, uom in session.execute(select(*columns).where(EventEpc.event_pk.in_(chunk))):
            found.setdefault(pk, []).append((role, value, quantity, uom))
    return {pk: sorted(rows, key=code_key) for pk, rows in found.items()}


def code_key(row: Indexed) -> tuple[str, str, float, str]:
    role, value, quantity, uom = row
    return role, value, -1.0 if quantity is None else float(quantity), uom or ""


def contexts(session: Session, ids: set[int]) -> dict[int, object]:
    if not ids:
        return {}
    rows = session.execute(select(EventContext.id, EventContext.body).where(EventContext.id.in_(ids)))
    return {context_id: body for context_id, body in rows}


def unlogged_events(session: Session) -> list[tuple[int, str]]:
    """(pk, eventID) of stored events that have no leaf (inserted behind the ledger's back)."""
    statement = (
        select(Event.id, Event.event_id)
        .outerjoin(LedgerLeaf, LedgerLeaf.event_pk == Event.id)
        .where(LedgerLeaf.idx.is_(None))
        .order_by(Event.id)
    )
    return [(pk, event_id) for pk, event_id in session.execute(statement)]


def latest_checkpoint(session: Session) -> LedgerCheckpoint | None:
    return session.scalar(select(LedgerCheckpoint).order_by(LedgerCheckpoint.size.desc()).limit(1))


def checkpoints(session: Session) -> list[LedgerCheckpoint]:
    return list(session.scalars(select(LedgerCheckpoint).order_by(LedgerCheckpoint.size)))


def checkpoint_by_size(session: Session, size: int) -> LedgerCheckpoint | None:
    return session.scalar(select(LedgerCheckpoint).where(LedgerCheckpoint.size == size))


def add_cosignature(session: Session, checkpoint: LedgerCheckpoint, *, witness: str, timestamp: int, line: str) -> None:
    session.add(LedgerCosignature(checkpoint_id=checkpoint.id, witness=witness, timestamp=timestamp, line=line))


def witness_state(session: Session, witness: str) -> LedgerWitnessState:
    """The push state of a configured witness, locked, created (known size 0) on first use."""
    state = session.scalar(select(LedgerWitnessState).where(LedgerWitnessState.witness == witness).with_for_update())
    if state is None:
        state = LedgerWitnessState(witness=witness, known_size=0)
        session.add(state)
        session.flush()
    return state


def witnessed(session: Session, origin: str) -> WitnessedLog | None:
    return session.get(WitnessedLog, origin)


def lock_witnessed(session: Session, origin: str) -> WitnessedLog | None:
    return session.scalar(select(WitnessedLog).where(WitnessedLog.origin == origin).with_for_update())
