"""Import benchmark: `zhuisu import` of an N-event file on SQLite and PostgreSQL — events/s and peak RSS.

    python -m bench.import_file --events 1000000 [--db sqlite|postgresql|both]

Writes the file (distinct ObjectEvents, streamed), runs `python -m zhuisu import FILE` in a child process on a
fresh database, and reports the child's wall time, events/s and peak resident memory (ru_maxrss). Results are
printed as a table and written to bench/results/import.json.
"""

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import psycopg

from tests.support import pgserver
from zhuisu.app import wiring
from zhuisu.db import migrate

RESULTS = Path(__file__).parent / "results"
CONTEXT = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"]


def write_file(path: Path, count: int) -> None:
    with path.open("w", encoding="utf-8") as fp:
        fp.write(
            '{"@context": ' + json.dumps(CONTEXT) + ', "type": "EPCISDocument", "schemaVersion": "2.0", '
            '"creationDate": "2026-01-01T00:00:00Z", "epcisBody": {"eventList": [\n'
        )
        for i in range(count):
            event = {
                "type": "ObjectEvent",
                "eventID": f"urn:uuid:00000000-0000-4000-8000-{i:012d}",
                "eventTime": f"2026-03-01T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}.{i % 1000:03d}+08:00",
                "eventTimeZoneOffset": "+08:00",
                "action": "OBSERVE",
                "epcList": [f"urn:epc:id:sgtin:6901234.012345.{i}", f"urn:epc:id:sgtin:6901234.012345.x{i}"],
                "bizStep": "shipping",
                "disposition": "in_transit",
                "readPoint": {"id": "urn:epc:id:sgln:6901234.00001.0"},
                "bizTransactionList": [
                    {"type": "po", "bizTransaction": f"urn:epcglobal:cbv:bt:6901234000016:{i // 100}"}
                ],
            }
            fp.write(("" if i == 0 else ",\n") + json.dumps(event))
        fp.write("\n]}}\n")


def run_import(url: str, path: Path, count: int) -> dict[str, Any]:
    migrate.upgrade(url)
    env = {**os.environ, "ZHUISU_DATABASE_URL": url}
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "zhuisu", "import", str(path)],
        env=env,
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"import failed: {done.stderr[-2000:]}")
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {
        "events": count,
        "seconds": round(elapsed, 1),
        "events_per_s": round(count / elapsed),
        "peak_rss_mb": round(max(peak_kb, before) / 1024, 1),
        "summary": done.stderr.strip().splitlines()[-1],
    }


def main() -> None:
    wiring.connect()  # captures run in this process, as under the zhuisu command
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="zhuisu-bench-"))
    path = work / "events.jsonld"
    write_file(path, args.events)
    results: dict[str, dict[str, Any]] = {}
    if args.db in ("sqlite", "both"):
        results["sqlite"] = run_import(f"sqlite:///{work / 'bench.db'}", path, args.events)
        print("sqlite", results["sqlite"], flush=True)
    if args.db in ("postgresql", "both"):
        server = pgserver.start()
        try:
            with psycopg.connect(
                f"host=127.0.0.1 port={server.port} user=postgres dbname=postgres", autocommit=True
            ) as c:
                c.execute("CREATE DATABASE bench")
            results["postgresql"] = run_import(server.url("bench"), path, args.events)
            print("postgresql", results["postgresql"], flush=True)
        finally:
            server.stop()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "import.json").write_text(json.dumps(results, indent=2))
    print(f"{'database':12} {'events':>9} {'seconds':>8} {'events/s':>9} {'peak RSS MB':>12}")
    for db, r in results.items():
        print(f"{db:12} {r['events']:>9} {r['seconds']:>8} {r['events_per_s']:>9} {r['peak_rss_mb']:>12}")


if __name__ == "__main__":
    main()
