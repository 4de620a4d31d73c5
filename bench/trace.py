"""Trace latency (back + forward of sampled codes) and recall impact of a lot with a large downstream.

Trace: ``zhuisu.trace.service.trace(direction="both")`` of codes sampled evenly from the stored events.
Impact: a lot made into ``fanout`` serialized items (transformations of 1,000 outputs), packed 10 to a case,
cases 20 to a pallet, pallets shipped to the demo parties — captured through the service like any event — then
``recall_impact`` of the lot.

``python -m bench.trace --events N`` measures both at scale on its own: the N generated events are written by
the bulk path (``bulk_load``: the rows capture writes for ``events``, ``event_epcs`` and the trace graph, by
COPY on PostgreSQL and executemany on SQLite — no validation, hashing or ledger), since capture through the
service would take hours at 10 million events; the fan-out lot is then captured through the service.
"""

import argparse
import json
import random
import resource
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from psycopg.types.json import Jsonb
from sqlalchemy import func, insert, select, text
from sqlalchemy.orm import Session, sessionmaker
from stdnum import ean

from bench import capture, history
from bench.probe import PG_SETTINGS, fresh_database, machine_probe_ms
from tests.support import pgserver
from zhuisu.app import wiring
from zhuisu.capture import service as capture_service
from zhuisu.codes.canonical import canonical_id
from zhuisu.db import migrate
from zhuisu.db.engine import make_engine, make_sessionmaker
from zhuisu.db.session import unit_of_work
from zhuisu.demo.generator import CONTEXT, demo_parties, generate
from zhuisu.epcis.identifiers import EPC_LISTS, QUANTITY_LISTS, cbv_short
from zhuisu.events import partitions
from zhuisu.kit.time import parse_iso
from zhuisu.models import (
    CaptureJob,
    Event,
    EventEpc,
    EventKey,
    Party,
    TraceCustody,
    TraceHolding,
    TraceLink,
    TraceTransformMember,
)
from zhuisu.recall import service as recall_service
from zhuisu.trace import graph, service

RESULTS = Path(__file__).parent / "results"

CN = timezone(timedelta(hours=8))
LOT = "https://id.gs1.org/01/06999990000012/10/RECALL-1"


def analyze(maker: sessionmaker[Session]) -> None:
    """Refresh the planner's statistics after a bulk load, as autovacuum (PostgreSQL) or ``PRAGMA optimize``
    (SQLite) would in service: without them the first plans after a load may be chosen for empty tables. On
    PostgreSQL also VACUUM, as autovacuum would soon after the load: until the visibility map is set, index-only
    lookups read the table too (and autovacuum starting mid-measurement skews the percentiles)."""
    engine = maker.kw["bind"]
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
        return
    with unit_of_work(maker) as session:
        # as PRAGMA optimize does: sampled statistics (a full ANALYZE reads every index of a 20 GB database)
        session.execute(text("PRAGMA analysis_limit=1000"))
        session.execute(text("ANALYZE"))


def trace_latency(maker: sessionmaker[Session], samples: int) -> dict[str, Any]:
    """Back + forward traces of ``samples`` codes sampled evenly from the stored identifiers (statistics refreshed
    first), in two passes over the same codes: ``trace_p50_ms``/``trace_p99_ms`` of the first (right after the
    load: the pages a trace reads mostly outside PostgreSQL's buffers), ``trace_second_pass_*`` of the second."""
    analyze(maker)
    with unit_of_work(maker) as session:
        top = session.scalar(select(func.max(EventEpc.id))) or 0
        rng = random.Random(5)
        picks = sorted({rng.randint(1, top) for _ in range(samples)})
        codes = list(session.scalars(select(EventEpc.value).where(EventEpc.id.in_(picks))))
    found: dict[str, Any] = {"trace_samples": len(codes)}
    for name in ("trace", "trace_second_pass"):
        times = []
        for code in codes:
            with unit_of_work(maker) as session:
                started = time.perf_counter()
                service.trace(session, code, direction="both")
                times.append((time.perf_counter() - started) * 1000)
        times.sort()
        found[f"{name}_p50_ms"] = round(statistics.median(times), 2)
        found[f"{name}_p99_ms"] = round(times[min(len(times) - 1, int(len(times) * 0.99))], 2)
    return found


def _gtin(n: int) -> str:
    body = f"69999{n:08d}"
    return body + ean.calc_check_digit(body)


def _sscc(n: int) -> str:
    body = f"06999{n:012d}"
    return f"https://id.gs1.org/00/{body}{ean.calc_check_digit(body)}"


def _event(kind: str, n: int, hours: float, **fields: Any) -> dict[str, Any]:
    when = datetime(2027, 1, 1, tzinfo=CN) + timedelta(hours=hours)
    return {
        "type": kind,
        "eventID": f"urn:uuid:00000000-0000-4000-8000-{n:012d}",
        "eventTime": when.isoformat(timespec="milliseconds"),
        "eventTimeZoneOffset": "+08:00",
        **fields,
    }


def fanout_events(fanout: int) -> list[dict[str, Any]]:
    """The recall scenario's events: transform → pack items → pack cases → ship pallets."""
    parties = demo_parties(1)
    item_gtin = _gtin(2)
    events, n = [], 0
    items = [f"https://id.gs1.org/01/{item_gtin}/21/R{i}" for i in range(fanout)]
    for start in range(0, fanout, 1000):
        n += 1
        events.append(
            _event(
                "TransformationEvent",
                n,
                1,
                inputQuantityList=[{"epcClass": LOT, "quantity": 10, "uom": "KGM"}],
                outputEPCList=items[start : start + 1000],
                bizStep="commissioning",
                disposition="active",
            )
        )
    cases = [_sscc(c) for c in range(0, fanout // 10)]
    for c, case in enumerate(cases):
        n += 1
        events.append(
            _event(
                "AggregationEvent",
                n,
                2,
                action="ADD",
                parentID=case,
                childEPCs=items[c * 10 : (c + 1) * 10],
                bizStep="packing",
            )
        )
    for p in range(0, len(cases), 20):
        n += 1
        pallet = _sscc(10_000_000 + p)
        events.append(
            _event(
                "AggregationEvent", n, 3, action="ADD", parentID=pallet, childEPCs=cases[p : p + 20], bizStep="packing"
            )
        )
        to = parties[p // 20 % len(parties)]
        n += 1
        events.append(
            _event(
                "ObjectEvent",
                n,
                4,
                action="OBSERVE",
                epcList=[pallet],
                bizStep="shipping",
                disposition="in_transit",
                destinationList=[{"type": "owning_party", "destination": f"https://id.gs1.org/417/{to.gln}"}],
            )
        )
    return events


def impact_time(maker: sessionmaker[Session], actor_id: str, fanout: int) -> tuple[float, int]:
    """(ms, downstream things) of the recall impact of the fan-out lot (loaded first, not timed)."""
    events = fanout_events(fanout)

    for start in range(0, len(events), 2000):
        with unit_of_work(maker) as session:
            doc = {
                "@context": CONTEXT,
                "type": "EPCISDocument",
                "schemaVersion": "2.0",
                "creationDate": "2027-01-01T00:00:00Z",
                "epcisBody": {"eventList": events[start : start + 2000]},
            }
            capture_service.capture_document(session, doc, actor=session.get_one(Party, actor_id))
    analyze(maker)
    with unit_of_work(maker) as session:
        started = time.perf_counter()
        result = recall_service.recall_impact(session, LOT)
        elapsed = (time.perf_counter() - started) * 1000
    return elapsed, len(result.things) - 1


_TABLES: dict[str, tuple[str, ...]] = {
    "events": (
        "id",
        "event_id",
        "event_hash",
        "type",
        "event_time",
        "event_time_zone_offset",
        "record_time",
        "action",
        "biz_step",
        "disposition",
        "read_point",
        "biz_location",
        "has_error_declaration",
        "recorder_id",
        "capture_id",
        "context_id",
        "body",
    ),
    "event_keys": ("event_pk", "event_id", "event_hash"),
    "event_epcs": ("event_pk", "role", "value", "quantity", "uom"),
    "trace_links": ("kind", "src", "dst", "event_pk", "event_time", "quantity", "uom"),
    "trace_custody": ("event_pk", "event_time", "source", "destination", "source_location", "destination_location"),
    "trace_transform_members": ("transformation_id", "role", "thing", "quantity", "uom", "event_pk"),
    "trace_holdings": ("thing", "event_time", "party", "event_pk"),
}
_MODELS = {
    m.__tablename__: m for m in (Event, EventKey, EventEpc, TraceLink, TraceCustody, TraceTransformMember, TraceHolding)
}


def _location(value: Any) -> str | None:
    return canonical_id(value["id"]) if isinstance(value, dict) and "id" in value else None


def _event_row(pk: int, e: dict[str, Any], recorder: str, job: str, now: datetime) -> dict[str, Any]:
    return {
        "id": pk,
        "event_id": e["eventID"],
        "event_hash": f"ni:///sha-256;bulk-{pk}",
        "type": e["type"],
        "event_time": parse_iso(e["eventTime"]),
        "event_time_zone_offset": e["eventTimeZoneOffset"],
        "record_time": now,
        "action": e.get("action"),
        "biz_step": cbv_short(e.get("bizStep")),
        "disposition": cbv_short(e.get("disposition")),
        "read_point": _location(e.get("readPoint")),
        "biz_location": _location(e.get("bizLocation")),
        "has_error_declaration": False,
        "recorder_id": recorder,
        "capture_id": job,
        "context_id": None,
        "body": e,
    }


def _epc_rows(pk: int, e: dict[str, Any]) -> list[dict[str, Any]]:
    rows = [
        {"event_pk": pk, "role": role, "value": canonical_id(v), "quantity": None, "uom": None}
        for key, role in EPC_LISTS.items()
        for v in e.get(key) or ()
    ]
    if "parentID" in e:
        rows.append(
            {"event_pk": pk, "role": "parent", "value": canonical_id(e["parentID"]), "quantity": None, "uom": None}
        )
    rows += [
        {
            "event_pk": pk,
            "role": role,
            "value": canonical_id(q["epcClass"]),
            "quantity": q.get("quantity"),
            "uom": q.get("uom"),
        }
        for key, role in QUANTITY_LISTS.items()
        for q in e.get(key) or ()
    ]
    return rows


def _batch_rows(
    first: int, batch: list[dict[str, Any]], recorder: str, job: str, now: datetime | None = None
) -> dict[str, list[dict[str, Any]]]:
    now = now or datetime.now(UTC)
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in _TABLES}
    for pk, e in enumerate(batch, start=first):
        row = _event_row(pk, e, recorder, job, now)
        rows["events"].append(row)
        rows["event_keys"].append({"event_pk": pk, "event_id": row["event_id"], "event_hash": row["event_hash"]})
        rows["event_epcs"] += _epc_rows(pk, e)
        links, custody, holdings = graph.plain_rows(pk, e)
        rows["trace_links"] += links
        rows["trace_custody"] += custody
        rows["trace_holdings"] += holdings
        rows["trace_transform_members"] += graph.member_rows(pk, e)
    return rows


def _write_rows(session: Session, rows: dict[str, list[dict[str, Any]]]) -> None:
    if session.get_bind().dialect.name != "postgresql":
        for name, found in rows.items():
            if found:
                session.execute(insert(_MODELS[name]), found)
        return
    driver: Any = session.connection().connection.driver_connection
    with driver.cursor() as cursor:
        for name, found in rows.items():
            columns = _TABLES[name]
            with cursor.copy(f"COPY {name} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in found:
                    copy.write_row([Jsonb(row[c]) if c == "body" else row[c] for c in columns])


#: On a partitioned PostgreSQL store the bulk load spreads its events over this many months of arrival, each in its
#: month's partition and key range, as a year of capture would leave them.
MONTHS = 12


def bulk_load(maker: sessionmaker[Session], actor_id: str, events: int, seed: int, batch: int = 5000) -> float:
    """Write ``events`` generated events by the bulk path; returns events per second (row building included).

    On partitioned PostgreSQL, the events arrive over ``MONTHS`` months: a batch's keys are in its month's range
    and its record time in that month (``zhuisu.events.partitions``)."""
    with unit_of_work(maker) as session:
        job = CaptureJob(
            recorder_id=actor_id,
            behaviour="rollback",
            source="bench.trace bulk",
            event_count=events,
            running=False,
            success=True,
            captured=events,
            duplicates=0,
            rejected=0,
            errors=[],
        )
        session.add(job)
        session.flush()
        job_id, first = job.id, (session.scalar(select(func.max(Event.id))) or 0) + 1
        months = _months(session)
    per_month = -(-events // len(months)) if months else events
    started = time.perf_counter()
    pending: list[dict[str, Any]] = []
    written = 0

    def write(session: Session) -> None:
        nonlocal first, written
        month = months[min(written // per_month, len(months) - 1)] if months else None
        when = datetime(month.year, month.month, 1, tzinfo=UTC) + timedelta(seconds=written) if month else None
        if month is not None and first < month.base:
            first = month.base + 1
        _write_rows(session, _batch_rows(first, pending, actor_id, job_id, when))
        first, written = first + len(pending), written + len(pending)

    for _, event in generate(events, seed):
        pending.append(event)
        if len(pending) == batch:
            with unit_of_work(maker) as session:
                write(session)
            pending = []
    with unit_of_work(maker) as session:
        if pending:
            write(session)
        if session.get_bind().dialect.name == "postgresql":
            session.execute(text("SELECT setval(pg_get_serial_sequence('events', 'id'), (SELECT max(id) FROM events))"))
    return events / (time.perf_counter() - started)


def _months(session: Session) -> list[partitions.Month]:
    """The months a partitioned store's bulk load spreads over (their partitions created); [] elsewhere. This
    month and the ones after it: on a fresh store the history partition holds every key below this month's."""
    if not partitions.partitioned(session):
        return []
    found = [partitions.Month.of(datetime.now(UTC))]
    while len(found) < MONTHS:
        found.append(found[-1].next())
    partitions.ensure_months(session, found[0], MONTHS)
    return found


def run(kind: str, args: argparse.Namespace, tmp: Path) -> dict[str, Any]:
    """Bulk-load, then trace latency and impact, on one fresh database."""
    server = pgserver.start(PG_SETTINGS) if kind == "postgresql" else None
    try:
        url = fresh_database(kind, tmp, "bench_trace", server)
        migrate.upgrade(url)
        maker = make_sessionmaker(make_engine(url))
        actor = capture.register_parties(maker, args.seed)
        load_rate = bulk_load(maker, actor, args.events, args.seed)
        traced = trace_latency(maker, args.samples)
        impact_ms, downstream = impact_time(maker, actor, args.fanout)
        repeat = impact_repeat(maker, args.repeat)
        maker.kw["bind"].dispose()
    finally:
        if server:
            server.stop()
    return {
        "events": args.events,
        "load": "bulk (rows capture writes; no validation, hashing or ledger)",
        "bulk_events_per_s": round(load_rate, 1),
        **traced,
        "impact_ms": round(impact_ms, 1),
        "impact_best_ms": round(min([impact_ms, *repeat]), 1),
        "impact_downstream_things": downstream,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "machine_probe_ms": machine_probe_ms(),
    }


def measure_existing(url: str, args: argparse.Namespace) -> dict[str, Any]:
    """Trace latency and impact on a database this bench loaded before (``--url``): a dataset of 10 million events
    takes half an hour per database to load, and is measured again after each change without reloading. It is
    migrated first (the trace tables' schema may have moved on since it was loaded); the fan-out lot is captured
    if it is not there yet."""
    migrate.upgrade(url)
    maker = make_sessionmaker(make_engine(url))
    with unit_of_work(maker) as session:
        events = session.scalar(select(func.count()).select_from(Event)) or 0
        has_lot = session.scalar(select(TraceLink.id).where(TraceLink.src == LOT).limit(1)) is not None
        actor = session.scalar(select(Party.id).where(Party.name == "bench recorder").limit(1))
    if not has_lot and actor is None:
        raise SystemExit(f"{url} was not loaded by bench.trace (no 'bench recorder' party)")
    traced = trace_latency(maker, args.samples)
    if has_lot:
        analyze(maker)
        first = impact_repeat(maker, 1)[0]
        with unit_of_work(maker) as session:
            downstream = len(recall_service.recall_impact(session, LOT).things) - 1
    else:
        assert actor is not None
        first, downstream = impact_time(maker, actor, args.fanout)
    repeat = impact_repeat(maker, args.repeat)
    maker.kw["bind"].dispose()
    return {
        "events": events,
        "load": "an existing database (--url)",
        **traced,
        "impact_ms": round(first, 1),
        "impact_best_ms": round(min([first, *repeat]), 1),
        "impact_downstream_things": downstream,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "machine_probe_ms": machine_probe_ms(),
    }


def impact_repeat(maker: sessionmaker[Session], times: int) -> list[float]:
    """Milliseconds of ``times`` more recall impacts of the fan-out lot (a warm cache)."""
    found = []
    for _ in range(times):
        with unit_of_work(maker) as session:
            started = time.perf_counter()
            recall_service.recall_impact(session, LOT)
            found.append((time.perf_counter() - started) * 1000)
    return found


def main() -> None:
    wiring.connect()  # captures run in this process, as under the zhuisu command
    parser = argparse.ArgumentParser(prog="python -m bench.trace", description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--samples", type=int, default=200, help="Codes traced for the latency percentiles.")
    parser.add_argument("--fanout", type=int, default=100_000, help="Items downstream of the recalled lot.")
    parser.add_argument("--repeat", type=int, default=3, help="Impacts repeated after the first (warm cache).")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument(
        "--url", help="Measure a database this bench loaded before (SQLAlchemy URL) instead of loading a new one."
    )
    args = parser.parse_args()
    if args.url:
        found = measure_existing(args.url, args)
        print(json.dumps(found, indent=2))
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "trace-existing.json").write_text(json.dumps({"url": args.url, **found}, indent=2) + "\n")
        return
    results: dict[str, Any] = {"events": args.events, "seed": args.seed, "databases": {}}
    with tempfile.TemporaryDirectory(prefix="zhuisu-bench-trace-") as name:
        for kind in ("sqlite", "postgresql") if args.db == "both" else (args.db,):
            results["databases"][kind] = run(kind, args, Path(name))
            print(json.dumps({kind: results["databases"][kind]}, indent=2), flush=True)
    dbs = results["databases"]
    print(f"\n{'metric':<28}" + "".join(f"{k:>16}" for k in dbs))
    for key in next(iter(dbs.values())):
        if key != "load":
            print(f"{key:<28}" + "".join(f"{dbs[k][key]:>16}" for k in dbs))
    print("load: bulk path (the rows capture writes; no validation, hashing or ledger)")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "trace.json").write_text(json.dumps(results, indent=2) + "\n")
    for kind, d in dbs.items():
        history.append(
            f"bench.trace {kind}, {args.events:,} events (bulk)",
            f"trace p50/p99 {d['trace_p50_ms']}/{d['trace_p99_ms']} ms (second pass {d['trace_second_pass_p50_ms']}/"
            f"{d['trace_second_pass_p99_ms']}) · impact {d['impact_ms']} ms ({d['impact_downstream_things']:,} "
            f"things) · bulk load {d['bulk_events_per_s']:,} ev/s · peak RSS {d['peak_rss_mb']} MB",
        )


if __name__ == "__main__":
    main()
