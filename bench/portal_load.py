"""Load test of the public product page over many distinct codes: requests per second and latency percentiles.

Builds a node with the demo city (`zhuisu db upgrade`, `zhuisu demo load --events N`) on SQLite and on PostgreSQL
(``--db``), starts `zhuisu serve --workers W` on 127.0.0.1, and measures:

- **prebuild**: the story builder (``zhuisu.portal.prebuild``, on a server thread) building the story of every code
  recorded, before any request: how long, stories per second, CPU per story (what a build costs);
- **cold**: every code once, in random order (a consumer campaign: codes nobody has opened yet);
- **warm**: random codes from the whole set (a long tail, no hot page): one indexed read of the stored page;
- **revalidate**: the same with ``If-None-Match`` (a phone rescanning a code): 304s.

``--no-prebuild`` turns the builder off: the cold pass then builds each story on its first read (the figure
before the builder). Each pass also reports the CPU time the server processes spent per request (from /proc): on
a shared, loaded machine latency and throughput are noisy, the CPU cost per request much less so.

The client asks like a phone browser (``Accept: text/html``, ``Accept-Encoding: gzip``). The rate limiter is off
for the run (one client address would be throttled). The target (issue 22): cold ≥ 1,000 requests/s with
p99 < 100 ms on both databases. Results in ``bench/results/portal.json``.

    .venv/bin/python -m bench.portal_load --events 5000 --workers 2 --connections 8 --db both
"""

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import create_engine, text

from bench import history
from bench.probe import PG_SETTINGS, fresh_database, machine_probe_ms
from tests.support import pgserver

RESULTS = Path(__file__).resolve().parent / "results" / "portal.json"
DL_PREFIX = "https://id.gs1.org/"
TARGET = {"requests_per_second": 1000, "p99_ms": 100}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _path(code: str) -> str:
    return "/" + code.removeprefix(DL_PREFIX) if code.startswith(DL_PREFIX) else "/c/" + quote(code, safe="")


def _request(path: str, etag: str | None) -> bytes:
    condition = f"If-None-Match: {etag}\r\n" if etag else ""
    return (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/html\r\nAccept-Language: zh-CN\r\n"
        f"Accept-Encoding: gzip\r\n{condition}\r\n"
    ).encode()


class _Run:
    """One measured pass: the paths to request (taken in order), and what came back."""

    def __init__(self, paths: Sequence[str], seconds: float, etags: dict[str, str] | None = None) -> None:
        self.paths, self.next, self.seconds, self.deadline = list(paths), 0, seconds, 0.0
        self.etags = etags
        self.latencies: list[float] = []
        self.statuses: dict[str, int] = {}
        self.seen_etags: dict[str, str] = {}

    def take(self) -> str | None:
        if self.next >= len(self.paths) or time.perf_counter() >= self.deadline:
            return None
        self.next += 1
        return self.paths[self.next - 1]


async def _connection(port: int, run: _Run) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while (path := run.take()) is not None:
            start = time.perf_counter()
            writer.write(_request(path, run.etags.get(path) if run.etags is not None else None))
            head = await reader.readuntil(b"\r\n\r\n")
            headers = dict(line.split(b":", 1) for line in head.split(b"\r\n")[1:] if b":" in line)
            fields = {k.strip().lower(): v.strip() for k, v in headers.items()}
            await reader.readexactly(int(fields.get(b"content-length", b"0")))
            run.latencies.append(time.perf_counter() - start)
            status = head[9:12].decode()
            run.statuses[status] = run.statuses.get(status, 0) + 1
            if b"etag" in fields:
                run.seen_etags[path] = fields[b"etag"].decode()
    finally:
        writer.close()


async def _drive(port: int, run: _Run, connections: int) -> float:
    start = time.perf_counter()
    run.deadline = start + run.seconds
    await asyncio.gather(*(_connection(port, run) for _ in range(connections)))
    return time.perf_counter() - start


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its descendants (the server and its workers), from /proc."""
    total = 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except (OSError, IndexError, ValueError):
        return total
    return total + sum(_cpu_seconds(int(child)) for child in children)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def _summary(name: str, run: _Run, elapsed: float, cpu: float) -> dict[str, object]:
    # a 307 is an answer too: registered special equipment's code opens the equipment's own page (一梯一码)
    ok = sum(run.statuses.get(status, 0) for status in ("200", "304", "307"))
    return {
        "server_cpu_ms_per_request": round(1000 * cpu / len(run.latencies), 3) if run.latencies else 0.0,
        "pass": name,
        "requests": len(run.latencies),
        "distinct_paths": len(set(run.paths[: run.next])),
        "statuses": run.statuses,
        "errors": len(run.latencies) - ok,
        "seconds": round(elapsed, 3),
        "requests_per_second": round(len(run.latencies) / elapsed, 1) if elapsed else 0.0,
        "p50_ms": round(1000 * _percentile(run.latencies, 0.50), 2),
        "p90_ms": round(1000 * _percentile(run.latencies, 0.90), 2),
        "p99_ms": round(1000 * _percentile(run.latencies, 0.99), 2),
        "max_ms": round(1000 * max(run.latencies, default=0.0), 2),
    }


def _prepare(workdir: Path, url: str, events: int, prebuild: bool) -> tuple[dict[str, str], list[str]]:
    env = {
        **os.environ,
        "ZHUISU_DATA_DIR": str(workdir),
        "ZHUISU_DATABASE_URL": url,
        "ZHUISU_PORTAL_RATE_PER_SECOND": "0",
        "ZHUISU_PORTAL_PREBUILD": "true" if prebuild else "false",
        "ZHUISU_SUBSCRIPTIONS_POLL_SECONDS": "1",
    }
    for command in (["db", "upgrade"], ["demo", "load", "--events", str(events)]):
        subprocess.run([sys.executable, "-m", "zhuisu", *command], env=env, check=True, capture_output=True)
    engine = create_engine(url)
    try:
        with engine.connect() as db:
            codes = [row[0] for row in db.execute(text("SELECT DISTINCT value FROM event_epcs ORDER BY value"))]
    finally:
        engine.dispose()
    return env, codes


def _wait_built(url: str, server: int, limit_seconds: float) -> dict[str, object]:
    """Wait until the story builder has built every recorded code's story (its cursor at the last identifier row,
    no stale story); how long it took from the server's start, and the server's CPU per story."""
    engine = create_engine(url)
    started, before = time.perf_counter(), _cpu_seconds(server)
    try:
        while True:
            with engine.connect() as db:
                cursor = db.execute(text("SELECT built_through FROM portal_story_clock")).scalar() or 0
                last = db.execute(text("SELECT max(id) FROM event_epcs")).scalar() or 0
                stale = db.execute(text("SELECT count(*) FROM portal_stories WHERE stale")).scalar() or 0
                built = db.execute(text("SELECT count(*) FROM portal_stories")).scalar() or 0
            elapsed = time.perf_counter() - started
            if (cursor >= last and not stale) or elapsed > limit_seconds:
                break
            time.sleep(0.5)
    finally:
        engine.dispose()
    cpu = _cpu_seconds(server) - before
    return {
        "stories": int(built),
        "caught_up": bool(cursor >= last and not stale),
        "seconds": round(elapsed, 1),
        "stories_per_second": round(built / elapsed, 1) if elapsed else 0.0,
        "server_cpu_ms_per_story": round(1000 * cpu / built, 2) if built else 0.0,
    }


def _serve(workdir: Path, env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    log = (workdir / "serve.log").open("wb")
    command = ["serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)]
    return subprocess.Popen(
        [sys.executable, "-m", "zhuisu", *command], env=env, cwd=workdir, stdout=log, stderr=subprocess.STDOUT
    )


def _wait_ready(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"GET /portal HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                if s.recv(12).endswith(b"200"):
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("the server did not start")


def _pass(port: int, server: int, name: str, run: _Run, connections: int) -> dict[str, object]:
    """One pass, with the CPU time the server processes spent on it (a figure the machine's load does not
    inflate the way it does wall-clock latency)."""
    before = _cpu_seconds(server)
    elapsed = asyncio.run(_drive(port, run, connections))
    return _summary(name, run, elapsed, _cpu_seconds(server) - before)


def _measure(port: int, server: int, codes: list[str], args: argparse.Namespace) -> list[dict[str, object]]:
    paths = [_path(code) for code in codes]
    rng = random.Random(8)
    cold = _Run(rng.sample(paths, len(paths)), args.cold_seconds)
    warm = _Run([rng.choice(paths) for _ in range(args.requests)], args.seconds)
    passes = [_pass(port, server, "cold", cold, args.connections), _pass(port, server, "warm", warm, args.connections)]
    again = _Run([rng.choice(paths) for _ in range(args.requests)], args.seconds, etags=warm.seen_etags)
    return [*passes, _pass(port, server, "revalidate", again, args.connections)]


def run(kind: str, tmp: Path, args: argparse.Namespace) -> dict[str, object]:
    """Every pass on one database: a fresh node, served, measured, stopped."""
    pg = pgserver.start(PG_SETTINGS) if kind == "postgresql" else None
    workdir = tmp / kind
    workdir.mkdir()
    port = _free_port()
    try:
        url = fresh_database(kind, workdir, "bench_portal", pg)
        env, codes = _prepare(workdir, url, args.events, args.prebuild)
        server = _serve(workdir, env, port, args.workers)
        try:
            _wait_ready(port, server)
            built = _wait_built(url, server.pid, args.cold_seconds) if args.prebuild else None
            passes = _measure(port, server.pid, codes, args)
        finally:
            server.terminate()
            server.wait(timeout=30)
    finally:
        if pg is not None:
            pg.stop()
    cold = passes[0]
    return {
        "codes": len(codes),
        "prebuild": built,
        "passes": passes,
        "met": bool(
            cold["requests_per_second"] >= TARGET["requests_per_second"]  # type: ignore[operator]
            and cold["p99_ms"] < TARGET["p99_ms"]  # type: ignore[operator]
            and not cold["errors"]
        ),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--events", type=int, default=5000, help="Demo city size (events).")
    parser.add_argument("--requests", type=int, default=60_000, help="Requests of the warm and revalidate passes.")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=30.0, help="Time limit of the warm and revalidate passes.")
    parser.add_argument("--cold-seconds", type=float, default=600.0, help="Time limit of the build and cold pass.")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument(
        "--no-prebuild", dest="prebuild", action="store_false", help="Stories built by their first read."
    )
    args = parser.parse_args()
    databases: dict[str, dict[str, object]] = {}
    with tempfile.TemporaryDirectory(prefix="zhuisu-portal-bench-") as tmp:
        for kind in ("sqlite", "postgresql") if args.db == "both" else (args.db,):
            databases[kind] = run(kind, Path(tmp), args)
    result = {
        "events": args.events,
        "workers": args.workers,
        "connections": args.connections,
        "prebuild": args.prebuild,
        "cpus": os.cpu_count(),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "machine_probe_ms": machine_probe_ms(),
        "databases": databases,
        "target": TARGET,
        "met": all(d["met"] for d in databases.values()),
    }
    header = f"{'db':<12}{'pass':<12}{'requests':>10}{'distinct':>10}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}"
    print(header + f"{'errors':>8}{'cpu ms/req':>12}")
    for kind, d in databases.items():
        built = d["prebuild"]
        if isinstance(built, dict):
            print(
                f"{kind:<12}prebuild: {built['stories']} stories in {built['seconds']} s "
                f"({built['stories_per_second']}/s, {built['server_cpu_ms_per_story']} ms CPU each)"
            )
        for p in d["passes"]:  # type: ignore[attr-defined]
            print(
                f"{kind:<12}{p['pass']!s:<12}{p['requests']!s:>10}{p['distinct_paths']!s:>10}"
                f"{p['requests_per_second']!s:>10}{p['p50_ms']!s:>9}{p['p99_ms']!s:>9}{p['errors']!s:>8}"
                f"{p['server_cpu_ms_per_request']!s:>12}"
            )
        history.append(
            f"portal {kind}, {args.events:,} events ({d['codes']:,} codes), {args.workers} workers, "
            f"{args.connections} clients" + ("" if args.prebuild else ", no prebuild"),
            " · ".join(
                [
                    *(
                        [
                            f"prebuild {built['stories']} stories in {built['seconds']} s "
                            f"({built['server_cpu_ms_per_story']} ms CPU each)"
                        ]
                        if isinstance(built, dict)
                        else []
                    ),
                    *(
                        f"{p['pass']} {p['requests_per_second']} req/s p99 {p['p99_ms']} ms "
                        f"({p['server_cpu_ms_per_request']} ms CPU)"
                        for p in d["passes"]  # type: ignore[attr-defined]
                    ),
                ]
            ),
        )
    print(json.dumps(result, ensure_ascii=False))
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0 if result["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
