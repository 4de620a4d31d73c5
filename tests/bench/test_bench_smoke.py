"""``make bench``'s programs, run small: they must keep working as the code they measure changes (a benchmark
that only runs at a million events is found broken an hour in). Figures of time are the machine's; what is
asserted is what the programs must produce whatever the machine: the fields of their JSON and the counts."""

import json
import sys
from pathlib import Path

import pytest

import bench.__main__ as bench_main
from bench import federation as bench_federation
from bench import history
from bench import trace as bench_trace

FIELDS = {
    "trace_samples",
    "trace_p50_ms",
    "trace_p99_ms",
    "trace_second_pass_p50_ms",
    "trace_second_pass_p99_ms",
    "impact_ms",
    "impact_best_ms",
    "impact_downstream_things",
    "peak_rss_mb",
    "machine_probe_ms",
}


def _run(main: object, argv: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "argv", argv)
    main()  # type: ignore[operator]


def test_make_bench_small(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # given: the results and the history row written where the test can read them (not over a real run's, nor in
    # the repository's docs/benchmarks.md)
    monkeypatch.setattr(bench_main, "RESULTS", tmp_path)
    monkeypatch.setattr(history, "HISTORY", tmp_path / "benchmarks.md")
    # when: capture 300 events through the service, bulk-load 1,000 more, trace 5 codes, recall a lot of 200 items
    args = ["--events", "1000", "--capture-events", "300", "--fanout", "200", "--samples", "5", "--db", "sqlite"]
    _run(bench_main.main, ["bench", *args], monkeypatch)
    # then
    found = json.loads((tmp_path / "latest.json").read_text())
    sqlite = found["databases"]["sqlite"]
    assert FIELDS | {"capture_events_per_s", "raw_insert_events_per_s", "capture_ratio"} <= sqlite.keys()
    assert (found["events"], found["capture_events"], found["fanout"]) == (1000, 300, 200)
    assert sqlite["capture_events"] == 300
    assert sqlite["dataset"] == "1000 bulk-loaded"
    assert sqlite["trace_samples"] == 5
    assert sqlite["impact_downstream_things"] == 200 + 20 + 1  # items, cases of 10, one pallet of 20 cases
    assert sqlite["capture_ratio"] > 0
    assert sqlite["machine_probe_ms"] > 0
    rows = (tmp_path / "benchmarks.md").read_text(encoding="utf-8").splitlines()
    assert rows[0] == "# Benchmarks: the history"
    assert rows[-1].split(" | ")[2:4] == [
        "bench sqlite, 1,000 events",
        f"capture {sqlite['capture_events_per_s']:,} ev/s (ratio {sqlite['capture_ratio']}) · trace p50/p99 "
        f"{sqlite['trace_p50_ms']}/{sqlite['trace_p99_ms']} ms · impact {sqlite['impact_ms']} ms "
        f"(221 things) · peak RSS {sqlite['peak_rss_mb']} MB",
    ]


@pytest.mark.parametrize("db", ["sqlite", "postgresql"])
def test_bench_trace_small(db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bench_trace, "RESULTS", tmp_path)
    monkeypatch.setattr(history, "HISTORY", tmp_path / "benchmarks.md")
    args = ["--events", "2000", "--fanout", "200", "--samples", "5", "--repeat", "1", "--db", db]
    _run(bench_trace.main, ["bench.trace", *args], monkeypatch)
    found = json.loads((tmp_path / "trace.json").read_text())["databases"][db]
    [row] = (tmp_path / "benchmarks.md").read_text(encoding="utf-8").splitlines()[-1:]
    assert f"| bench.trace {db}, 2,000 events (bulk) | trace p50/p99 {found['trace_p50_ms']}/" in row
    assert FIELDS <= found.keys()
    assert found["events"] == 2000
    assert found["impact_downstream_things"] == 221
    assert found["impact_best_ms"] <= found["impact_ms"]


def test_bench_federation_small(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # given: results and history where the test reads them
    monkeypatch.setattr(bench_federation, "RESULTS", tmp_path)
    monkeypatch.setattr(history, "HISTORY", tmp_path / "benchmarks.md")
    # when: 600 events through the exchange (two batches), then 60 events at a steady 30 per second
    args = ["--events", "600", "--steady-seconds", "2", "--steady-rate", "30", "--db", "sqlite"]
    _run(bench_federation.main, ["bench.federation", *args], monkeypatch)
    # then: every event arrived, and the figures are there
    found = json.loads((tmp_path / "federation.json").read_text())
    assert (found["events"], found["steady_events"], found["steady_arrived"], found["steady_problems"]) == (
        600,
        60,
        60,
        0,
    )
    assert found["exchange_events_per_s"] > 0
    assert found["ratio"] == round(found["exchange_events_per_s"] / found["parent_capture_events_per_s"], 3)
    assert 0 <= found["lag_p50_s"] <= found["lag_p99_s"] <= found["lag_max_s"]
    row = (tmp_path / "benchmarks.md").read_text(encoding="utf-8").splitlines()[-1]
    assert row.split(" | ")[2] == "federation sqlite, 600 events; steady 30 ev/s × 2 s"
