"""``make fuzz``: schemathesis over a running node's OpenAPI, as an enterprise, a regulator and the admin.

A node is started on a fresh SQLite database with the demo content (``zhuisu demo load``) in a temporary directory;
schemathesis generates requests for every operation of its ``/openapi.json`` (examples, boundary values, random
data, then chains of calls) and checks each answer: never a server error, and the status, content type and body
the schema documents. Each run's figures are printed at the end; the exit code is 1 when any run found a failure.

    python scripts/fuzz.py [--max-examples N] [--seed S] [--checks …] [--keep DIR]

Not part of ``make test``: it takes minutes and its examples vary with the seed.
"""

import argparse
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
#: What every answer is checked for. Left out: ``positive_data_acceptance`` (the schema cannot say which codes,
#: events or parties exist, so valid-looking data is refused with 404/400 by design), ``negative_data_rejection``
#: and ``missing_required_header`` (several inputs are read leniently on purpose: EPC forms, GS1 headers), and
#: the access checks (``ignored_auth``, ``use_after_free``, …; the tests under ``tests/auth`` own those).
CHECKS = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
    "response_headers_conformance",
)


@dataclass(frozen=True)
class Run:
    role: str
    token_file: str
    #: schemathesis filters (empty: every operation)
    only: tuple[str, ...] = ()


RUNS = (
    Run("enterprise", "demo-token"),
    Run(
        "regulator",
        "demo-regulator-token",
        ("--include-tag", "dashboard", "--include-tag", "audit", "--include-tag", "query", "--include-tag", "trace"),
    ),
    Run("admin", "demo-admin-token", ("--include-tag", "master data", "--include-tag", "catalog")),
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--max-examples", type=int, default=100, help="Most test cases per operation and phase.")
    parser.add_argument("--seed", type=int, default=1, help="schemathesis' random seed (same seed, same run).")
    parser.add_argument("--events", type=int, default=2000, help="Events of the demo city.")
    parser.add_argument("--checks", default=",".join(CHECKS), help="schemathesis checks, comma-separated.")
    parser.add_argument("--roles", default=",".join(r.role for r in RUNS), help="Which runs, comma-separated.")
    parser.add_argument("--workers", default="2", help="schemathesis workers.")
    parser.add_argument("--keep", type=Path, help="Work in this directory and keep it (database, logs, reports).")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="zhuisu-fuzz-"))
    work.mkdir(parents=True, exist_ok=True)
    try:
        return fuzz(work, args)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


def fuzz(work: Path, args: argparse.Namespace) -> int:
    env = {
        **os.environ,
        "ZHUISU_DATA_DIR": str(work / "var"),
        "ZHUISU_DATABASE_URL": "",
        "ZHUISU_DEMO_EVENTS": str(args.events),
        "ZHUISU_PORTAL_RATE_PER_SECOND": "0",  # the portal's rate limit would answer most requests 429
    }
    zhuisu = [sys.executable, "-m", "zhuisu"]
    subprocess.run([*zhuisu, "db", "upgrade"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([*zhuisu, "demo", "load"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    port = _free_port()
    log = work / "serve.log"
    with log.open("ab") as out:
        # no delivery worker: a fuzzed subscription must not make the node call the hosts it names
        server = subprocess.Popen(
            [*zhuisu, "serve", "--port", str(port), "--no-worker"], env=env, cwd=ROOT, stdout=out, stderr=out
        )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base, server)
        results = []
        for run in RUNS:
            if run.role in args.roles.split(","):
                results.append(_schemathesis(run, base, work, args))
    finally:
        server.terminate()
        server.wait(timeout=30)
    tracebacks = log.read_text(errors="replace").count("Traceback")
    _summary(results, tracebacks, log if args.keep else None)
    failed = any(r["test_cases"]["with_failures"] or r["errors"] for _, r, _ in results)
    return 1 if failed or tracebacks else 0


def _schemathesis(run: Run, base: str, work: Path, args: argparse.Namespace) -> tuple[Run, dict[str, Any], float]:
    token = (work / "var" / run.token_file).read_text().strip()
    report = work / f"schemathesis-{run.role}.json"
    command = [
        str(BIN / "schemathesis"),
        "run",
        f"{base}/openapi.json",
        "--header",
        f"Authorization: Bearer {token}",
        "--checks",
        args.checks,
        "--max-examples",
        str(args.max_examples),
        "--seed",
        str(args.seed),
        "--workers",
        args.workers,
        # SQLite has one writer: a write waits while another worker's request issues a batch of up to 100,000 codes
        # (seconds on a busy machine; schemathesis' default of 10 s timed out a complaint once, seed 2)
        "--request-timeout",
        "60",
        "--generation-database",
        "none",
        "--report",
        "json",
        "--report-json-path",
        str(report),
        "--no-color",
        *run.only,
    ]
    print(f"\n=== schemathesis as {run.role} ===", flush=True)
    started = time.monotonic()
    subprocess.run(command, cwd=work, check=False)
    return run, json.loads(report.read_text()), time.monotonic() - started


def _summary(results: list[tuple[Run, dict[str, Any], float]], tracebacks: int, log: Path | None) -> None:
    print("\n=== make fuzz: summary ===")
    for run, report, seconds in results:
        ops, cases = report["operations"], report["test_cases"]
        print(
            f"{run.role:<11} {ops['tested']}/{ops['selected']} operations, {cases['generated']} test cases, "
            f"{cases['with_failures']} failing ({cases['unique_failures']} unique), {len(report['errors'])} errors, "
            f"{seconds:.0f} s"
        )
        for failure in report["failures"]:
            print(f"    {failure['code']} {failure['title']} ×{failure['count']}: {', '.join(failure['operations'])}")
        for error in report["errors"]:
            print(f"    error: {str(error)[:300]}")
    print(f"server log: {tracebacks} tracebacks" + (f" ({log})" if log else ""))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait(base: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base}/", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline or server.poll() is not None:
            raise SystemExit("the node did not start")
        time.sleep(0.2)


if __name__ == "__main__":
    sys.exit(main())
