"""The benchmarks' history: each run appends a dated row to docs/benchmarks.md (the figures it printed), so what a
change did to them stays visible beside the code.

A row: the UTC date and time, the commit (with ``+`` when the work tree had changes), the benchmark, its figures in
a few words, and the machine's load average when it ended (a loaded machine's figures are not comparable).
"""

import os
import subprocess
from datetime import UTC, datetime
from pathlib import Path

HISTORY = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
HEADER = """# Benchmarks: the history

Each `make bench`, `bench-startup`, `bench-portal`, `bench-risk`, `bench-capture`, `bench-federation` and `bench-peer`
run appends a row here (`bench/history.py`); the JSON of the latest run of each is in `bench/results/`. Figures are
from the machine that ran them (the project's is 2 cores, 24 GiB): compare rows of one machine, at a low load average.

| date (UTC) | commit | benchmark | figures | load |
|---|---|---|---|---|
"""


def _commit() -> str:
    root = HISTORY.parent.parent
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"], cwd=root, capture_output=True, text=True
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return "?"
    return sha + ("+" if dirty.strip() else "")


def append(benchmark: str, figures: str, *, path: Path | None = None) -> str:
    """Append a row for ``benchmark`` with ``figures`` (a short text) to ``path`` (docs/benchmarks.md); returns the
    row."""
    path = path or HISTORY
    if not path.exists():
        path.write_text(HEADER, encoding="utf-8")
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M")
    load = f"{os.getloadavg()[0]:.2f}"
    row = f"| {when} | {_commit()} | {benchmark} | {figures.replace('|', '/')} | {load} |\n"
    with path.open("a", encoding="utf-8") as out:
        out.write(row)
    return row
