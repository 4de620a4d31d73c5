"""Start-up of the ``zhuisu`` command: ``python -m bench.startup [--runs 7]`` (``make bench-startup``).

Each figure is the wall time of a whole process, as a user or a script meets it, the best and the median of
``--runs``:

- ``python``: ``python -c pass``, the interpreter's own floor;
- ``help``: ``zhuisu --help`` (goal ≤ 0.3 s);
- ``codes_check``: ``zhuisu codes check`` of a GS1 element string (a command that reads no database);
- ``import_one``: ``zhuisu import`` of a document of one new event into a fresh migrated SQLite database (what
  capture and its readers cost to start: the ledger, the trace graph, the portal's stories, the risk rules).

Also the number of modules ``zhuisu --help`` imports. Prints a table and writes bench/results/startup.json.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from bench import history
from tests.support.epcis import document, object_event

RESULTS = Path(__file__).parent / "results"
#: One new event (commissioned), as ``zhuisu import`` reads a file.
DOCUMENT = document(object_event(1, action="ADD", bizStep="commissioning", disposition="active"))


def _zhuisu() -> list[str]:
    script = Path(sys.executable).parent / "zhuisu"
    return [str(script)] if script.exists() else [sys.executable, "-m", "zhuisu"]


def _timed(command: list[str], env: dict[str, str], before: list[str] | None = None) -> float:
    if before:
        subprocess.run(before, env=env, check=True, capture_output=True)
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}): {done.stderr[-1000:]}")
    return elapsed


def _modules(env: dict[str, str]) -> int:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "zhuisu", "--help"], env=env, capture_output=True, text=True
    )
    return sum(1 for line in done.stderr.splitlines() if line.startswith("import time:") and "|" in line) - 1


def run(runs: int) -> dict[str, Any]:
    zhuisu = _zhuisu()
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        doc = Path(tmp) / "one.jsonld"
        doc.write_text(json.dumps(DOCUMENT), encoding="utf-8")
        env = {**os.environ, "ZHUISU_DATA_DIR": tmp, "ZHUISU_DATABASE_URL": f"sqlite:///{tmp}/startup.db"}
        fresh = ["sh", "-c", f"rm -f {tmp}/startup.db && {' '.join(zhuisu)} db upgrade"]
        cases = {
            "python": ([sys.executable, "-c", "pass"], None),
            "help": ([*zhuisu, "--help"], None),
            "codes_check": ([*zhuisu, "codes", "check", "(01)06901234123456(21)1001"], None),
            "import_one": ([*zhuisu, "import", str(doc)], fresh),
        }
        for name, (command, before) in cases.items():
            times = [_timed(command, env, before) for _ in range(runs)]
            figures[name] = {"best_s": round(min(times), 3), "median_s": round(statistics.median(times), 3)}
        figures["help_modules"] = _modules(env)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()
    figures = run(args.runs)
    result = {"runs": args.runs, "cpus": os.cpu_count(), "load_average": os.getloadavg()[0], **figures}
    for name, value in figures.items():
        if isinstance(value, dict):
            print(f"{name:12} best {value['best_s']:.3f} s   median {value['median_s']:.3f} s")
    print(f"zhuisu --help imports {figures['help_modules']} modules")
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "startup.json").write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(json.dumps(result))
    history.append(
        "startup",
        f"--help {figures['help']['best_s']} s ({figures['help_modules']} modules) · codes check "
        f"{figures['codes_check']['best_s']} s · import of one event {figures['import_one']['best_s']} s "
        f"(best of {args.runs})",
    )


if __name__ == "__main__":
    main()
