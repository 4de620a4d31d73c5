"""Bytes per event: what one captured event costs on PostgreSQL, table by table, and in the Parquet export.
``python -m bench.storage [--events 50000]`` (``make bench-storage``); the figures docs/scale.md multiplies.

A fresh PostgreSQL database, the demo generator's chain (``--events``) imported through the service as capture does
it (events, identifiers, ledger, trace graph, catalog flags, outboxes), then ``VACUUM ANALYZE`` and each table's
``pg_total_relation_size`` (heap, TOAST and indexes) over the events stored; and ``zhuisu export parquet`` of the same
store (zstd). Prints a table and writes bench/results/storage.json (and a row of docs/benchmarks.md).
"""

import argparse
import json
import tempfile
from pathlib import Path
from typing import Any

import psycopg

from bench import capture, history
from bench.probe import PG_SETTINGS, fresh_database
from tests.support import pgserver
from tests.support.epcis import document
from zhuisu.app import wiring
from zhuisu.db import migrate
from zhuisu.db.engine import make_engine, make_sessionmaker
from zhuisu.db.session import unit_of_work
from zhuisu.demo.generator import CONTEXT, generate
from zhuisu.exchange.columnar import service as columnar

RESULTS = Path(__file__).resolve().parent / "results"


def measure(events: int, seed: int, tmp: Path) -> dict[str, Any]:
    server = pgserver.start(PG_SETTINGS)
    try:
        url = fresh_database("postgresql", tmp, "bench_storage", server)
        migrate.upgrade(url)
        engine = make_engine(url)
        maker = make_sessionmaker(engine)
        actor = capture.register_parties(maker, seed)
        path = tmp / "events.jsonld"
        path.write_text(
            json.dumps(document(*(e for _, e in generate(events, seed)), context=CONTEXT)), encoding="utf-8"
        )
        _, stored = capture.capture_rate(maker, path, actor)
        engine.dispose()
        dsn = f"host=127.0.0.1 port={server.port} user=postgres dbname=bench_storage"
        with psycopg.connect(dsn, autocommit=True) as c:
            c.execute("VACUUM ANALYZE")
            rows = c.execute(
                "SELECT relname, pg_total_relation_size(c.oid) FROM pg_class c "
                "JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE n.nspname = 'public' AND c.relkind = 'r' ORDER BY 2 DESC"
            ).fetchall()
        engine = make_engine(url)
        with unit_of_work(make_sessionmaker(engine), write=False) as session:
            exported = columnar.export(session, tmp / "parquet", origin="bench/ledger")
        engine.dispose()
    finally:
        server.stop()
    total = sum(size for _, size in rows)
    tables = {name: size for name, size in rows if size >= stored}  # a byte per event or more
    parquet = sum(p.stat().st_size for p in (tmp / "parquet").glob("*.parquet"))
    return {
        "events": stored,
        "bytes_per_event": round(total / stored, 1),  # every table, the small ones too
        "by_table": {name: round(size / stored, 1) for name, size in tables.items()},
        "parquet_bytes_per_event": round(parquet / stored, 1),
        "parquet_rows": exported.rows,
    }


def main() -> None:
    wiring.connect()
    parser = argparse.ArgumentParser(prog="python -m bench.storage", description=__doc__)
    parser.add_argument("--events", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="zhuisu-bench-storage-") as name:
        results = measure(args.events, args.seed, Path(name))
    print(f"{'table':<36}{'bytes/event':>14}")
    for table, size in results["by_table"].items():
        print(f"{table:<36}{size:>14,.1f}")
    print(f"{'all (PostgreSQL)':<36}{results['bytes_per_event']:>14,.1f}")
    print(f"{'Parquet export (zstd)':<36}{results['parquet_bytes_per_event']:>14,.1f}")
    print(json.dumps(results))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "storage.json").write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    top = ", ".join(f"{t} {s:,.0f}" for t, s in list(results["by_table"].items())[:4])
    history.append(
        f"storage postgresql, {results['events']:,} events",
        f"{results['bytes_per_event']:,.0f} B/event ({top} …) · "
        f"Parquet {results['parquet_bytes_per_event']:,.0f} B/event",
    )


if __name__ == "__main__":
    main()
