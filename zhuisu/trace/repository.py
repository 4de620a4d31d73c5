"""Reads of the trace graph. Each function is ONE SQL statement whatever the number of codes it is given: a set
of codes is bound as one parameter (a PostgreSQL array, or a JSON array unpacked by SQLite's ``json_each``), so
the number of queries a trace makes is bounded by the depth of the graph, not by the number of things.
"""

import json
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Row,
    Text,
    any_,
    bindparam,
    func,
    literal_column,
    select,
    text,
    union_all,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from zhuisu.db.types import UTCDateTime
from zhuisu.models import Event, EventEpc, Party, TraceTransformMember


def _one_of(session: Session, column: Any, values: Sequence[Any], *, integer: bool = False) -> ColumnElement[bool]:
    """``column IN values`` with all values in a single bound parameter."""
    if session.get_bind().dialect.name == "postgresql":
        from_type = ARRAY(Text) if not integer else ARRAY(column.type)
        return column == any_(bindparam(None, list(values), type_=from_type))
    as_json: Any = bindparam(None, json.dumps(list(values)))
    unpacked: Any = select(literal_column("value")).select_from(func.json_each(as_json))
    return column.in_(unpacked)


#: Event times as POSIX seconds rounded to the millisecond, computed by the database (no datetime parsing).
_EPOCH = {"sqlite": "round((julianday({0}) - 2440587.5) * 86400000.0) / 1000.0",
          "postgresql": "CAST(round(EXTRACT(EPOCH FROM {0}) * 1000) / 1000.0 AS DOUBLE PRECISION)"}
_LINK_COLS = {d: f"kind, src, dst, event_pk, {e.format('event_time')} AS ts" for d, e in _EPOCH.items()}
_LINKS_SQL = {
    "sqlite": text(f"""
        SELECT {_LINK_COLS["sqlite"]} FROM trace_links WHERE src IN (SELECT value FROM json_each(:things))
        UNION ALL SELECT {_LINK_COLS["sqlite"]} FROM trace_links WHERE dst IN (SELECT value FROM json_each(:things))
        UNION ALL SELECT {_LINK_COLS["sqlite"]} FROM trace_links WHERE kind = 'unpack' AND dst IS NULL AND src IN (
            SELECT src FROM trace_links WHERE kind = 'pack' AND dst IN (SELECT value FROM json_each(:things)))"""),
    "postgresql": text(f"""
        SELECT {_LINK_COLS["postgresql"]} FROM trace_links WHERE src = ANY(CAST(:things AS TEXT[]))
        UNION ALL SELECT {_LINK_COLS["postgresql"]} FROM trace_links WHERE dst = ANY(CAST(:things AS TEXT[]))
        UNION ALL SELECT {_LINK_COLS["postgresql"]} FROM trace_links WHERE kind = 'unpack' AND dst IS NULL AND src IN (
            SELECT src FROM trace_links WHERE kind = 'pack' AND dst = ANY(CAST(:things AS TEXT[])))"""),
}
_EVENTS_COLS = """{t} AS ts, {rt} AS rts, event_epcs.value, event_epcs.role, event_epcs.quantity, event_epcs.uom,
    events.id, events.event_id, events.event_time, events.record_time, events.type, events.action, events.biz_step,
    events.disposition, events.biz_location, events.read_point, events.recorder_id, trace_custody.source,
    trace_custody.destination
    FROM event_epcs JOIN events ON events.id = event_epcs.event_pk
    LEFT OUTER JOIN trace_custody ON trace_custody.event_pk = events.id"""
_IN_THINGS = {"sqlite": "IN (SELECT value FROM json_each(:things))", "postgresql": "= ANY(CAST(:things AS TEXT[]))"}
_EVENTS_SQL = {
    d: text(f"SELECT {_EVENTS_COLS.format(t=e.format('events.event_time'), rt=e.format('events.record_time'))} "
            f"WHERE event_epcs.value {_IN_THINGS[d]}")
    for d, e in _EPOCH.items()
}


def _bind(session: Session, values: Sequence[str]) -> tuple[str, Any]:
    dialect = session.get_bind().dialect.name
    return dialect, (list(values) if dialect == "postgresql" else json.dumps(list(values)))


def links_around(session: Session, things: Sequence[str]) -> list[Any]:
    """Every link that starts or ends at one of ``things``, and the "emptied" unpack links of their parents."""
    dialect, value = _bind(session, things)
    return list(session.connection().execute(_LINKS_SQL[dialect], {"things": value}))


def events_of(session: Session, things: Sequence[str]) -> list[Any]:
    """One row per (thing, event naming it): the event's key fields and its custody parties."""
    dialect, value = _bind(session, things)
    statement = _EVENTS_SQL[dialect].columns(event_time=UTCDateTime(), record_time=UTCDateTime())
    return list(session.connection().execute(statement, {"things": value}))


_CUSTODY_COLS = """event_epcs.value, {t} AS ts, trace_custody.source, trace_custody.destination,
    events.biz_location FROM event_epcs JOIN events ON events.id = event_epcs.event_pk
    LEFT OUTER JOIN trace_custody ON trace_custody.event_pk = events.id"""
_CUSTODY_SQL = {
    "sqlite": text(f"SELECT {_CUSTODY_COLS.format(t=_EPOCH['sqlite'].format('events.event_time'))} "
                   "WHERE event_epcs.value IN (SELECT value FROM json_each(:things))"),
    "postgresql": text(f"SELECT {_CUSTODY_COLS.format(t=_EPOCH['postgresql'].format('events.event_time'))} "
                       "WHERE event_epcs.value = ANY(CAST(:things AS TEXT[]))"),
}


def custody_of(session: Session, things: Sequence[str]) -> list[Any]:
    """(thing, time, source, destination, bizLocation) of the events naming ``things``: the rows recall impact
    needs to find current holders."""
    dialect, value = _bind(session, things)
    return list(session.connection().execute(_CUSTODY_SQL[dialect], {"things": value}))


def quantities_of(session: Session, things: Sequence[str]) -> list[Row[Any]]:
    """(thing, role, quantity, uom, event type, action) of the class-level quantities events give ``things``."""
    statement = (
        select(EventEpc.value, EventEpc.role, EventEpc.quantity, EventEpc.uom, Event.type, Event.action)
        .join(Event, Event.id == EventEpc.event_pk)
        .where(_one_of(session, EventEpc.value, things), EventEpc.quantity.is_not(None))
    )
    return list(session.execute(statement))


def transformation_balances(session: Session, event_pks: Sequence[int]) -> list[Row[Any]]:
    """(group, role, quantity, uom, eventID, event pk) of the class-level inputs and outputs of transformation
    events. The group is the transformationID (every event sharing it counts), else the eventID; an event with a
    transformationID therefore appears under both, and the caller keeps the transformationID rows."""
    shared = select(TraceTransformMember.transformation_id).where(
        _one_of(session, TraceTransformMember.event_pk, event_pks, integer=True))
    by_id = (select(TraceTransformMember.transformation_id, TraceTransformMember.role, TraceTransformMember.quantity,
                    TraceTransformMember.uom, Event.event_id, Event.id)
             .join(Event, Event.id == TraceTransformMember.event_pk)
             .where(TraceTransformMember.transformation_id.in_(shared)))
    alone = (select(Event.event_id, EventEpc.role, EventEpc.quantity, EventEpc.uom, Event.event_id, Event.id)
             .join(Event, Event.id == EventEpc.event_pk)
             .where(_one_of(session, EventEpc.event_pk, event_pks, integer=True),
                    EventEpc.role.in_(("input_qty", "output_qty"))))
    return list(session.execute(union_all(by_id, alone)))


def events_by_pk(session: Session, pks: Sequence[int]) -> list[Event]:
    """Whole events (bodies included), in time order, for exports."""
    return list(session.scalars(select(Event).where(_one_of(session, Event.id, pks, integer=True))
                                .order_by(Event.event_time, Event.id)))


def parties_by_gln(session: Session, glns: Sequence[str]) -> list[Party]:
    return list(session.scalars(select(Party).where(_one_of(session, Party.gln, glns))))
