"""HTTP capture with several clients beside ``zhuisu import`` of the same events: ``python -m bench.http_capture
[--events 20000] [--clients 4] [--batch 100] [--workers 2] [--db sqlite|postgresql|both]`` (``make
bench-capture``).

For each database, on fresh migrated ones (PostgreSQL: a throwaway server, as the tests start one):

1. ``zhuisu import`` of one document of ``--events`` generated events (the demo generator's chain, the bench's
   parties registered first): whole-process events per second, and the rate ``import`` reports itself (without
   its start-up);
2. ``zhuisu serve --workers W`` on a second database with the same parties, and ``--clients`` threads each POSTing
   its share of the same events as documents of ``--batch`` events to ``/capture`` (documents in order within a
   client, clients interleaved), over keep-alive connections with the recorder's bearer token: events per second
   from the first request to the last answer, p50/p99 latency of a request, and every answer checked (200 or 202 and
   no refused event).

``ratio`` is HTTP capture over import's own rate (the goal, issue 22: at least 0.8). Prints a table and writes
bench/results/http_capture.json (and a row of docs/benchmarks.md).
"""

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import orjson

from bench import capture, history
from bench.probe import PG_SETTINGS, fresh_database, print_by_database
from tests.support import pgserver
from tests.support.epcis import document, object_event
from zhuisu.db import migrate
from zhuisu.db.engine import make_engine, make_sessionmaker
from zhuisu.db.session import unit_of_work
from zhuisu.demo.generator import CONTEXT, generate
from zhuisu.models import Party
from zhuisu.parties import service as parties_service

RESULTS = Path(__file__).resolve().parent / "results"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _prepared(url: str, seed: int) -> tuple[str, str]:
    """A migrated database with the bench's parties: (the recorder's id, a bearer token of it)."""
    migrate.upgrade(url)
    engine = make_engine(url)
    maker = make_sessionmaker(engine)
    actor = capture.register_parties(maker, seed)
    with unit_of_work(maker) as session:
        secret = parties_service.issue_token(session, party=session.get_one(Party, actor)).secret
    engine.dispose()
    return actor, secret


def _document(events: list[dict[str, Any]]) -> bytes:
    return orjson.dumps(document(*events, context=CONTEXT))


def _env(tmp: Path, url: str) -> dict[str, str]:
    return {
        **os.environ,
        "ZHUISU_DATA_DIR": str(tmp),
        "ZHUISU_DATABASE_URL": url,
        "ZHUISU_SUBSCRIPTIONS_WORKER": "false",
    }


def import_rate(tmp: Path, url: str, events: list[dict[str, Any]], actor: str) -> dict[str, float]:
    doc = tmp / "all.jsonld"
    doc.write_bytes(_document(events))
    zhuisu = Path(sys.executable).parent / "zhuisu"
    started = time.perf_counter()
    done = subprocess.run(
        [str(zhuisu), "import", str(doc), "--as", actor], env=_env(tmp, url), capture_output=True, text=True
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"zhuisu import failed: {done.stderr[-2000:]}")
    own = re.search(r"\(([\d,]+) events/s\)", done.stdout + done.stderr)
    return {
        "import_events_per_s": round(len(events) / elapsed, 1),
        "import_own_events_per_s": float(own.group(1).replace(",", "")) if own else 0.0,
    }


def _warm_up(base: str, secret: str, requests: int) -> None:
    """A few one-event captures first, not timed: each server process loads capture's readers on its first capture
    (``Signal.connect_later``), as a node does once after it starts."""
    headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/ld+json"}
    with httpx.Client(base_url=base, headers=headers, timeout=120) as http:
        for n in range(requests):
            event = object_event(10_000_000 + n)  # none of the generator's codes
            answer = http.post("/capture", content=_document([event]))
            if answer.status_code not in (200, 201, 202):
                raise SystemExit(f"warm-up capture failed: {answer.status_code} {answer.text[:500]}")


def http_rate(
    tmp: Path, url: str, events: list[dict[str, Any]], secret: str, args: argparse.Namespace
) -> dict[str, Any]:
    port = _free_port()
    zhuisu = Path(sys.executable).parent / "zhuisu"
    server = subprocess.Popen(
        [str(zhuisu), "serve", "--port", str(port), "--workers", str(args.workers), "--no-worker"],
        env=_env(tmp, url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        for _ in range(300):
            try:
                if httpx.get(base + "/portal", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        _warm_up(base, secret, args.workers * 4)
        bodies = [_document(events[i : i + args.batch]) for i in range(0, len(events), args.batch)]
        shares = [bodies[c :: args.clients] for c in range(args.clients)]
        latencies: list[float] = []
        problems: list[str] = []
        lock = threading.Lock()

        def client(share: list[bytes]) -> None:
            headers = {"Authorization": f"Bearer {secret}", "Content-Type": "application/ld+json"}
            with httpx.Client(base_url=base, headers=headers, timeout=120) as http:
                for body in share:
                    started = time.perf_counter()
                    answer = http.post("/capture", content=body)
                    took = time.perf_counter() - started
                    with lock:
                        latencies.append(took)
                        if answer.status_code not in (200, 201, 202) or b'"refused"' in answer.content:
                            problems.append(f"{answer.status_code}: {answer.text[:300]}")

        threads = [threading.Thread(target=client, args=(share,)) for share in shares]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    ordered = sorted(latencies)
    return {
        "http_events_per_s": round(len(events) / elapsed, 1),
        "http_requests": len(latencies),
        "http_p50_ms": round(1000 * statistics.median(ordered), 1),
        "http_p99_ms": round(1000 * ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))], 1),
        "http_problems": len(problems),
        "http_first_problem": problems[0] if problems else None,
    }


def run(kind: str, tmp: Path, events: list[dict[str, Any]], args: argparse.Namespace) -> dict[str, Any]:
    server = pgserver.start(PG_SETTINGS) if kind == "postgresql" else None
    try:
        url = fresh_database(kind, tmp, f"bench_{kind}_import", server)
        actor, _ = _prepared(url, args.seed)
        figures = import_rate(tmp, url, events, actor)
        url = fresh_database(kind, tmp, f"bench_{kind}_http", server)
        _, secret = _prepared(url, args.seed)
        figures.update(http_rate(tmp, url, events, secret, args))
    finally:
        if server:
            server.stop()
    own = figures["import_own_events_per_s"] or figures["import_events_per_s"]
    figures["ratio"] = round(figures["http_events_per_s"] / own, 3)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.http_capture", description=__doc__)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--clients", type=int, default=4)
    parser.add_argument("--batch", type=int, default=100, help="Events per POST /capture.")
    parser.add_argument("--workers", type=int, default=2, help="Server processes.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    events = [event for _, event in generate(args.events, args.seed)]
    results: dict[str, Any] = {
        "events": args.events,
        "clients": args.clients,
        "batch": args.batch,
        "workers": args.workers,
        "databases": {},
    }
    with tempfile.TemporaryDirectory(prefix="zhuisu-bench-http-") as name:
        for kind in ("sqlite", "postgresql") if args.db == "both" else (args.db,):
            results["databases"][kind] = run(kind, Path(name), events, args)
    results["load_average"] = [round(x, 2) for x in os.getloadavg()]
    dbs = results["databases"]
    print_by_database(dbs, skip=frozenset({"http_first_problem"}))
    print(json.dumps(results))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "http_capture.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    for kind, d in dbs.items():
        history.append(
            f"http capture {kind}, {args.events:,} events, {args.clients} clients × {args.batch}, "
            f"{args.workers} workers",
            f"HTTP {d['http_events_per_s']:,} ev/s (p50/p99 {d['http_p50_ms']}/{d['http_p99_ms']} ms per request, "
            f"{d['http_problems']} problems) · import {d['import_own_events_per_s']:,} ev/s own, "
            f"{d['import_events_per_s']:,} whole process · ratio {d['ratio']}",
        )


if __name__ == "__main__":
    main()
