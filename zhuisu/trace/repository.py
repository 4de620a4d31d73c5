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
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import Session

from zhuisu.db.types import UTCDateTime
from zhuisu.models import Event, EventEpc, Party


def _one_of(session: Session, column: Any, values: Sequence[Any], *, integer: bool = False) -> ColumnElement[bool]:
    """``column IN values`` with all values in a single bound parameter."""
    if session.get_bind().dialect.name == "postgresql":
        from_type = ARRAY(Text) if not integer else ARRAY(column.type)
        return column == any_(bindparam(None, list(values), type_=from_type))
    as_json: Any = bindparam(None, json.dumps(list(values)))
    unpacked: Any = select(literal_column("value")).select_from(func.json_each(as_json))
    return column.in_(unpacked)


#: Event times as POSIX seconds rounded to the millisecond, computed by the database (no datetime parsing).
_EPOCH = {
    "sqlite": "round((julianday({0}) - 2440587.5) * 86400000.0) / 1000.0",
    "postgresql": "CAST(round(EXTRACT(EPOCH FROM {0}) * 1000) / 1000.0 AS DOUBLE PRECISION)",
}
_IN = {"sqlite": "IN (SELECT value FROM json_each(:{0}))", "postgresql": "= ANY(CAST(:{0} AS TEXT[]))"}
_LINK_COLS = {d: f"kind, src, dst, {e.format('event_time')} AS ts" for d, e in _EPOCH.items()}
#: Parts of a level's link query, tagged so the walk knows which index a row belongs to (each link is read once
#: per walk: from the end the walk comes from). ``{near}``/``{far}`` are ``src``/``dst`` forward, swapped back.
_LINK_PARTS = (
    "SELECT {cols}, 0 AS part FROM trace_links WHERE {near} {things} AND kind = 'transform'",
    "SELECT {cols}, 1 AS part FROM trace_links WHERE src {down} AND kind <> 'transform'",
    "SELECT {cols}, 2 AS part FROM trace_links WHERE dst {things} AND kind <> 'transform'",
    "SELECT {cols}, 3 AS part FROM trace_links WHERE kind = 'unpack' AND dst IS NULL AND src IN ("
    "SELECT src FROM trace_links WHERE kind = 'pack' AND dst {things})",
)
_LINKS_SQL = {
    ("sqlite", direction): text(
        " UNION ALL ".join(
            part.format(
                cols=_LINK_COLS["sqlite"],
                near=near,
                things=_IN["sqlite"].format("things"),
                down=_IN["sqlite"].format("down"),
            )
            for part in _LINK_PARTS
        )
    )
    for direction, near in (("forward", "src"), ("back", "dst"))
}
#: PostgreSQL: the sets are unnested once into materialized CTEs and joined, so every part is a nested loop of
#: index lookups whatever the planner estimates (``IN (subquery)`` on a large ``= ANY(array)`` could become a
#: nested loop re-running the array scan for every outer row).
_PG_COLS = "l.kind, l.src, l.dst, " + _EPOCH["postgresql"].format("l.event_time") + " AS ts"
_LINKS_SQL.update(
    {
        ("postgresql", direction): text(f"""
    WITH t AS MATERIALIZED (SELECT DISTINCT unnest(CAST(:things AS TEXT[])) AS v),
    d AS MATERIALIZED (SELECT DISTINCT unnest(CAST(:down AS TEXT[])) AS v),
    p AS MATERIALIZED (SELECT DISTINCT l.src FROM t JOIN trace_links l ON l.dst = t.v AND l.kind = 'pack')
    SELECT {_PG_COLS}, 0 AS part FROM t JOIN trace_links l ON l.{near} = t.v AND l.kind = 'transform'
    UNION ALL SELECT {_PG_COLS}, 1 AS part FROM d JOIN trace_links l ON l.src = d.v AND l.kind <> 'transform'
    UNION ALL SELECT {_PG_COLS}, 2 AS part FROM t JOIN trace_links l ON l.dst = t.v AND l.kind <> 'transform'
    UNION ALL SELECT {_PG_COLS}, 3 AS part FROM p JOIN trace_links l
        ON l.src = p.src AND l.kind = 'unpack' AND l.dst IS NULL""")
        for direction, near in (("forward", "src"), ("back", "dst"))
    }
)
#: Driven from the outputs (a thing has few inputs; a lot may have 100,000 outputs): ``+src`` keeps SQLite off
#: the other index, the materialized CTE gives PostgreSQL the join order.
_INTO_SQL = {
    "sqlite": text(
        f"SELECT src, dst, {_EPOCH['sqlite'].format('event_time')} AS ts FROM trace_links "
        f"WHERE dst {_IN['sqlite'].format('outputs')} AND kind = 'transform' "
        f"AND +src {_IN['sqlite'].format('sources')}"
    ),
    "postgresql": text(f"""
        WITH o AS MATERIALIZED (SELECT DISTINCT unnest(CAST(:outputs AS TEXT[])) AS v)
        SELECT l.src, l.dst, {_EPOCH["postgresql"].format("l.event_time")} AS ts
        FROM o JOIN trace_links l ON l.dst = o.v AND l.kind = 'transform'
        WHERE l.src = ANY(CAST(:sources AS TEXT[]))"""),
}
_EVENTS_COLS = """{t} AS ts, {rt} AS rts, event_epcs.value, event_epcs.role, event_epcs.quantity, event_epcs.uom,
    events.id, events.event_id, events.event_time, events.record_time, events.type, events.action, events.biz_step,
    events.disposition, events.biz_location, events.read_point, events.recorder_id, trace_custody.source,
    trace_custody.destination
    FROM event_epcs JOIN events ON events.id = event_epcs.event_pk
    LEFT OUTER JOIN trace_custody ON trace_custody.event_pk = events.id"""
_IN_THINGS = {"sqlite": "IN (SELECT value FROM json_each(:things))", "postgresql": "= ANY(CAST(:things AS TEXT[]))"}
_EVENTS_SQL = {
    d: text(
        f"SELECT {_EVENTS_COLS.format(t=e.format('events.event_time'), rt=e.format('events.record_time'))} "
        f"WHERE event_epcs.value {_IN_THINGS[d]}"
    )
    for d, e in _EPOCH.items()
}


def _bind(session: Session, values: Sequence[str]) -> tuple[str, Any]:
    dialect = session.get_bind().dialect.name
    return dialect, (list(values) if dialect == "postgresql" else json.dumps(list(values)))


def links_from(session: Session, direction: str, things: Sequence[str], down: Sequence[str]) -> Sequence[Any]:
    """One level of a walk, as (kind, src, dst, ts, part) rows: part 0, the transformations leaving ``things`` in
    ``direction``; 1, the pack/unpack links of the containers ``down`` (their contents); 2, those of ``things``
    as contents (their containers); 3, the "emptied" unpack links of those containers."""
    dialect, value = _bind(session, things)
    params = {"things": value, "down": _bind(session, down)[1]}
    return session.connection().execute(_LINKS_SQL[(dialect, direction)], params).all()


def transforms_into(session: Session, outputs: Sequence[str], sources: Sequence[str]) -> Sequence[Any]:
    """(src, dst, ts) of the transformation links into one of ``outputs`` from one of ``sources``."""
    dialect, value = _bind(session, outputs)
    return (
        session.connection()
        .execute(_INTO_SQL[dialect], {"outputs": value, "sources": _bind(session, sources)[1]})
        .all()
    )


def events_of(session: Session, things: Sequence[str]) -> list[Any]:
    """One row per (thing, event naming it): the event's key fields and its custody parties."""
    dialect, value = _bind(session, things)
    statement = _EVENTS_SQL[dialect].columns(event_time=UTCDateTime(), record_time=UTCDateTime())
    return list(session.connection().execute(statement, {"things": value}))


_HELD_SQL = {
    d: text(f"""
    SELECT event_epcs.value, {e.format("trace_custody.event_time")} AS ts,
        COALESCE(trace_custody.destination, trace_custody.source) AS party
    FROM event_epcs JOIN trace_custody ON trace_custody.event_pk = event_epcs.event_pk
    WHERE event_epcs.value {_IN[d].format("things")}
        AND (trace_custody.destination IS NOT NULL OR trace_custody.source IS NOT NULL)""")
    for d, e in _EPOCH.items()
}
_PLACES_SQL = {
    d: text(f"""
    SELECT event_epcs.value, {e.format("events.event_time")} AS ts, events.biz_location
    FROM event_epcs JOIN events ON events.id = event_epcs.event_pk
    WHERE event_epcs.value {_IN[d].format("things")} AND events.biz_location LIKE 'https://id.gs1.org/414/%'""")
    for d, e in _EPOCH.items()
}


def parties_holding(session: Session, things: Sequence[str]) -> Sequence[Any]:
    """(thing, time, party) of the events naming ``things`` and a source or destination party (the destination
    party when both): the rows recall impact finds current holders in."""
    dialect, value = _bind(session, things)
    return session.connection().execute(_HELD_SQL[dialect], {"things": value}).all()


def places_of(session: Session, things: Sequence[str]) -> Sequence[Any]:
    """(thing, time, bizLocation) of the events naming ``things`` at a GLN business location."""
    dialect, value = _bind(session, things)
    return session.connection().execute(_PLACES_SQL[dialect], {"things": value}).all()


def quantities_of(session: Session, things: Sequence[str]) -> list[Row[Any]]:
    """(thing, role, quantity, uom, event type, action) of the class-level quantities events give ``things``."""
    statement = (
        select(EventEpc.value, EventEpc.role, EventEpc.quantity, EventEpc.uom, Event.type, Event.action)
        .join(Event, Event.id == EventEpc.event_pk)
        .where(_one_of(session, EventEpc.value, things), EventEpc.quantity.is_not(None))
    )
    return list(session.execute(statement))


_PKS = {"sqlite": "SELECT value FROM json_each(:pks)", "postgresql": "SELECT unnest(CAST(:pks AS BIGINT[])) AS value"}
_BALANCES_SQL = {
    d: text(f"""
    WITH e AS {"MATERIALIZED " if d == "postgresql" else ""}({pks}),
    shared AS {"MATERIALIZED " if d == "postgresql" else ""}(SELECT DISTINCT m.transformation_id
        FROM e JOIN trace_transform_members m ON m.event_pk = e.value)
    SELECT m.transformation_id, m.role, m.quantity, m.uom, events.event_id, events.id
    FROM shared JOIN trace_transform_members m ON m.transformation_id = shared.transformation_id
    JOIN events ON events.id = m.event_pk
    UNION ALL
    SELECT events.event_id, x.role, x.quantity, x.uom, events.event_id, events.id
    FROM e JOIN events ON events.id = e.value JOIN event_epcs x ON x.event_pk = events.id
    WHERE x.role IN ('input_qty', 'output_qty')""")
    for d, pks in _PKS.items()
}


def transformation_balances(session: Session, event_pks: Sequence[int]) -> list[Any]:
    """(group, role, quantity, uom, eventID, event pk) of the class-level inputs and outputs of transformation
    events. The group is the transformationID (every event sharing it counts), else the eventID; an event with a
    transformationID therefore appears under both, and the caller keeps the transformationID rows."""
    dialect = session.get_bind().dialect.name
    value: Any = list(event_pks) if dialect == "postgresql" else json.dumps(list(event_pks))
    return list(session.connection().execute(_BALANCES_SQL[dialect], {"pks": value}).all())


def events_by_pk(session: Session, pks: Sequence[int]) -> list[Event]:
    """Whole events (bodies included), in time order, for exports."""
    return list(
        session.scalars(
            select(Event).where(_one_of(session, Event.id, pks, integer=True)).order_by(Event.event_time, Event.id)
        )
    )


def parties_by_gln(session: Session, glns: Sequence[str]) -> list[Party]:
    return list(session.scalars(select(Party).where(_one_of(session, Party.gln, glns))))
