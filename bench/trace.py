"""Trace latency (back + forward of sampled codes) and recall impact of a lot with a large downstream.

Trace: ``zhuisu.trace.service.trace(direction="both")`` of codes sampled evenly from the captured events.
Impact: a lot made into ``fanout`` serialized items (transformations of 1,000 outputs), packed 10 to a case,
cases 20 to a pallet, pallets shipped to the demo parties — captured through the service like any event — then
``recall_impact`` of the lot.
"""

import random
import statistics
import time
from datetime import datetime, timedelta, timezone
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker
from stdnum import ean

from zhuisu.capture import service as capture_service
from zhuisu.db.session import unit_of_work
from zhuisu.demo.generator import CONTEXT, demo_parties
from zhuisu.models import EventEpc, Party
from zhuisu.trace import service

CN = timezone(timedelta(hours=8))
LOT = "https://id.gs1.org/01/06999990000014/10/RECALL-1"


def analyze(maker: sessionmaker[Session]) -> None:
    """Refresh the planner's statistics after a bulk load, as autovacuum (PostgreSQL) or ``PRAGMA optimize``
    (SQLite) would in service: without them the first plans after a load may be chosen for empty tables."""
    with unit_of_work(maker) as session:
        session.execute(text("ANALYZE"))


def trace_latency(maker: sessionmaker[Session], samples: int) -> tuple[float, float, int]:
    """(p50 ms, p99 ms, sampled codes) of back + forward traces (statistics refreshed first)."""
    analyze(maker)
    with unit_of_work(maker) as session:
        top = session.scalar(select(func.max(EventEpc.id))) or 0
        rng = random.Random(5)
        picks = sorted({rng.randint(1, top) for _ in range(samples)})
        codes = list(session.scalars(select(EventEpc.value).where(EventEpc.id.in_(picks))))
    times = []
    for code in codes:
        with unit_of_work(maker) as session:
            started = time.perf_counter()
            service.trace(session, code, direction="both")
            times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(len(times) * 0.99))], len(times)


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
        result = service.recall_impact(session, LOT)
        elapsed = (time.perf_counter() - started) * 1000
    return elapsed, len(result.things) - 1
