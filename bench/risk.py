"""Risk rules benchmark: what the incremental rules cost capture, and how long a full scan takes.

    python -m bench.risk [--events 100000] [--capture-events 20000] [--batch 5000] [--db sqlite|postgresql|both]

On a fresh migrated database per measurement (PostgreSQL: a throwaway server started from the machine's binaries,
as the tests do), with the demo city's master data (parties, licences, products: the classes the rules read):

1. Capture throughput with the rules off and on (``risk_rules_at_capture``): the first ``--capture-events`` events
   of a clean generated chain (``generator.generate(clean=True)``, completed as the demo city completes them), in
   rounds of ``--batch`` events, each round one capture per recorder through the real capture path (as ``zhuisu
   demo load``), alternating round by round between the two databases (which goes first alternates too), so the
   machine's other load falls on both alike. ``capture_ratio`` is on over off by wall time (the target is at least
   0.85), ``capture_ratio_cpu`` by this process's CPU time (on PostgreSQL the server's work is not in it).
2. Full scan: the rest of the ``--events`` events captured (rules on) into the rules-on database, then
   ``alerts.scan`` over the whole store: seconds, events per second, a linear extrapolation to 1M events (the
   target is 60 s), and the alerts found — on a clean chain, false positives: the target is 0.

Prints a table and writes bench/results/risk.json.
"""

import argparse
import json
import os
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bench import history
from bench.probe import PG_SETTINGS, fresh_database, print_by_database
from tests.support import pgserver
from zhuisu.app import wiring
from zhuisu.config import Settings
from zhuisu.db import migrate
from zhuisu.db.engine import make_engine, make_sessionmaker
from zhuisu.db.session import unit_of_work
from zhuisu.demo import city, generator
from zhuisu.demo import service as demo_service
from zhuisu.models import Alert, Event, Party
from zhuisu.oversight import alerts
from zhuisu.oversight.rules.base import RiskConfig

RESULTS = Path(__file__).parent / "results"
Round = list[tuple[str, list[dict[str, Any]]]]


def node(url: str, rules: bool, data_dir: Path) -> sessionmaker[Session]:
    """A migrated database with the demo city's master data, and sessions carrying settings with the rules on/off."""
    migrate.upgrade(url)
    settings = Settings(database_url=url, data_dir=data_dir, risk_rules_at_capture=rules)
    maker = make_sessionmaker(make_engine(url), settings)
    with unit_of_work(maker) as session:
        demo_service.prepare_city(session, seed=1)
    return maker


def rounds(maker: sessionmaker[Session], events: int, skip: int, size: int) -> Iterator[Round]:
    """Clean generated events ``skip`` … ``events``, completed, in rounds of ``size`` grouped by recorder."""
    with maker() as session:
        catalog = demo_service.city_catalog(session)
    parties = {p.key: p for p in generator.demo_parties(1)}
    current: dict[str, list[dict[str, Any]]] = {}
    count = 0
    for i, (key, event) in enumerate(generator.generate(events, seed=1, clean=True)):
        if i < skip:
            continue
        current.setdefault(key, []).append(city.complete(event, catalog, city._role_class(parties[key]), parties[key]))
        count += 1
        if count >= size:
            yield list(current.items())
            current, count = {}, 0
    if current:
        yield list(current.items())


def capture(maker: sessionmaker[Session], batches: Iterable[Round]) -> tuple[int, float]:
    """Capture prepared rounds; (events captured, seconds)."""
    with unit_of_work(maker) as session:
        parties, _, _ = demo_service.prepare_city(session, seed=1)
    captured = 0
    started = time.perf_counter()
    for round_ in batches:
        captured += capture_one(maker, parties, round_)
    return captured, time.perf_counter() - started


def capture_one(maker: sessionmaker[Session], parties: dict[str, Party], round_: Round) -> int:
    with unit_of_work(maker) as session:
        outcome = demo_service.capture_round(session, parties, round_)
    assert outcome.rejected == 0, outcome
    return outcome.captured


def compare(off: sessionmaker[Session], on: sessionmaker[Session], batches: list[Round]) -> dict[str, float]:
    """Capture the same rounds into both databases, alternating which goes first, so the machine's other load
    falls on both alike: events, and wall and CPU (this process's) seconds of each."""
    parties = {}
    for maker in (off, on):
        with unit_of_work(maker) as session:
            parties[id(maker)], _, _ = demo_service.prepare_city(session, seed=1)
    spent = {"off_wall": 0.0, "on_wall": 0.0, "off_cpu": 0.0, "on_cpu": 0.0, "events": 0.0}
    for n, round_ in enumerate(batches):
        for label, maker in (("off", off), ("on", on)) if n % 2 == 0 else (("on", on), ("off", off)):
            wall, cpu = time.perf_counter(), time.process_time()
            captured = capture_one(maker, parties[id(maker)], round_)
            spent[f"{label}_wall"] += time.perf_counter() - wall
            spent[f"{label}_cpu"] += time.process_time() - cpu
        spent["events"] += captured
    return spent


def run_database(kind: str, tmp: Path, args: argparse.Namespace, server: pgserver.PgServer | None) -> dict[str, Any]:
    off = node(fresh_database(kind, tmp, f"risk_{kind}_off", server), False, tmp)
    on = node(fresh_database(kind, tmp, f"risk_{kind}_on", server), True, tmp)
    spent = compare(off, on, list(rounds(on, args.capture_events, 0, args.batch)))
    n_on = int(spent["events"])
    s_off, s_on = spent["off_wall"], spent["on_wall"]
    off.kw["bind"].dispose()
    with on() as session:
        at_capture = session.scalar(select(func.count(Alert.id)))
    print(
        f"{kind}: capture of {n_on} events: rules off {n_on / s_off:.0f}/s, on {n_on / s_on:.0f}/s "
        f"(ratio {s_off / s_on:.3f}; by this process's CPU time {spent['off_cpu'] / spent['on_cpu']:.3f}); "
        f"alerts at capture: {at_capture}",
        flush=True,
    )
    if args.events > n_on:
        capture(on, rounds(on, args.events, n_on, 20_000))
    with on() as session:
        stored = int(session.scalar(select(func.count(Event.id))) or 0)
        parties = int(session.scalar(select(func.count(Party.id))) or 0)
    started = time.perf_counter()
    with unit_of_work(on) as session:
        report = alerts.scan(session, config=RiskConfig.of(None), trigger="bench")
    seconds = time.perf_counter() - started
    again = time.perf_counter()
    with unit_of_work(on) as session:
        alerts.scan(session, config=RiskConfig.of(None), trigger="bench")
    rescan = time.perf_counter() - again
    on.kw["bind"].dispose()
    print(f"{kind}: scan of {stored} events: {seconds:.2f} s ({report.to_json()['total']} alerts)", flush=True)
    return {
        "capture_events": n_on,
        "capture_off_events_per_s": round(n_on / s_off, 1),
        "capture_on_events_per_s": round(n_on / s_on, 1),
        "capture_ratio": round(s_off / s_on, 3),
        "capture_ratio_cpu": round(spent["off_cpu"] / spent["on_cpu"], 3),
        "alerts_at_capture": at_capture,
        "scan_events": stored,
        "scan_parties": parties,
        "scan_s": round(seconds, 2),
        "rescan_s": round(rescan, 2),
        "scan_events_per_s": round(stored / seconds, 1),
        "scan_1m_extrapolated_s": round(seconds * 1_000_000 / stored, 1),
        "scan_alerts": sum(report.hits.values()),
        "scan_hits": report.hits,
    }


def main() -> None:
    wiring.connect()
    parser = argparse.ArgumentParser(prog="python -m bench.risk", description=__doc__)
    parser.add_argument("--events", type=int, default=100_000, help="Events in the store the scan reads.")
    parser.add_argument("--capture-events", type=int, default=20_000, help="Events captured with rules off and on.")
    parser.add_argument("--batch", type=int, default=5_000, help="Events per round (one capture per recorder).")
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    results: dict[str, Any] = {"events": args.events, "capture_events": args.capture_events, "databases": {}}
    with tempfile.TemporaryDirectory(prefix="zhuisu-bench-risk-") as name:
        tmp = Path(name)
        for kind in ("sqlite", "postgresql") if args.db == "both" else (args.db,):
            server = pgserver.start(PG_SETTINGS) if kind == "postgresql" else None
            try:
                results["databases"][kind] = run_database(kind, tmp, args, server)
            finally:
                if server:
                    server.stop()
    results["load_average"] = [round(x, 2) for x in os.getloadavg()]
    dbs = results["databases"]
    print_by_database(dbs, skip=frozenset({"scan_hits"}))
    print(json.dumps(results, ensure_ascii=False))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "risk.json").write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n")
    for kind, d in dbs.items():
        history.append(
            f"risk {kind}, {args.events:,} events",
            f"capture rules on/off {d['capture_ratio']} · scan {d['scan_s']} s "
            f"({d['scan_1m_extrapolated_s']} s per 1M) · {d['scan_alerts']} alerts",
        )


if __name__ == "__main__":
    main()
