"""``python -m bench --events N``: capture, raw insert, trace and impact figures on SQLite and PostgreSQL.

For each database (PostgreSQL: a throwaway server started from the machine's binaries, as the tests do, with
``shared_buffers`` at 1 GB: ``bench/probe.py``):

1. Capture: a fresh migrated database gets the first ``min(N, --capture-events)`` generated events (default
   100,000) as one EPCIS document through the real import path (validation, hashing, catalog, ledger, trace
   graph, subscription hooks): ``capture_events_per_s``.
2. Raw insert floor, in the same run: another fresh database gets exactly the rows capture wrote (every table
   that grew), by plain executemany in batches of the same size, nothing validated or hashed:
   ``raw_insert_events_per_s``; ``capture_ratio`` is capture over raw (the target is at least 0.4).
3. Trace and impact: traces of sampled codes (p50/p99) and the recall impact of a lot with ``--fanout``
   downstream items, on the captured database when N events were captured, else on a third database holding all
   N events written by the bulk path (``bench.trace.bulk_load``: the rows capture writes, without validation,
   hashing or ledger). The ``dataset`` line says which.

Prints a table and writes bench/results/latest.json. Peak RSS is the process's high-water mark after each
database's run (ru_maxrss), so the second database's figure includes the first's.
"""

import argparse
import json
import os
import resource
import tempfile
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bench import capture, history, trace
from bench.probe import PG_SETTINGS, fresh_database, machine_probe_ms, print_by_database
from tests.support import pgserver
from zhuisu.app import wiring
from zhuisu.db import migrate
from zhuisu.db.engine import make_engine, make_sessionmaker
from zhuisu.demo.generator import write_document

RESULTS = Path(__file__).parent / "results"


def _maker(url: str) -> sessionmaker[Session]:
    migrate.upgrade(url)
    return make_sessionmaker(make_engine(url))


def run_database(
    kind: str, doc: Path, tmp: Path, args: argparse.Namespace, server: pgserver.PgServer | None
) -> dict[str, Any]:
    source, target = (_maker(fresh_database(kind, tmp, f"bench_{kind}_{what}", server)) for what in ("capture", "raw"))
    figures = capture.measure(source, target, doc, args.seed)
    target.kw["bind"].dispose()
    print(
        f"{kind}: {figures.events} events captured at {figures.capture_events_per_s:.0f}/s, raw insert of the same "
        f"{sum(figures.rows.values())} rows at {figures.raw_insert_events_per_s:.0f} events/s: "
        f"ratio {figures.ratio:.3f}, by this process's CPU time {figures.cpu_ratio:.3f} "
        f"(load average {os.getloadavg()[0]:.2f})",
        flush=True,
    )
    traced, actor, dataset = source, figures.actor_id, f"{figures.events} captured"
    if args.events > figures.events:
        traced = _maker(fresh_database(kind, tmp, f"bench_{kind}_trace", server))
        actor = capture.register_parties(traced, args.seed)
        trace.bulk_load(traced, actor, args.events, args.seed)
        dataset = f"{args.events} bulk-loaded"
    traced_figures = trace.trace_latency(traced, args.samples)
    impact_ms, downstream = trace.impact_time(traced, actor, args.fanout)
    repeat = trace.impact_repeat(traced, 3)
    for m in {source, traced}:
        m.kw["bind"].dispose()
    return {
        "capture_events": figures.events,
        "capture_events_per_s": round(figures.capture_events_per_s, 1),
        "raw_insert_events_per_s": round(figures.raw_insert_events_per_s, 1),
        "capture_ratio": round(figures.ratio, 3),
        "capture_ratio_cpu": round(figures.cpu_ratio, 3),
        "raw_insert_rows": sum(figures.rows.values()),
        "dataset": dataset,
        **traced_figures,
        "impact_ms": round(impact_ms, 1),
        "impact_best_ms": round(min([impact_ms, *repeat]), 1),
        "impact_downstream_things": downstream,
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "machine_probe_ms": machine_probe_ms(),
    }


def main() -> None:
    wiring.connect()  # captures run in this process, as under the zhuisu command
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--capture-events", type=int, default=100_000, help="Events captured through the service (and raw-inserted)."
    )
    parser.add_argument("--samples", type=int, default=200, help="Codes traced for the latency percentiles.")
    parser.add_argument("--fanout", type=int, default=100_000, help="Items downstream of the recalled lot.")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    results: dict[str, Any] = {
        "events": args.events,
        "capture_events": min(args.events, args.capture_events),
        "fanout": args.fanout,
        "seed": args.seed,
        "databases": {},
    }
    with tempfile.TemporaryDirectory(prefix="zhuisu-bench-") as name:
        tmp = Path(name)
        doc = tmp / "chain.jsonld"
        write_document(doc, min(args.events, args.capture_events), args.seed)
        for kind in ("sqlite", "postgresql") if args.db == "both" else (args.db,):
            server = pgserver.start(PG_SETTINGS) if kind == "postgresql" else None
            try:
                results["databases"][kind] = run_database(kind, doc, tmp, args, server)
            finally:
                if server:
                    server.stop()
            print_by_database(results["databases"], width=22)
    results["load_average"] = [round(x, 2) for x in os.getloadavg()]
    print(f"load average at the end: {results['load_average']}")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(results, indent=2) + "\n")
    for kind, d in results["databases"].items():
        history.append(
            f"bench {kind}, {args.events:,} events",
            f"capture {d['capture_events_per_s']:,} ev/s (ratio {d['capture_ratio']}) · trace p50/p99 "
            f"{d['trace_p50_ms']}/{d['trace_p99_ms']} ms · impact {d['impact_ms']} ms "
            f"({d['impact_downstream_things']:,} things) · peak RSS {d['peak_rss_mb']} MB",
        )


if __name__ == "__main__":
    main()
