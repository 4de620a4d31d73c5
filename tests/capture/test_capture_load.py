"""32 concurrent writers against a real node (``zhuisu serve`` in its own process; two worker processes on
PostgreSQL): identical documents, overlapping ones and distinct ones, raced round by round. A duplicate is a
duplicate however it races — no 5xx, no connection error — and afterwards the store holds each distinct event
exactly once and the ledger verifies, one leaf per event. On both databases."""

import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from tests.support.epcis import document, object_event
from tests.support.node import ROOT, free_port, serve
from zhuisu.db.engine import make_engine, make_sessionmaker
from zhuisu.db.session import unit_of_work
from zhuisu.epcis import hashing
from zhuisu.models import Event
from zhuisu.parties import service as parties_service

WRITERS = 32
ROUNDS = 20
CONTEXT = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"]


@dataclass(frozen=True)
class Request:
    path: str
    body: dict[str, Any]
    events: tuple[dict[str, Any], ...]


def plan(writer: int, round_: int) -> Request:
    """What ``writer`` sends in ``round_``; the kinds take turns, every writer sending the same kind at once:
    0 one document all writers send (3 events with eventIDs), 1 a document sharing 2 events (no eventID: known by
    their hash) with every other writer's and holding 1 of its own, 2 a document of 2 events of its own,
    3 one event all writers send to ``POST /events``."""
    kind = round_ % 4
    base = 1000 * round_
    if kind == 0:
        events = tuple(object_event(base + n, eventID=f"urn:uuid:0000load-{round_:04d}-{n:04d}") for n in range(3))
    elif kind == 1:
        shared = (object_event(base + 1), object_event(base + 2))
        events = (*shared, object_event(base + 100 + writer, eventID=f"urn:uuid:0000load-{round_:04d}-w{writer:03d}"))
    elif kind == 2:
        events = (object_event(base + 100 + 2 * writer), object_event(base + 101 + 2 * writer))
    else:
        single = object_event(base + 7, eventID=f"urn:uuid:0000load-{round_:04d}-single")
        return Request("/events", {"@context": CONTEXT, **single}, (single,))
    return Request("/capture", document(*events, context=CONTEXT), events)


def key(event: dict[str, Any]) -> str:
    return hashing.event_hash(event, CONTEXT)


@dataclass
class Tally:
    statuses: Counter[int] = field(default_factory=Counter)
    outcomes: dict[str, Counter[str]] = field(default_factory=dict)  # event hash → captured / duplicate counts
    transport_errors: list[str] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, request: Request, response: httpx.Response) -> None:
        with self.lock:
            self.statuses[response.status_code] += 1
            if request.path == "/events" and response.status_code in (201, 409):
                code = "captured" if response.status_code == 201 else response.json().get("code")
                self._outcome(key(request.events[0]), "captured" if code == "captured" else "duplicate")
                if code not in ("captured", "already_exists"):
                    self.unexpected.append(f"{request.path} {response.status_code} {response.text[:300]}")
            elif request.path == "/capture" and response.status_code == 202:
                outcomes = [o["status"] for o in response.json()["events"]]
                for event, status in zip(request.events, outcomes, strict=True):
                    self._outcome(key(event), status)
                if len(outcomes) != len(request.events) or not set(outcomes) <= {"captured", "duplicate"}:
                    self.unexpected.append(f"{request.path} {response.status_code} {response.text[:300]}")
            else:
                self.unexpected.append(f"{request.path} {response.status_code} {response.text[:300]}")

    def _outcome(self, event_hash: str, status: str) -> None:
        self.outcomes.setdefault(event_hash, Counter())[status] += 1


@pytest.fixture
def node(cli_db: str, backend: str, tmp_path: Path) -> Iterator[tuple[str, dict[str, str], str]]:
    """A node serving ``cli_db`` (two worker processes on PostgreSQL, one on SQLite): (base URL, its environment,
    an enterprise's bearer token)."""
    env = {**os.environ, "ZHUISU_DATABASE_URL": cli_db, "ZHUISU_DATA_DIR": str(tmp_path / "var")}
    engine = make_engine(cli_db)
    with unit_of_work(make_sessionmaker(engine)) as s:
        party = parties_service.create_party(s, name="并发压测企业")
        secret = parties_service.issue_token(s, party=party, label="load").secret
    engine.dispose()
    port = free_port()
    log = tmp_path / "serve.log"
    server = serve(env, port, workers=2 if backend == "postgresql" else 1, log=log)
    try:
        yield f"http://127.0.0.1:{port}", env, secret
    finally:
        server.terminate()
        server.wait(timeout=30)
        errors = [line for line in log.read_text(errors="replace").splitlines() if "Traceback" in line]
        assert not errors, log.read_text(errors="replace")[-5000:]


@pytest.mark.slow  # about 20 s a database
def test_32_concurrent_writers_store_each_event_once(
    node: tuple[str, dict[str, str], str], cli_db: str, backend: str
) -> None:
    base_url, env, secret = node
    tally = Tally()
    barrier = threading.Barrier(WRITERS)

    def writer(number: int) -> None:
        headers = {"Authorization": f"Bearer {secret}"}
        with httpx.Client(base_url=base_url, headers=headers, timeout=60) as client:
            for round_ in range(ROUNDS):
                request = plan(number, round_)
                barrier.wait(timeout=120)  # all writers send the round's documents at once
                try:
                    response = client.post(request.path, json=request.body)
                except httpx.TransportError as exc:
                    with tally.lock:
                        tally.transport_errors.append(f"{type(exc).__name__}: {exc}")
                    continue
                tally.record(request, response)

    started = time.monotonic()
    with ThreadPoolExecutor(WRITERS) as pool:
        list(pool.map(writer, range(WRITERS)))
    elapsed = time.monotonic() - started

    sent = [plan(w, r) for w in range(WRITERS) for r in range(ROUNDS)]
    expected = {key(e): e.get("eventID") for request in sent for e in request.events}
    submitted = sum(len(request.events) for request in sent)
    duplicates = sum(c["duplicate"] for c in tally.outcomes.values())
    print(
        f"\n{backend}: {len(sent)} requests by {WRITERS} writers in {elapsed:.1f} s, {submitted} events sent, "
        f"{len(expected)} distinct, {duplicates} answered duplicate; statuses {dict(sorted(tally.statuses.items()))}, "
        f"{len(tally.transport_errors)} connection errors"
    )
    assert tally.transport_errors == []
    assert tally.unexpected == []
    assert sum(tally.statuses.values()) == len(sent)
    assert {status for status in tally.statuses if status >= 500} == set()
    # the node told each event's sender once that it was captured, and every other sender that it was a duplicate
    assert {h: dict(c) for h, c in tally.outcomes.items() if c["captured"] != 1} == {}
    assert (len(tally.outcomes), duplicates) == (len(expected), submitted - len(expected))
    assert len(expected) == 5 * 3 + 5 * (2 + WRITERS) + 5 * 2 * WRITERS + 5 * 1
    # the store holds exactly the distinct events, each once, under the eventID sent (or its hash)
    engine = make_engine(cli_db)
    with make_sessionmaker(engine)() as s:
        stored = s.execute(select(Event.event_hash, Event.event_id)).all()
    engine.dispose()
    assert sorted(stored) == sorted((h, event_id or h) for h, event_id in expected.items())
    verified = subprocess.run(
        [sys.executable, "-m", "zhuisu", "ledger", "verify", "--json"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
    )
    report = json.loads(verified.stdout)
    assert (verified.returncode, report["ok"], report["leaves"], report["findings"]) == (0, True, len(expected), [])
