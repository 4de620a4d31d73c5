"""Capture throughput through the real service path, and the raw insert floor of the same rows.

Capture: ``zhuisu.capture.importer.import_file`` on the generated document (validation, CBV 2.0 hashing,
deduplication, catalog checks, ledger, trace graph — everything a real import does), on a fresh database.
Raw: the same events' rows for ``events``, ``event_epcs``, ``trace_links`` and ``trace_custody``, built before the
clock starts, written by plain ``executemany`` in batches of the same size on another fresh database.
"""

import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session, sessionmaker

from zhuisu.capture import importer
from zhuisu.capture.identifiers import canonical_id, cbv_short
from zhuisu.capture.stream import iter_document
from zhuisu.db.session import unit_of_work
from zhuisu.demo.generator import demo_parties
from zhuisu.kit.time import parse_iso
from zhuisu.models import CaptureJob, Event, EventEpc, TraceCustody, TraceLink
from zhuisu.parties import service as parties_service
from zhuisu.trace import graph

BATCH = 2000
_LISTS = {"epcList": "epc", "childEPCs": "child", "inputEPCList": "input", "outputEPCList": "output"}
_QTY = {
    "quantityList": "quantity",
    "childQuantityList": "child_qty",
    "inputQuantityList": "input_qty",
    "outputQuantityList": "output_qty",
}


def register_parties(maker: sessionmaker[Session], seed: int) -> str:
    """The demo parties (so holders resolve to regions) and the recorder; returns the recorder's id."""
    with unit_of_work(maker) as session:
        for p in demo_parties(seed):
            parties_service.create_party(session, name=p.name, uscc=p.uscc, gln=p.gln, region=p.region)
        return parties_service.create_party(session, name="bench recorder").id


def capture_rate(maker: sessionmaker[Session], path: Path, actor_id: str) -> tuple[float, int]:
    started = time.perf_counter()
    report = importer.import_file(maker, path, actor_id=actor_id, batch_size=BATCH)
    elapsed = time.perf_counter() - started
    return report.captured / elapsed, report.captured


def _location(value: Any) -> str | None:
    return canonical_id(value["id"]) if isinstance(value, dict) and "id" in value else None


def _rows(pk: int, e: dict[str, Any], recorder: str, job: str, now: datetime) -> tuple[dict[str, Any], ...]:
    event = {
        "id": pk,
        "event_id": e["eventID"],
        "event_hash": f"ni:///sha-256;{pk}",
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
    return (event,)


def _epcs(pk: int, e: dict[str, Any]) -> list[dict[str, Any]]:
    rows = [
        {"event_pk": pk, "role": role, "value": canonical_id(v), "quantity": None, "uom": None}
        for key, role in _LISTS.items()
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
        for key, role in _QTY.items()
        for q in e.get(key) or ()
    ]
    return rows


def raw_rate(maker: sessionmaker[Session], path: Path, actor_id: str) -> float:
    """Events per second of plain executemany of pre-built rows (building them is not timed)."""
    with unit_of_work(maker) as session:
        job = CaptureJob(
            recorder_id=actor_id,
            behaviour="rollback",
            source="raw",
            event_count=0,
            running=False,
            success=True,
            captured=0,
            duplicates=0,
            rejected=0,
            errors=[],
        )
        session.add(job)
        session.flush()
        job_id = job.id
    now = datetime.now(UTC)
    spent, count, batch = 0.0, 0, []
    with path.open("rb") as fp:
        for kind, _, event in iter_document(fp):
            if kind != "event":
                continue
            batch.append(event)
            if len(batch) == BATCH:
                spent += _write(maker, batch, count, actor_id, job_id, now)
                count += len(batch)
                batch = []
    if batch:
        spent += _write(maker, batch, count, actor_id, job_id, now)
        count += len(batch)
    return count / spent


def _write(
    maker: sessionmaker[Session], batch: list[dict[str, Any]], first: int, actor_id: str, job_id: str, now: datetime
) -> float:
    events: list[dict[str, Any]] = []
    epcs: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    custody: list[dict[str, Any]] = []
    for n, e in enumerate(batch, start=first + 1):
        events += _rows(n, e, actor_id, job_id, now)
        epcs += _epcs(n, e)
        more_links, more_custody = graph.plain_rows(n, e)
        links += more_links
        custody += more_custody
    started = time.perf_counter()
    with unit_of_work(maker) as session:
        for model, rows in ((Event, events), (EventEpc, epcs), (TraceLink, links), (TraceCustody, custody)):
            if rows:
                session.execute(insert(model), rows)
    return time.perf_counter() - started
