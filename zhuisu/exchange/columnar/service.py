"""The columnar export for analytics (``zhuisu export parquet``): the node's events, their identifiers and the
parties as Apache Parquet files that DuckDB, ClickHouse, Spark or pandas read as they are.

- ``events.parquet``: one row per event — eventID, hash, type, times (UTC), action, bizStep, disposition, read point,
  business location, the recorder (id, region, class), where it was first recorded (the child node's log origin and
  record time there, or this node's) and the event itself as JSON-LD text;
- ``event_epcs.parquet``: one row per identifier an event names (eventID, role, canonical value, quantity, unit);
- ``parties.parquet``: every party (id, name, USCC, GLN, region, type, class, role on this node).

Rows are read from the database in chunks and written as row groups (``ROWS_PER_GROUP``), so memory stays flat
whatever the store's size; ``since``/``until`` bound the events by record time (an incremental export). Written
with pyarrow (the Apache Arrow reference implementation; the ``parquet`` extra), imported when an export runs.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from zhuisu.exchange.columnar.errors import ParquetUnavailable
from zhuisu.models import Event, EventEpc, EventOrigin, Party

ROWS_PER_GROUP = 50_000


@dataclass(frozen=True)
class Exported:
    """What an export wrote: each file with its rows."""

    directory: Path
    rows: dict[str, int]

    def to_json(self) -> dict[str, Any]:
        return {"directory": str(self.directory), "files": {f"{k}.parquet": n for k, n in self.rows.items()}}


def _arrow() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet
    except ImportError as exc:  # the optional extra is not installed
        raise ParquetUnavailable(
            "未安装 pyarrow：pip install 'zhuisu[parquet]'",
            message_en="pyarrow is not installed: pip install 'zhuisu[parquet]'",
        ) from exc
    return pyarrow


def export(
    session: Session, directory: Path, *, since: datetime | None = None, until: datetime | None = None, origin: str
) -> Exported:
    """Write the three files into ``directory`` (created); ``origin``: this node's log origin (the origin of the
    events recorded here)."""
    pa = _arrow()
    directory.mkdir(parents=True, exist_ok=True)
    events = select(Event).order_by(Event.id)
    if since is not None:
        events = events.where(Event.record_time >= since)
    if until is not None:
        events = events.where(Event.record_time < until)
    rows = {
        "events": _write(pa, directory / "events.parquet", _EVENTS, _event_rows(session, events, origin)),
        "event_epcs": _write(pa, directory / "event_epcs.parquet", _EPCS, _epc_rows(session, events)),
        "parties": _write(pa, directory / "parties.parquet", _PARTIES, _party_rows(session)),
    }
    return Exported(directory, rows)


def _schema(pa: Any, fields: list[tuple[str, str]]) -> Any:
    types = {
        "text": pa.string(),
        "time": pa.timestamp("us", tz="UTC"),
        "float": pa.float64(),
        "bool": pa.bool_(),
    }
    return pa.schema([pa.field(name, types[kind]) for name, kind in fields])


_EVENTS = [
    ("event_id", "text"),
    ("event_hash", "text"),
    ("type", "text"),
    ("event_time", "time"),
    ("event_time_zone_offset", "text"),
    ("record_time", "time"),
    ("action", "text"),
    ("biz_step", "text"),
    ("disposition", "text"),
    ("read_point", "text"),
    ("biz_location", "text"),
    ("has_error_declaration", "bool"),
    ("recorder_id", "text"),
    ("recorder_region", "text"),
    ("recorder_class", "text"),
    ("origin_node", "text"),
    ("origin_record_time", "time"),
    ("body", "text"),
]
_EPCS = [("event_id", "text"), ("role", "text"), ("value", "text"), ("quantity", "float"), ("uom", "text")]
_PARTIES = [
    ("id", "text"),
    ("name", "text"),
    ("uscc", "text"),
    ("gln", "text"),
    ("region", "text"),
    ("party_type", "text"),
    ("product_class", "text"),
    ("actor", "text"),
]


def _write(pa: Any, path: Path, fields: list[tuple[str, str]], chunks: Iterator[list[dict[str, Any]]]) -> int:
    schema = _schema(pa, fields)
    written = 0
    with pa.parquet.ParquetWriter(str(path), schema, compression="zstd") as writer:
        for chunk in chunks:
            writer.write_table(pa.Table.from_pylist(chunk, schema=schema), row_group_size=ROWS_PER_GROUP)
            written += len(chunk)
    return written


def _chunks(session: Session, query: Any, key: Any) -> Iterator[list[Any]]:
    """The rows of ``query`` a chunk at a time, by keyset on ``key`` (ascending)."""
    last = None
    while True:
        page = query if last is None else query.where(key > last)
        rows = list(session.execute(page.limit(ROWS_PER_GROUP)))
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _event_rows(session: Session, events: Select[Any], origin: str) -> Iterator[list[dict[str, Any]]]:
    query = (
        events.with_only_columns(
            Event.id, Event, Party.region, Party.product_class, EventOrigin.node, EventOrigin.record_time
        )
        .join(Party, Party.id == Event.recorder_id)
        .outerjoin(EventOrigin, EventOrigin.event_pk == Event.id)
    )
    for rows in _chunks(session, query, Event.id):
        yield [
            {
                "event_id": e.event_id,
                "event_hash": e.event_hash,
                "type": e.type,
                "event_time": e.event_time,
                "event_time_zone_offset": e.event_time_zone_offset,
                "record_time": e.record_time,
                "action": e.action,
                "biz_step": e.biz_step,
                "disposition": e.disposition,
                "read_point": e.read_point,
                "biz_location": e.biz_location,
                "has_error_declaration": e.has_error_declaration,
                "recorder_id": e.recorder_id,
                "recorder_region": region,
                "recorder_class": product_class,
                "origin_node": node or origin,
                "origin_record_time": origin_time or e.record_time,
                "body": orjson.dumps(e.body).decode(),
            }
            for _, e, region, product_class, node, origin_time in rows
        ]


def _epc_rows(session: Session, events: Select[Any]) -> Iterator[list[dict[str, Any]]]:
    ids = events.with_only_columns(Event.id).subquery()
    query = (
        select(EventEpc.id, Event.event_id, EventEpc.role, EventEpc.value, EventEpc.quantity, EventEpc.uom)
        .join(Event, Event.id == EventEpc.event_pk)
        .where(EventEpc.event_pk.in_(select(ids.c.id)))
        .order_by(EventEpc.id)
    )
    for rows in _chunks(session, query, EventEpc.id):
        yield [
            {"event_id": event_id, "role": role, "value": value, "quantity": quantity, "uom": uom}
            for _, event_id, role, value, quantity, uom in rows
        ]


def _party_rows(session: Session) -> Iterator[list[dict[str, Any]]]:
    query = select(
        Party.id, Party.name, Party.uscc, Party.gln, Party.region, Party.party_type, Party.product_class, Party.actor
    ).order_by(Party.id)
    for rows in _chunks(session, query, Party.id):
        yield [dict(zip([name for name, _ in _PARTIES], row, strict=True)) for row in rows]
