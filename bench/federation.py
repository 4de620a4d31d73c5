"""Federation: how fast a child node's events reach its parent, and how late. ``python -m bench.federation
[--events 20000] [--steady-seconds 30] [--steady-rate 200] [--db sqlite|postgresql]`` (``make bench-federation``;
``make bench`` runs it too).

Two real nodes (``zhuisu serve``, each its own database), the child linked to the parent as ``zhuisu node link``
does:

1. **Parent capture rate**: ``--events`` generated events (the demo generator's chain) POSTed to a fresh parent by
   one client in documents of ``federation_batch_events`` (500), one after another — the shape the sender uses.
2. **Exchange throughput**: the same events captured at the child while its server is down (so they wait in its
   outbox), then one sender round (``exchange.federation.sender.round_``, in this process) pushes them to a second
   fresh parent: events per second from the first batch to the last answer. ``ratio`` is that over (1); the goal
   (issue 19) is at least 0.5.
3. **Lag under steady load**: the child's server runs with its worker (``subscriptions_poll_seconds`` 1 s); a
   client records ``--steady-rate`` events per second at the child for ``--steady-seconds`` in documents of 20;
   each event's lag is its record time at the parent minus its record time at the child (one machine, one clock):
   p50, p99 and the largest (goal: p99 at most 5 s).

Prints a table and writes bench/results/federation.json (and a row of docs/benchmarks.md).
"""

import argparse
import json
import os
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
from sqlalchemy import select

from bench import capture, history
from bench.probe import PG_SETTINGS, fresh_database
from tests.support import pgserver
from tests.support.epcis import document
from tests.support.node import free_port
from zhuisu.config import Settings
from zhuisu.db import migrate
from zhuisu.db.engine import make_engine, make_sessionmaker
from zhuisu.db.session import unit_of_work
from zhuisu.demo.generator import CONTEXT, generate
from zhuisu.exchange.federation import sender
from zhuisu.models import Event, Party
from zhuisu.parties import service as parties_service

RESULTS = Path(__file__).resolve().parent / "results"
BATCH = 500


class Node:
    """A node of the bench: its database, data directory and address; ``serve`` starts it."""

    def __init__(self, tmp: Path, name: str, url: str) -> None:
        self.home, self.url, self.port = tmp / name, url, free_port()
        self.home.mkdir(parents=True)
        self.process: subprocess.Popen[bytes] | None = None
        migrate.upgrade(url)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self, worker: bool) -> dict[str, str]:
        return {
            **{k: v for k, v in os.environ.items() if not k.startswith("ZHUISU_")},
            "ZHUISU_DATA_DIR": str(self.home),
            "ZHUISU_DATABASE_URL": self.url,
            "ZHUISU_BASE_URL": self.base,
            "ZHUISU_SUBSCRIPTIONS_WORKER": "true" if worker else "false",
            "ZHUISU_SUBSCRIPTIONS_POLL_SECONDS": "1",
            "ZHUISU_RISK_SCAN_INTERVAL_SECONDS": "0",
            "ZHUISU_LEDGER_VERIFY_INTERVAL_SECONDS": "0",
        }

    def settings(self) -> Settings:
        return Settings(database_url=self.url, data_dir=self.home, base_url=self.base)

    def cli(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "zhuisu", *args], env=self.env(False), capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise SystemExit(f"zhuisu {' '.join(args)} failed: {done.stderr[-2000:]}")
        return done.stdout

    def serve(self, *, worker: bool) -> None:
        command = [sys.executable, "-m", "zhuisu", "serve", "--port", str(self.port)]
        self.process = subprocess.Popen(
            command, env=self.env(worker), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        for _ in range(600):
            try:
                if httpx.get(self.base + "/", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise SystemExit(f"the node at {self.base} did not start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=30)
            self.process = None

    def recorder(self, seed: int) -> str:
        """The bench's parties registered here; a token of the recorder."""
        engine = make_engine(self.url)
        maker = make_sessionmaker(engine)
        actor = capture.register_parties(maker, seed)
        with unit_of_work(maker) as session:
            secret = parties_service.issue_token(session, party=session.get_one(Party, actor)).secret
        engine.dispose()
        return secret

    def record_times(self) -> dict[str, float]:
        engine = make_engine(self.url)
        try:
            with unit_of_work(make_sessionmaker(engine), write=False) as session:
                return {e: t.timestamp() for e, t in session.execute(select(Event.event_id, Event.record_time))}
        finally:
            engine.dispose()


def _post_all(base: str, token: str, events: list[dict[str, Any]], batch: int) -> float:
    """POST ``events`` in documents of ``batch``, one after another; seconds taken."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/ld+json"}
    with httpx.Client(base_url=base, headers=headers, timeout=300) as http:
        started = time.perf_counter()
        for i in range(0, len(events), batch):
            answer = http.post("/capture", content=orjson.dumps(document(*events[i : i + batch], context=CONTEXT)))
            if answer.status_code != 202 or answer.json().get("rejected"):
                raise SystemExit(f"capture failed: {answer.status_code} {answer.text[:500]}")
        return time.perf_counter() - started


def _linked_pair(tmp: Path, kind: str, server: pgserver.PgServer | None, tag: str) -> tuple[Node, Node, str]:
    """A fresh parent and child, the child linked (the parent served); (parent, child, a token at the child)."""
    parent = Node(tmp, f"parent-{tag}", fresh_database(kind, tmp, f"bench_fed_parent_{tag}", server))
    child = Node(tmp, f"child-{tag}", fresh_database(kind, tmp, f"bench_fed_child_{tag}", server))
    added = json.loads(parent.cli("node", "add", f"bench child {tag}", "--json"))
    token = child.recorder(1)
    parent.serve(worker=False)
    child.cli("node", "link", "--parent", parent.base, "--token", added["token"])
    return parent, child, token


def run(kind: str, tmp: Path, args: argparse.Namespace) -> dict[str, Any]:
    events = [event for _, event in generate(args.events, args.seed)]
    server = pgserver.start(PG_SETTINGS) if kind == "postgresql" else None
    figures: dict[str, Any] = {}
    nodes: list[Node] = []
    try:
        # 1. the parent's own capture rate, in the sender's shape
        direct = Node(tmp, "direct", fresh_database(kind, tmp, "bench_fed_direct", server))
        nodes.append(direct)
        token = direct.recorder(args.seed)
        direct.serve(worker=False)
        figures["parent_capture_events_per_s"] = round(len(events) / _post_all(direct.base, token, events, BATCH), 1)
        direct.stop()
        # 2. exchange throughput: the child's outbox full, one sender round
        parent, child, token = _linked_pair(tmp, kind, server, "throughput")
        nodes += [parent, child]
        child.serve(worker=False)
        _post_all(child.base, token, events, BATCH)
        child.stop()
        engine = make_engine(child.url)
        started = time.perf_counter()
        rounds = sender.round_(make_sessionmaker(engine), child.settings())
        elapsed = time.perf_counter() - started
        engine.dispose()
        sent = sum(r.sent for r in rounds)
        if sent != len(events) or any(r.error or r.refused for r in rounds):
            raise SystemExit(f"the sender did not deliver everything: {[r.to_json() for r in rounds]}")
        figures["exchange_events_per_s"] = round(sent / elapsed, 1)
        figures["ratio"] = round(figures["exchange_events_per_s"] / figures["parent_capture_events_per_s"], 3)
        parent.stop()
        # 3. lag under steady load
        parent, child, token = _linked_pair(tmp, kind, server, "lag")
        nodes += [parent, child]
        child.serve(worker=True)
        steady = [event for _, event in generate(args.steady_rate * args.steady_seconds, args.seed + 1)]
        figures.update(_steady(parent, child, token, steady, args))
    finally:
        for node in nodes:
            node.stop()
        if server:
            server.stop()
    return figures


def _steady(
    parent: Node, child: Node, token: str, events: list[dict[str, Any]], args: argparse.Namespace
) -> dict[str, Any]:
    per_document = 20
    documents = [events[i : i + per_document] for i in range(0, len(events), per_document)]
    interval = per_document / args.steady_rate
    problems: list[str] = []

    def record() -> None:
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/ld+json"}
        with httpx.Client(base_url=child.base, headers=headers, timeout=120) as http:
            started = time.perf_counter()
            for n, chunk in enumerate(documents):
                answer = http.post("/capture", content=orjson.dumps(document(*chunk, context=CONTEXT)))
                if answer.status_code != 202:
                    problems.append(f"{answer.status_code}: {answer.text[:300]}")
                time.sleep(max(0.0, started + (n + 1) * interval - time.perf_counter()))

    writer = threading.Thread(target=record)
    writer.start()
    writer.join()
    deadline = time.monotonic() + 120
    while len(parent.record_times()) < len(events) and time.monotonic() < deadline:
        time.sleep(0.5)
    at_child, at_parent = child.record_times(), parent.record_times()
    lags = sorted(at_parent[e] - at_child[e] for e in at_child if e in at_parent)
    return {
        "steady_events": len(events),
        "steady_events_per_s": args.steady_rate,
        "steady_arrived": len(lags),
        "lag_p50_s": round(statistics.median(lags), 3) if lags else None,
        "lag_p99_s": round(lags[min(len(lags) - 1, int(0.99 * len(lags)))], 3) if lags else None,
        "lag_max_s": round(lags[-1], 3) if lags else None,
        "steady_problems": len(problems),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.federation", description=__doc__)
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--steady-seconds", type=int, default=30)
    parser.add_argument("--steady-rate", type=int, default=200, help="Events per second recorded at the child.")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="zhuisu-bench-federation-") as name:
        figures = run(args.db, Path(name), args)
    results = {"events": args.events, "db": args.db, **figures, "load_average": [round(x, 2) for x in os.getloadavg()]}
    for key, value in results.items():
        print(f"{key:32} {value}")
    print(json.dumps(results))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "federation.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    history.append(
        f"federation {args.db}, {args.events:,} events; steady {args.steady_rate} ev/s × {args.steady_seconds} s",
        f"exchange {results['exchange_events_per_s']:,} ev/s vs parent capture "
        f"{results['parent_capture_events_per_s']:,} ev/s (ratio {results['ratio']}) · lag p50/p99/max "
        f"{results['lag_p50_s']}/{results['lag_p99_s']}/{results['lag_max_s']} s "
        f"({results['steady_arrived']}/{results['steady_events']} arrived)",
    )


if __name__ == "__main__":
    main()
