"""Reads of the trace graph. Each function is ONE SQL statement whatever the number of codes it is given: a set
of codes is bound as one parameter (a PostgreSQL array, or a JSON array unpacked by SQLite's ``json_each``), so
the number of queries a trace makes is bounded by the depth of the graph, not by the number of things.
"""

import logging
import re
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import orjson
from sqlalchemy import (
    ColumnElement,
    Engine,
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
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session
from sqlalchemy.pool import Pool, QueuePool

from zhuisu.db.types import UTCDateTime
from zhuisu.models import Event, EventEpc, Party, TraceCustody

logger = logging.getLogger(__name__)


def _json(values: Sequence[Any]) -> str:
    """A JSON array of ``values`` (orjson: a level of 100,000 codes encodes in a few milliseconds)."""
    return orjson.dumps(list(values)).decode()


def _one_of(session: Session, column: Any, values: Sequence[Any], *, integer: bool = False) -> ColumnElement[bool]:
    """``column IN values`` with all values in a single bound parameter."""
    if session.get_bind().dialect.name == "postgresql":
        from_type = ARRAY(Text) if not integer else ARRAY(column.type)
        return column == any_(bindparam(None, list(values), type_=from_type))
    as_json: Any = bindparam(None, _json(list(values)))
    unpacked: Any = select(literal_column("value")).select_from(func.json_each(as_json))
    return column.in_(unpacked)


#: Event times as POSIX seconds rounded to the millisecond, computed by the database (no datetime parsing).
_EPOCH = {
    "sqlite": "round((julianday({0}) - 2440587.5) * 86400000.0) / 1000.0",
    "postgresql": "CAST(round(EXTRACT(EPOCH FROM {0}) * 1000) / 1000.0 AS DOUBLE PRECISION)",
}
_IN = {"sqlite": "IN (SELECT value FROM json_each(:{0}))", "postgresql": "= ANY(CAST(:{0} AS TEXT[]))"}
#: A walk level reads each link once, from the end the walk comes from, in two index probes per thing: its
#: ``src`` end (its transformations forward, flag 1; its contents when it is reached with them, flag 2) and its
#: ``dst`` end (its containers; its transformations backward); then the "emptied" unpacks of those containers.
#: Links are (part, src, dst, time): part 0 transform, 1/2 pack/unpack as parent, 3/4 pack/unpack as child,
#: 5 the parent of an as-child pack emptied (``dst`` NULL). They are returned grouped, one row per (part, src,
#: time) with the ``dst`` ends as one array (``_AGGREGATE``): a lot made into 100,000 items in one event is one
#: row, 100,000 items in 10,000 cases are 10,000 rows — the driver builds a fraction of the Python objects, and
#: the time is converted once per group.
_PARTS = """CASE WHEN l.kind = 'transform' THEN 0 WHEN {end} = 'src' THEN (CASE l.kind WHEN 'pack' THEN 1 ELSE 2 END)
    ELSE (CASE l.kind WHEN 'pack' THEN 3 ELSE 4 END) END"""
#: The ``src`` probe of a thing reads only the kinds its flag asks for, as an index range on (src, kind): a lot's
#: 100,000 transformation links are not scanned to find that it has no contents (a back trace from one item).
_LEVEL_SQL = """
    WITH {ns}f AS MATERIALIZED (SELECT {dsts}),
    c AS MATERIALIZED (SELECT l.kind, l.src, l.dst, l.event_time FROM f {probe_dst})
    SELECT x.part, x.src, {x_ts} AS ts, {aggregate} AS dsts FROM (
    SELECT {src_part} AS part, l.src, l.dst, l.event_time FROM {near1} n {probe_transforms}
    UNION ALL SELECT {src_part}, l.src, l.dst, l.event_time FROM {near2} n {probe_contents}
    UNION ALL SELECT {src_part}, l.src, l.dst, l.event_time FROM {near3} n {probe_src}
    UNION ALL SELECT {dst_part}, c.src, c.dst, c.event_time FROM c
    UNION ALL SELECT 5, l.src, l.dst, l.event_time
        FROM (SELECT DISTINCT src FROM c WHERE kind = 'pack') p {probe_emptied}{holdings}
    ) x GROUP BY x.part, x.src, x.event_time"""
#: For recall impact, a third probe per thing: part 6, the parties holding it after an event (``trace_holdings``:
#: src the thing, dst the party) — read with its links, the set bound and parsed once.
_HOLDINGS = {
    "sqlite": """
    UNION ALL SELECT 6, h.thing, h.party, h.event_time FROM f JOIN trace_holdings h ON h.thing = f.v""",
    "postgresql": """
    UNION ALL SELECT 6, h.thing, h.party, h.event_time FROM f
        CROSS JOIN LATERAL (SELECT thing, party, event_time FROM trace_holdings WHERE thing = f.v OFFSET 0) h""",
}
#: The ``dst`` ends of a group: a JSON array on SQLite (parsed by orjson), a ``text[]`` on PostgreSQL (parsed by
#: psycopg; ``json_agg`` would escape every string on the server, as slow as sending the rows ungrouped).
_AGGREGATE = {"sqlite": "json_group_array(x.dst)", "postgresql": "array_agg(x.dst)"}
#: How each set probes trace_links. PostgreSQL gets LATERAL subqueries: one index lookup per thing whatever the
#: planner estimates (a plain join of 100,000 things was planned as a hash join over a sequential scan of the
#: whole table, spilling to disk); ``OFFSET 0`` keeps the planner from flattening them back into a join.
_LINK_COLUMNS = "SELECT l.kind, l.src, l.dst, l.event_time FROM trace_links l WHERE"
_PROBES = {
    "sqlite": {
        "dst": "JOIN trace_links l ON l.dst = f.v WHERE {dst_kinds}",
        "src": "JOIN trace_links l ON l.src = n.v",
        "transforms": "JOIN trace_links l ON l.src = n.v AND l.kind = 'transform'",
        "contents": "JOIN trace_links l ON l.src = n.v AND l.kind IN ('pack', 'unpack')",
        "emptied": "JOIN trace_links l ON l.dst IS NULL AND l.kind = 'unpack' AND l.src = p.src",
    },
    "postgresql": {
        "dst": f"CROSS JOIN LATERAL ({_LINK_COLUMNS} l.dst = f.v AND {{dst_kinds}} OFFSET 0) l",
        "src": f"CROSS JOIN LATERAL ({_LINK_COLUMNS} l.src = n.v OFFSET 0) l",
        "transforms": f"CROSS JOIN LATERAL ({_LINK_COLUMNS} l.src = n.v AND l.kind = 'transform' OFFSET 0) l",
        # one seek per kind: ``kind IN (…)`` on the index's second column was a filter over all the links of the
        # thing (a lot's 100,000 transformation links read to find it has no contents)
        "contents": (
            f"CROSS JOIN LATERAL ({_LINK_COLUMNS} l.src = n.v AND l.kind = 'pack' "
            f"UNION ALL {_LINK_COLUMNS} l.src = n.v AND l.kind = 'unpack') l"
        ),
        "emptied": (
            f"CROSS JOIN LATERAL ({_LINK_COLUMNS} l.dst IS NULL AND l.kind = 'unpack' AND l.src = p.src OFFSET 0) l"
        ),
    },
}
#: Per dialect: the codes of each flag (SQLite: one JSON array each, read directly — three scans of one
#: materialized set led SQLite to build a Bloom filter over all of trace_links for one of them), and the far set.
_NEAR = {
    "sqlite": ("", "(SELECT value AS v FROM json_each(:near{0}))"),
    "postgresql": ("ns AS MATERIALIZED (SELECT {0}), ", "(SELECT v FROM ns WHERE flag = {0})"),
}
_SETS = {
    "sqlite": ("", "value AS v FROM json_each(:far)"),
    "postgresql": (
        "unnest(CAST(:near AS TEXT[])) AS v, unnest(CAST(:flags AS INT[])) AS flag",
        "unnest(CAST(:far AS TEXT[])) AS v",
    ),
    # JSON arrays: estimated at 100 elements whatever their length, in a custom plan as in the generic plan of a
    # prepared statement (an array's length is known to a custom plan: with arrays of one code the generic plan
    # always looks dearer, and PostgreSQL re-plans the statement on every execution — planning a level costs
    # several times running it, ~1 ms against ~0.3 ms for a few codes). Estimated alike, the generic plan wins
    # after five executions and is reused; the plan is the same either way (each probe is an index lookup per
    # code). Parsing 100,000 codes costs ~100 ms more than arrays, so the walks alone (impact) keep arrays.
    "postgresql-json": (
        "j.value ->> 0 AS v, CAST(j.value ->> 1 AS INT) AS flag FROM json_array_elements(CAST(:near AS JSON)) j",
        "value AS v FROM json_array_elements_text(CAST(:far AS JSON))",
    ),
}
_LINKS_SQL = {
    (d, direction, holdings): text(
        _LEVEL_SQL.format(
            ns=_NEAR[d.partition("-")[0]][0].format(srcs),
            near1=_NEAR[d.partition("-")[0]][1].format(1),
            near2=_NEAR[d.partition("-")[0]][1].format(2),
            near3=_NEAR[d.partition("-")[0]][1].format(3),
            dsts=dsts,
            probe_dst=_PROBES[d.partition("-")[0]]["dst"].format(
                dst_kinds="true" if direction == "back" else "l.kind <> 'transform'"
            ),
            probe_src=_PROBES[d.partition("-")[0]]["src"],
            probe_transforms=_PROBES[d.partition("-")[0]]["transforms"],
            probe_contents=_PROBES[d.partition("-")[0]]["contents"],
            probe_emptied=_PROBES[d.partition("-")[0]]["emptied"],
            src_part=_PARTS.format(end="'src'"),
            dst_part=_PARTS.replace("l.", "c.").format(end="'dst'"),
            x_ts=_EPOCH[d.partition("-")[0]].format("x.event_time"),
            aggregate=_AGGREGATE[d.partition("-")[0]],
            holdings=_HOLDINGS[d.partition("-")[0]] if holdings else "",
        )
    )
    for d, (srcs, dsts) in _SETS.items()
    for direction in ("forward", "back")
    for holdings in (False, True)
}
#: Recall impact's levels on PostgreSQL (``holdings``; its transaction tuned by ``prepare_bulk_reads``). The two
#: probes of every thing of the level — its ``dst`` end (``c``) and, when all are followed down (``every``), its
#: ``src`` end — are plain joins, which with hash and merge joins off are nested loops of index lookups (the
#: ``LATERAL … OFFSET 0`` fences that keep a trace's plans so made the 100,000-item level ~7 % slower); their
#: inner side is all of ``trace_links`` but for one kind, so the only other nested loop — the inner read once and
#: filtered for every outer row — is chosen only when the table is small. The other probes keep the fences: the
#: "emptied" unpacks (``dst IS NULL AND kind = 'unpack'``: correlated columns, estimated at 15 rows when there
#: were 2,899, and a plan filtering them for each of 5,000 containers took 1.4 s), holdings (a small table in a
#: young database), and the few things of a level not all followed down. In the common case one array of codes
#: is parsed instead of three (~25 ms each at 100,000 codes).
_BULK_LEVEL_SQL = """
    WITH f AS MATERIALIZED (SELECT unnest(CAST(:far AS TEXT[])) AS v),
    ns AS MATERIALIZED (SELECT unnest(CAST(:near AS TEXT[])) AS v, unnest(CAST(:flags AS INT[])) AS flag),
    c AS MATERIALIZED (SELECT l.kind, l.src, l.dst, l.event_time FROM f JOIN trace_links l ON l.dst = f.v{dst_kinds})
    SELECT x.part, x.src, {x_ts} AS ts, array_agg(x.dst) AS dsts FROM (
    SELECT {src_part} AS part, l.src, l.dst, l.event_time FROM (SELECT v FROM ns WHERE flag = 1) n {transforms}
    UNION ALL SELECT {src_part}, l.src, l.dst, l.event_time FROM (SELECT v FROM ns WHERE flag = 2) n {contents}
    UNION ALL SELECT {src_part}, l.src, l.dst, l.event_time FROM (SELECT v FROM ns WHERE flag = 3) n {src}
    UNION ALL SELECT {src_part}, l.src, l.dst, l.event_time
        FROM f JOIN trace_links l ON l.src = f.v WHERE CAST(:every AS BOOLEAN)
    UNION ALL SELECT {dst_part}, c.src, c.dst, c.event_time FROM c
    UNION ALL SELECT 5, l.src, l.dst, l.event_time
        FROM (SELECT DISTINCT src FROM c WHERE kind = 'pack') p {emptied}{holdings}
    ) x GROUP BY x.part, x.src, x.event_time"""
for _direction in ("forward", "back"):
    _LINKS_SQL[("postgresql", _direction, True)] = text(
        _BULK_LEVEL_SQL.format(
            dst_kinds="" if _direction == "back" else " AND l.kind <> 'transform'",
            transforms=_PROBES["postgresql"]["transforms"],
            contents=_PROBES["postgresql"]["contents"],
            src=_PROBES["postgresql"]["src"],
            emptied=_PROBES["postgresql"]["emptied"],
            holdings=_HOLDINGS["postgresql"],
            src_part=_PARTS.format(end="'src'"),
            dst_part=_PARTS.replace("l.", "c.").format(end="'dst'"),
            x_ts=_EPOCH["postgresql"].format("x.event_time"),
        )
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
_IN_THINGS = {
    "sqlite": "IN (SELECT value FROM json_each(:things))",
    "postgresql": "IN (SELECT json_array_elements_text(CAST(:things AS JSON)))",
}
_EVENTS_SQL = {
    d: text(
        f"SELECT {_EVENTS_COLS.format(t=e.format('events.event_time'), rt=e.format('events.record_time'))} "
        f"WHERE event_epcs.value {_IN_THINGS[d]}"
    )
    for d, e in _EPOCH.items()
}


def _tuples(session: Session, statement: Any, params: dict[str, Any]) -> list[Any]:
    """The rows of ``statement`` as the driver's plain tuples: a level of 100,000 links spends a fifth of its time
    building SQLAlchemy ``Row`` objects otherwise. Executed through the session's connection (its transaction and
    its execution events, statement counting included)."""
    result = session.connection().execute(statement, params)
    try:
        return list(result.cursor.fetchall())
    finally:
        result.close()


#: PostgreSQL settings for the impact's transaction (``SET LOCAL``: they end with it): no JIT (compiling a
#: 100,000-row level's plan costs ~150 ms, more than it saves), enough ``work_mem`` for its sorts and
#: materialized sets to stay in memory, and nested loops only: every join of an impact looks up a set of codes in
#: an index (a hash join of 100,000 codes was planned over a sequential scan of the whole table).
_BULK_READS = text(
    "SELECT set_config('jit', 'off', true), set_config('work_mem', '64MB', true), "
    "set_config('enable_hashjoin', 'off', true), set_config('enable_mergejoin', 'off', true)"
)


def prepare_bulk_reads(session: Session) -> None:
    """Tune the transaction for reads of 100,000s of rows (PostgreSQL only; one statement, none on SQLite)."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection().execute(_BULK_READS)


def pg_array(values: Sequence[str]) -> str:
    """A PostgreSQL ``text[]`` literal of ``values`` (each double-quoted, ``\\`` and ``"`` escaped), for a
    ``CAST(:x AS TEXT[])``: one string parameter instead of a list psycopg dumps element by element (half a
    second for a level of 100,000 codes)."""
    if not values:
        return "{}"
    joined = '","'.join(values)
    if "\\" in joined or joined.count('"') != 2 * (len(values) - 1):  # some code holds a backslash or a quote
        joined = '","'.join(v.replace("\\", "\\\\").replace('"', '\\"') for v in values)
    return '{"' + joined + '"}'


def _bind(session: Session, values: Sequence[str]) -> tuple[str, Any]:
    dialect = session.get_bind().dialect.name
    return dialect, (pg_array(values) if dialect == "postgresql" else _json(list(values)))


def _by_flag(things: Sequence[str], down: Sequence[str]) -> tuple[list[str], list[str], list[str]]:
    """A forward level's codes by flag: 1, ``things`` only; 2, ``down`` only; 3, both."""
    if list(down) == list(things):
        return [], [], list(things)  # the common case: every new thing is followed down too
    followed, new = set(down), set(things)
    return (
        [t for t in things if t not in followed],
        [t for t in down if t not in new],
        [t for t in things if t in followed],
    )


def _level_params(sets: str, direction: str, things: Sequence[str], down: Sequence[str]) -> dict[str, Any]:
    """The bound parameters of one level of ``_LINKS_SQL`` with the ``sets`` of ``_SETS`` (``postgresql-bulk``:
    of ``_BULK_LEVEL_SQL``)."""
    if sets == "postgresql-bulk":
        if direction == "forward" and list(down) == list(things):
            return {"far": pg_array(things), "near": "{}", "flags": "{}", "every": True}
        sets = "postgresql"
        return _level_params(sets, direction, things, down) | {"every": False}
    if sets == "postgresql" and direction == "forward" and list(down) == list(things):
        far = pg_array(things)  # the common case: every new thing followed down too, all flag 3
        return {"near": far, "flags": "{" + ",".join(["3"] * len(things)) + "}", "far": far}
    if sets.startswith("postgresql"):
        near = dict.fromkeys(things, 1) if direction == "forward" else {}
        for thing in down:
            near[thing] = near.get(thing, 0) | 2
        if sets == "postgresql-json":
            return {"near": _json(list(near.items())), "far": _json(list(things))}
        far = pg_array(things)
        codes = list(near)
        flags = "{" + ",".join(map(str, near.values())) + "}"
        return {"near": far if codes == list(things) else pg_array(codes), "flags": flags, "far": far}
    # json_each of an object is slow: one array per flag; one equal to ``things`` is encoded once
    every = list(things)
    params = {"far": _json(every)}
    by_flag = _by_flag(every, down) if direction == "forward" else ([], list(down), [])
    for flag, codes in enumerate(by_flag, start=1):
        params[f"near{flag}"] = params["far"] if codes == every else _json(codes)
    return params


#: A level's rows: (part, src, ts, the dst ends of the links of that part from src at ts).
LevelRow = tuple[int, str, float, list[str | None]]


def _grouped(dialect: str, rows: Sequence[Any]) -> Sequence[LevelRow]:
    if dialect == "postgresql":
        return rows  # psycopg gives the text[] as a list
    loads = orjson.loads
    return [(part, src, ts, loads(dsts)) for part, src, ts, dsts in rows]


def links_from(
    session: Session, direction: str, things: Sequence[str], down: Sequence[str], *, holdings: bool = False
) -> Sequence[LevelRow]:
    """One level of a walk, as (part, src, ts, [dst, …]) rows: part 0, the transformations of ``things`` in
    ``direction``; 1/2, the pack/unpack links of the containers ``down`` (their contents); 3/4, those of
    ``things`` as contents (their containers); 5, the "emptied" unpack links of those containers (dst None);
    with ``holdings``, 6: the parties holding each of ``things`` after an event at ts (src the thing)."""
    dialect = session.get_bind().dialect.name
    statement = _LINKS_SQL[(dialect, direction, holdings)]
    if holdings and dialect == "postgresql":
        if (
            len(things) >= SPLIT_FROM
            and (split := _read_split(session, statement, direction, things, down)) is not None
        ):
            return split
        return _tuples(session, statement, _level_params("postgresql-bulk", direction, things, down))
    return _grouped(dialect, _tuples(session, statement, _level_params(dialect, direction, things, down)))


#: From this many things, a level of a recall impact on PostgreSQL is read in two halves at once (``_read_split``).
SPLIT_FROM = 5_000
#: Whether a second connection can share this transaction's view: only if it has written nothing (another
#: transaction cannot see its writes) and is not on a standby; then its snapshot, exported for the second.
_EXPORT_SNAPSHOT = text(
    "SELECT CASE WHEN pg_current_xact_id_if_assigned() IS NULL AND NOT pg_is_in_recovery() "
    "THEN pg_export_snapshot() END"
)
_SNAPSHOT_ID = re.compile(r"[0-9A-F]+-[0-9A-F]+(-[0-9]+)?")


def _read_split(
    session: Session, statement: Any, direction: str, things: Sequence[str], down: Sequence[str]
) -> list[Any] | None:
    """The rows of a level of ``statement`` for ``things`` (sorted, as the walk gives them) read in two halves at
    once: the second half on a second connection, in a thread, seeing the data this transaction sees (its
    snapshot imported, as ``pg_dump --jobs`` shares one). A level's time is index lookups, a few µs each, and the
    two halves run in two server processes: 100,000 things at 10 M events read in 0.36–0.51 s instead of
    0.68–0.96 s on this 2-core machine. PostgreSQL's own parallel query does not help: a ``LATERAL … OFFSET 0``
    subquery is never run by a worker, and with plain joins its Parallel Append of whole arms took longer to
    gather the rows than to read them (1.2–1.8 s). None when no second connection can share the transaction's
    view (it has written) or none is spare; if the second connection fails after all, the second half is read
    on this one."""
    engine = session.get_bind().engine
    if not _spare_connection(engine.pool):
        return None
    snapshot = session.connection().execute(_EXPORT_SNAPSHOT).scalar()
    if snapshot is None or not _SNAPSHOT_ID.fullmatch(snapshot):
        return None
    h = len(things) // 2
    if list(down) == list(things):  # the common case: halves of one sorted list
        halves = [(things[:h], things[:h]), (things[h:], things[h:])]
    else:
        pivot = things[h]
        halves = [
            ([t for t in things if t < pivot], [d for d in down if d < pivot]),
            ([t for t in things if t >= pivot], [d for d in down if d >= pivot]),
        ]
    first, second = (_level_params("postgresql-bulk", direction, *half) for half in halves)
    with ThreadPoolExecutor(max_workers=1) as pool:
        elsewhere_future = pool.submit(_read_elsewhere, engine, snapshot, statement, second)
        rows = _tuples(session, statement, first)
        elsewhere = elsewhere_future.result()
    return rows + (elsewhere if elsewhere is not None else _tuples(session, statement, second))


def _spare_connection(pool: Pool) -> bool:
    """Whether a second connection can be had without waiting: an idle one in the pool, or room to open one (a
    busy server reads the level in one statement rather than wait for a connection)."""
    if isinstance(pool, QueuePool):
        return pool.checkedin() > 0 or pool.checkedout() < pool.size()
    return True


def _read_elsewhere(engine: Engine, snapshot: str, statement: Any, params: dict[str, Any]) -> list[Any] | None:
    """``statement``'s rows on a connection of its own, in a read-only transaction with ``snapshot`` and the
    impact's settings; None if that fails (no connection to be had, the server at its limit, the connection
    lost): the caller then reads them itself, and the answer is the same."""
    try:
        with engine.connect().execution_options(isolation_level="REPEATABLE READ") as connection:
            connection.exec_driver_sql(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
            connection.exec_driver_sql("SET TRANSACTION READ ONLY")
            connection.execute(_BULK_READS)
            result = connection.execute(statement, params)
            try:
                return list(result.cursor.fetchall())
            finally:
                result.close()
    except (DBAPIError, PoolTimeout) as error:
        logger.warning("impact level: second half read on the session's own connection (%s)", error)
        return None


#: A level of the back walk and one of the forward walk in one PostgreSQL statement (one round trip, one
#: constant text psycopg prepares once): rows (0 back / 1 forward, part, src, ts, [dst, …]).
_BOTH_SQL = text(
    "SELECT 0 AS side, b.* FROM ("
    + re.sub(r":(near|far)\b", r":back_\1", str(_LINKS_SQL[("postgresql-json", "back", False)]))
    + ") b UNION ALL SELECT 1, f.* FROM ("
    + re.sub(r":(near|far)\b", r":forward_\1", str(_LINKS_SQL[("postgresql-json", "forward", False)]))
    + ") f"
)


def links_both(
    session: Session, back: tuple[Sequence[str], Sequence[str]], forward: tuple[Sequence[str], Sequence[str]]
) -> Sequence[Any]:
    """``links_from`` of a back level (things, down) and of a forward level at once (PostgreSQL only), as
    (side, part, src, ts, [dst, …]) rows: side 0 back, 1 forward."""
    params = {f"back_{k}": v for k, v in _level_params("postgresql-json", "back", *back).items()}
    params.update({f"forward_{k}": v for k, v in _level_params("postgresql-json", "forward", *forward).items()})
    return _tuples(session, _BOTH_SQL, params)


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
    dialect = session.get_bind().dialect.name
    value = _json(list(things))
    statement = _EVENTS_SQL[dialect].columns(event_time=UTCDateTime(), record_time=UTCDateTime())
    return list(session.connection().execute(statement, {"things": value}))


_PLACES_SQL = {
    "sqlite": text(f"""
    SELECT event_epcs.value, {_EPOCH["sqlite"].format("events.event_time")} AS ts, events.biz_location
    FROM event_epcs JOIN events ON events.id = event_epcs.event_pk
    WHERE event_epcs.value {_IN["sqlite"].format("things")} AND events.biz_location LIKE 'https://id.gs1.org/414/%'"""),
    "postgresql": text(f"""
    SELECT f.v, {_EPOCH["postgresql"].format("events.event_time")} AS ts, events.biz_location
    FROM unnest(CAST(:things AS TEXT[])) AS f(v)
    CROSS JOIN LATERAL (SELECT event_pk FROM event_epcs WHERE value = f.v OFFSET 0) x
    JOIN events ON events.id = x.event_pk
    WHERE events.biz_location LIKE 'https://id.gs1.org/414/%'"""),
}


def places_of(session: Session, things: Sequence[str]) -> Sequence[Any]:
    """(thing, time, bizLocation) of the events naming ``things`` at a GLN business location."""
    dialect, value = _bind(session, things)
    return _tuples(session, _PLACES_SQL[dialect], {"things": value})


def quantities_of(session: Session, things: Sequence[str]) -> list[Row[Any]]:
    """(thing, role, quantity, uom, event type, action) of the class-level quantities events give ``things``."""
    statement = (
        select(EventEpc.value, EventEpc.role, EventEpc.quantity, EventEpc.uom, Event.type, Event.action)
        .join(Event, Event.id == EventEpc.event_pk)
        .where(_one_of(session, EventEpc.value, things), EventEpc.quantity.is_not(None))
    )
    return list(session.execute(statement))


_PKS = {"sqlite": "SELECT value FROM json_each(:pks)", "postgresql": "SELECT unnest(CAST(:pks AS BIGINT[])) AS value"}
_PKS_IN = {"sqlite": "IN (SELECT value FROM json_each(:pks))", "postgresql": "= ANY(CAST(:pks AS BIGINT[]))"}
#: The events' own quantities are read one role at a time, each an (event_pk, role) index seek: a lot made into
#: 1,000 items per event has 1,000 output rows per event beside its one input quantity (``role IN (…)`` was a
#: filter over all of them on PostgreSQL, and a Bloom filter built over all of ``event_epcs`` on SQLite).
_OWN_QUANTITIES = """SELECT events.event_id, x.role, x.quantity, x.uom, events.event_id, events.id
    FROM event_epcs x JOIN events ON events.id = x.event_pk WHERE x.event_pk {pks} AND x.role = '{role}'"""
_BALANCES_SQL = {
    d: text(
        f"""
    WITH e AS {"MATERIALIZED " if d == "postgresql" else ""}({pks}),
    shared AS {"MATERIALIZED " if d == "postgresql" else ""}(SELECT DISTINCT m.transformation_id
        FROM e JOIN trace_transform_members m ON m.event_pk = e.value)
    SELECT m.transformation_id, m.role, m.quantity, m.uom, events.event_id, events.id
    FROM shared JOIN trace_transform_members m ON m.transformation_id = shared.transformation_id
    JOIN events ON events.id = m.event_pk"""
        + "".join(
            " UNION ALL " + _OWN_QUANTITIES.format(pks=_PKS_IN[d], role=role) for role in ("input_qty", "output_qty")
        )
    )
    for d, pks in _PKS.items()
}


def transformation_balances(session: Session, event_pks: Sequence[int]) -> list[Any]:
    """(group, role, quantity, uom, eventID, event pk) of the class-level inputs and outputs of transformation
    events. The group is the transformationID (every event sharing it counts), else the eventID; an event with a
    transformationID therefore appears under both, and the caller keeps the transformationID rows."""
    dialect = session.get_bind().dialect.name
    value: Any = list(event_pks) if dialect == "postgresql" else _json(list(event_pks))
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


def events_in(session: Session, pks: Sequence[int], where: Sequence[ColumnElement[bool]]) -> set[int]:
    """Which of the events ``pks`` meet ``where`` (a caller's lane), in one query."""
    if not pks:
        return set()
    return set(session.scalars(select(Event.id).where(_one_of(session, Event.id, pks, integer=True), *where)))


def any_event_in(session: Session, things: Sequence[str], where: Sequence[ColumnElement[bool]]) -> bool:
    """Whether an event naming one of ``things`` meets ``where`` (a caller's lane)."""
    statement = (
        select(EventEpc.event_pk)
        .join(Event, Event.id == EventEpc.event_pk)
        .where(_one_of(session, EventEpc.value, things), *where)
        .limit(1)
    )
    return session.scalar(statement) is not None


def custody_named(session: Session, identifiers: Sequence[str], where: Sequence[ColumnElement[bool]]) -> set[str]:
    """Which of ``identifiers`` a custody event meeting ``where`` names as source or destination (party or place)."""
    if not identifiers:
        return set()
    columns = (
        TraceCustody.source,
        TraceCustody.destination,
        TraceCustody.source_location,
        TraceCustody.destination_location,
    )
    wanted = set(identifiers)
    found: set[str] = set()
    for column in columns:
        statement = (
            select(column)
            .distinct()
            .join(Event, Event.id == TraceCustody.event_pk)
            .where(_one_of(session, column, identifiers), *where)
        )
        found.update(v for v in session.scalars(statement) if v in wanted)
    return found
