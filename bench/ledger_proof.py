"""Ledger benchmark: proof generation at N leaves (target < 5 ms), and what the ledger adds to capture.

    python -m bench.ledger_proof --leaves 10000000 [--db sqlite|postgresql|both] [--samples 2000]

1. Builds a log of N synthetic v1 leaves directly (leaf and node rows bulk-inserted: executemany on SQLite, COPY
   on PostgreSQL; not through capture), sets the head and signs one checkpoint through the service.
2. Times ``service.prove`` (leaf lookup by eventID, latest checkpoint, O(log n) node rows, proof file) for
   random events: p50/p99/max in ms.
3. Times ``service.append_events`` of 1,000-event batches on top of the big log (ms per batch), and capture of
   1,000-event documents on a fresh database with and without the ledger hook (ms per batch).

Prints a table and writes bench/results/ledger.json.
"""

import argparse
import hashlib
import json
import random
import signal
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg

from tests.support import pgserver
from tests.support.epcis import document, object_event
from zhuisu.app import wiring
from zhuisu.capture import service as capture_service
from zhuisu.capture import signals as capture_signals
from zhuisu.db import migrate
from zhuisu.db.engine import make_engine, make_sessionmaker
from zhuisu.db.session import unit_of_work
from zhuisu.events.stored import StoredEvent
from zhuisu.ledger import service
from zhuisu.ledger.keys import generate_key
from zhuisu.ledger.leaf import Leaf
from zhuisu.ledger.merkle import leaf_hash
from zhuisu.ledger.subtrees import CompactRange
from zhuisu.models.ledger import node_key
from zhuisu.parties import service as parties_service

RESULTS = Path(__file__).parent / "results"
ORIGIN = "bench.example/ledger"
CHUNK = 200_000


def event_id(i: int) -> str:
    return f"urn:uuid:00000000-0000-4000-8000-{i:012d}"


def synthetic(n: int, start: int = 0) -> Iterator[tuple[int, str, bytes]]:
    """``(index, eventID, leaf bytes)`` of synthetic events."""
    recorded = "2026-03-01T00:00:00.000Z"
    template = (
        "zhuisu-leaf/v1\nevent-hash ni:///sha-256;{0}?ver=CBV2.0\nbody sha-256:{0}\nrecord-time {1}\nrecorder bench\n"
    )
    for i in range(start, start + n):
        digest = hashlib.sha256(i.to_bytes(8, "big")).hexdigest()
        data = template.format(digest, recorded).encode()
        if i == start:  # the fast path writes exactly what zhuisu.ledger.leaf writes
            assert data == Leaf(f"ni:///sha-256;{digest}?ver=CBV2.0", digest, recorded, "bench").data()
        yield i, event_id(i), data


def chunks(n: int) -> Iterator[tuple[list[tuple[int, int, str, bytes]], list[tuple[int, bytes]]]]:
    """Leaf rows and node rows, CHUNK leaves at a time, with the compact range kept in ``chunks.tree``."""
    tree = CompactRange()
    chunks.tree = tree  # type: ignore[attr-defined]
    leaves: list[tuple[int, int, str, bytes]] = []
    nodes: list[tuple[int, bytes]] = []
    for i, eid, data in synthetic(n):
        leaves.append((i, i + 1, eid, data))
        nodes.extend((node_key(*k), h) for k, h in tree.append(leaf_hash(data)))
        if len(leaves) == CHUNK:
            yield leaves, nodes
            leaves, nodes = [], []
    if leaves:
        yield leaves, nodes


class SqliteWriter:
    def __init__(self, path: str) -> None:
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=OFF")
        self.conn.execute("PRAGMA synchronous=OFF")
        self.conn.execute("BEGIN")

    def write(self, leaves: list[tuple[int, int, str, bytes]], nodes: list[tuple[int, bytes]]) -> None:
        self.conn.executemany("INSERT INTO ledger_leaves (idx, event_pk, event_id, leaf) VALUES (?,?,?,?)", leaves)
        self.conn.executemany('INSERT INTO ledger_nodes ("key", hash) VALUES (?,?)', nodes)

    def finish(self, size: int, compact: bytes) -> None:
        self.conn.execute("UPDATE ledger_heads SET size=?, compact=? WHERE id=1", (size, compact))
        self.conn.execute("COMMIT")
        self.conn.execute("ANALYZE")
        self.conn.close()


class PgWriter:
    def __init__(self, url: str) -> None:
        self.conn = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))

    def write(self, leaves: list[tuple[int, int, str, bytes]], nodes: list[tuple[int, bytes]]) -> None:
        with self.conn.cursor() as cur:
            with cur.copy("COPY ledger_leaves (idx, event_pk, event_id, leaf) FROM STDIN") as copy:
                for row in leaves:
                    copy.write_row(row)
            with cur.copy('COPY ledger_nodes ("key", hash) FROM STDIN') as copy:
                for node in nodes:
                    copy.write_row(node)

    def finish(self, size: int, compact: bytes) -> None:
        self.conn.execute("UPDATE ledger_heads SET size=%s, compact=%s WHERE id=1", (size, compact))
        self.conn.commit()
        self.conn.autocommit = True
        self.conn.execute("VACUUM ANALYZE ledger_leaves")
        self.conn.execute("VACUUM ANALYZE ledger_nodes")
        self.conn.close()


def build(n: int, writers: dict[str, Any]) -> float:
    started = time.perf_counter()
    for leaves, nodes in chunks(n):
        for writer in writers.values():
            writer.write(leaves, nodes)
        done = leaves[-1][0] + 1
        if done % 1_000_000 < CHUNK:
            print(f"  built {done:,} leaves in {time.perf_counter() - started:.0f} s", flush=True)
    tree: CompactRange = chunks.tree  # type: ignore[attr-defined]
    for writer in writers.values():
        writer.finish(tree.size, b"".join(tree.hashes))
    return time.perf_counter() - started


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {
        "p50_ms": round(statistics.median(ordered), 3),
        "p99_ms": round(ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))], 3),
        "max_ms": round(ordered[-1], 3),
    }


def time_calls(count: int, call: Callable[[int], object]) -> list[float]:
    samples = []
    for i in range(count):
        started = time.perf_counter()
        call(i)
        samples.append((time.perf_counter() - started) * 1000)
    return samples


def prewarm(url: str) -> str:
    """Bring the log into the OS page cache (a node's working set when RAM allows), as cold reads would
    otherwise measure the disk. Returns how."""
    if url.startswith("sqlite:///"):
        with open(url.removeprefix("sqlite:///"), "rb") as f:
            while f.read(1 << 24):
                pass
        return "read the SQLite file once"
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        for relation in (
            "ledger_leaves",
            "pk_ledger_leaves",
            "uq_ledger_leaves_event_id",
            "ledger_nodes",
            "pk_ledger_nodes",
        ):
            conn.execute("SELECT pg_prewarm(%s, 'read')", (relation,))
    return "pg_prewarm(…, 'read') of the ledger tables and indexes"


def measure_log(url: str, n: int, samples: int) -> dict[str, Any]:
    """Checkpoint, proof (before and after prewarming) and append timings on the big log at ``url``."""
    rng = random.Random(42)
    engine = make_engine(url)
    maker = make_sessionmaker(engine)
    skey, _ = generate_key(ORIGIN)
    started = time.perf_counter()
    with unit_of_work(maker) as s:
        service.make_checkpoint(s, origin=ORIGIN, skey=skey)
    checkpoint_ms = (time.perf_counter() - started) * 1000
    cold = [rng.randrange(n) for _ in range(200)]
    with maker() as s:
        cold_ms = time_calls(len(cold), lambda k: service.prove(s, event_id(cold[k])))
    warmed = prewarm(url)
    picks = [rng.randrange(n) for _ in range(samples)]
    with maker() as s:
        for i in picks[:50]:
            service.prove(s, event_id(i))  # warm-up of the code paths
        proof_ms = time_calls(samples, lambda k: service.prove(s, event_id(picks[k])))
    now = datetime.now(UTC)

    def append(batch: int) -> None:
        first = n + batch * 1000
        events = [
            StoredEvent(
                first + j + 1,
                event_id(first + j),
                f"ni:///sha-256;{first + j:064x}?ver=CBV2.0",
                now,
                "bench",
                {"type": "ObjectEvent", "n": first + j},
            )
            for j in range(1000)
        ]
        with unit_of_work(maker) as s:
            service.append_events(s, events)

    append_ms = time_calls(10, append)
    engine.dispose()
    return {
        "leaves": n,
        "checkpoint_ms": round(checkpoint_ms, 1),
        "proof": percentiles(proof_ms),
        "proof_samples": samples,
        "proof_before_prewarm": percentiles(cold_ms),
        "prewarm": warmed,
        "append_1000_ms": percentiles(append_ms),
    }


def measure_capture(url: str, batches: int) -> dict[str, Any]:
    """ms per 1,000-event capture document, with the write path after the insert (ledger, trace graph, catalog flags)
    and the readers, and without them (fresh database)."""
    migrate.upgrade(url)
    engine = make_engine(url)
    maker = make_sessionmaker(engine)
    with unit_of_work(maker) as s:
        party_id = parties_service.create_party(s, name="基准测试企业", uscc="91110000600037341L").id
    steps, receivers = capture_service.WRITE_PATH, capture_signals.events_recorded.receivers
    counter = iter(range(10**9))

    def capture(_: int) -> None:
        with unit_of_work(maker) as s:
            actor = parties_service.get_party(s, party_id)
            docs = document(*(object_event(next(counter)) for _ in range(1000)))
            capture_service.capture_document(s, docs, actor=actor)

    capture(0)  # warm-up
    timings: dict[str, list[float]] = {"with_ledger": [], "without_ledger": []}
    for _ in range(batches):  # interleaved, so a busy machine slows both alike
        for label, installed in (("with_ledger", (steps, receivers)), ("without_ledger", ((), ()))):
            capture_service.WRITE_PATH = installed[0]
            capture_signals.events_recorded.connect(installed[1])
            timings[label] += time_calls(1, capture)
    result = {label: percentiles(samples) for label, samples in timings.items()}
    capture_service.WRITE_PATH = steps
    capture_signals.events_recorded.connect(receivers)
    engine.dispose()
    return result


def main() -> None:
    wiring.connect()  # captures run in this process, as under the zhuisu command
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--leaves", type=int, default=10_000_000)
    parser.add_argument("--db", choices=["sqlite", "postgresql", "both"], default="both")
    parser.add_argument("--samples", type=int, default=2000)
    parser.add_argument("--capture-batches", type=int, default=10)
    parser.add_argument("--workdir", type=Path, default=None, help="Where the SQLite files go (default: a temp dir).")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # so the PostgreSQL server is stopped on kill
    workdir = args.workdir or Path(tempfile.mkdtemp(prefix="zhuisu-ledger-bench-"))
    workdir.mkdir(parents=True, exist_ok=True)
    backends = ["sqlite", "postgresql"] if args.db == "both" else [args.db]
    server = pgserver.start() if "postgresql" in backends else None
    try:
        urls = {}
        for backend in backends:
            if backend == "sqlite":
                urls[backend] = f"sqlite:///{workdir / 'ledger.db'}"
            else:
                assert server is not None
                with psycopg.connect(
                    f"host=127.0.0.1 port={server.port} user=postgres dbname=postgres", autocommit=True
                ) as conn:
                    conn.execute('CREATE DATABASE "ledger_bench"')
                    conn.execute('CREATE DATABASE "capture_bench"')
                urls[backend] = server.url("ledger_bench")
            migrate.upgrade(urls[backend])
        writers = {
            b: SqliteWriter(u.removeprefix("sqlite:///")) if b == "sqlite" else PgWriter(u) for b, u in urls.items()
        }
        print(f"building {args.leaves:,} leaves into {', '.join(backends)} …", flush=True)
        build_s = build(args.leaves, writers)
        results: dict[str, Any] = {"leaves": args.leaves, "build_s": round(build_s, 1), "backends": {}}
        for backend, url in urls.items():
            print(f"measuring {backend} …", flush=True)
            entry = measure_log(url, args.leaves, args.samples)
            capture_url = (
                f"sqlite:///{workdir / 'capture.db'}"
                if backend == "sqlite"
                else server.url("capture_bench")
                if server
                else ""
            )
            entry["capture_1000_ms"] = measure_capture(capture_url, args.capture_batches)
            results["backends"][backend] = entry
    finally:
        if server is not None:
            server.stop()
    report(results)


def report(results: dict[str, Any]) -> None:
    print(f"\nledger at {results['leaves']:,} leaves (built in {results['build_s']} s)")
    header = (
        "db",
        "proof p50",
        "proof p99",
        "proof max",
        "checkpoint",
        "append/1000 p50",
        "capture/1000 with ledger",
        "without",
    )
    print(" | ".join(header))
    for backend, e in results["backends"].items():
        cap = e["capture_1000_ms"]
        print(
            " | ".join(
                [
                    backend,
                    f"{e['proof']['p50_ms']} ms",
                    f"{e['proof']['p99_ms']} ms",
                    f"{e['proof']['max_ms']} ms",
                    f"{e['checkpoint_ms']} ms",
                    f"{e['append_1000_ms']['p50_ms']} ms",
                    f"{cap['with_ledger']['p50_ms']} ms",
                    f"{cap['without_ledger']['p50_ms']} ms",
                ]
            )
        )
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "ledger.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten to {RESULTS / 'ledger.json'}")


if __name__ == "__main__":
    main()
