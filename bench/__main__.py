"""``python -m bench --events N``: capture, raw insert, trace and impact figures on SQLite and PostgreSQL.

For each database: a fresh migrated database gets the generated N-event document through the real import path
(capture rate), another fresh one gets the same rows by plain executemany (raw insert rate); then traces of
sampled codes (p50/p99) and the recall impact of a lot with ``--fanout`` downstream items run on the first.
Prints a table and writes bench/results/latest.json. Peak RSS is the process's high-water mark after each
database's run (ru_maxrss), so the second database's figure includes the first's.
"""

import argparse
import json
import resource
import tempfile
from pathlib import Path
from typing import Any

import psycopg

from bench import capture, trace
from tests.support import pgserver
from zhuisu.db import migrate
from zhuisu.db.engine import make_engine, make_sessionmaker
from zhuisu.demo.generator import write_document

RESULTS = Path(__file__).parent / "results"


def _fresh(kind: str, tmp: Path, name: str, server: pgserver.PgServer | None) -> str:
    if kind == "sqlite":
        return f"sqlite:///{tmp / (name + '.db')}"
    assert server is not None
    with psycopg.connect(f"host=127.0.0.1 port={server.port} user=postgres dbname=postgres", autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    return server.url(name)


def run_database(
    kind: str, doc: Path, tmp: Path, args: argparse.Namespace, server: pgserver.PgServer | None
) -> dict[str, Any]:
    urls = [_fresh(kind, tmp, f"bench_{kind}_{what}", server) for what in ("capture", "raw")]
    makers = []
    for url in urls:
        migrate.upgrade(url)
        makers.append(make_sessionmaker(make_engine(url)))
    actors = [capture.register_parties(m, args.seed) for m in makers]
    rate, captured = capture.capture_rate(makers[0], doc, actors[0])
    raw = capture.raw_rate(makers[1], doc, actors[1])
    p50, p99, sampled = trace.trace_latency(makers[0], args.samples)
    impact_ms, downstream = trace.impact_time(makers[0], actors[0], args.fanout)
    for m in makers:
        m.kw["bind"].dispose()
    return {
        "events": captured,
        "capture_events_per_s": round(rate, 1),
        "raw_insert_events_per_s": round(raw, 1),
        "capture_vs_raw": round(rate / raw, 3),
        "trace_p50_ms": round(p50, 2),
        "trace_p99_ms": round(p99, 2),
        "trace_samples": sampled,
        "impact_ms": round(impact_ms, 1),
        "impact_downstream_things": downstream,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--samples", type=int, default=200, help="Codes traced for the latency percentiles.")
    parser.add_argument("--fanout", type=int, default=100_000, help="Items downstream of the recalled lot.")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    results: dict[str, Any] = {"events": args.events, "seed": args.seed, "databases": {}}
    with tempfile.TemporaryDirectory(prefix="zhuisu-bench-") as name:
        tmp = Path(name)
        doc = tmp / "chain.jsonld"
        write_document(doc, args.events, args.seed)
        for kind in ("sqlite", "postgresql") if args.db == "both" else (args.db,):
            server = pgserver.start() if kind == "postgresql" else None
            try:
                results["databases"][kind] = run_database(kind, doc, tmp, args, server)
            finally:
                if server:
                    server.stop()
            _print(results)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2) + "\n")


def _print(results: dict[str, Any]) -> None:
    dbs = results["databases"]
    keys = list(next(iter(dbs.values())))
    print(f"\n{'metric':<28}" + "".join(f"{k:>16}" for k in dbs))
    for key in keys:
        print(f"{key:<28}" + "".join(f"{dbs[k][key]:>16}" for k in dbs))


if __name__ == "__main__":
    main()
