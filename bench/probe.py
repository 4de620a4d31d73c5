"""The conditions of a benchmark: the PostgreSQL server it starts (``PG_SETTINGS``), and the speed of this
machine at the moment of a measurement (``machine_probe_ms``: a fixed pure-Python workload — 300,000 dictionary
inserts of fresh strings, then a sum; the best of five — in milliseconds).

The benchmark machine shares its host: the same code measured an hour apart differs by up to 2× (this probe
itself went from 73 to 141 ms within one session). A figure is comparable to another only with its probe beside
it; each benchmark records one right after its impact measurements.
"""

import time
from pathlib import Path
from typing import Any

import psycopg

from tests.support import pgserver


def machine_probe_ms(rounds: int = 5) -> float:
    def once() -> float:
        started = time.perf_counter()
        found = {str(i): i for i in range(300_000)}
        sum(found.values())
        return (time.perf_counter() - started) * 1000

    return round(min(once() for _ in range(rounds)), 1)


#: The PostgreSQL server the benchmarks start: the test server's settings (``fsync`` off: throwaway data) with
#: ``shared_buffers`` at 1 GB. PostgreSQL's default of 128 MB is sized for the smallest machines (its guidance is
#: about a quarter of RAM); at 128 MB a recall impact's 100,000 items' index pages (~200 MB) no longer fit, are
#: read again from the OS cache on every impact, and the figures vary with whatever else the host caches.
PG_SETTINGS = {"shared_buffers": "1GB"}


def fresh_database(kind: str, tmp: Path, name: str, server: pgserver.PgServer | None) -> str:
    """The URL of a new empty database ``name``: a SQLite file in ``tmp``, or a database created on ``server``."""
    if kind == "sqlite":
        return f"sqlite:///{tmp / (name + '.db')}"
    assert server is not None
    with psycopg.connect(f"host=127.0.0.1 port={server.port} user=postgres dbname=postgres", autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}"')
    return server.url(name)


def print_by_database(
    databases: dict[str, dict[str, Any]], *, skip: frozenset[str] = frozenset(), width: int = 16
) -> None:
    """The figures of each database side by side, a metric a line (``skip``: those that are not one value)."""
    print(f"\n{'metric':<28}" + "".join(f"{k:>{width}}" for k in databases))
    for key in next(iter(databases.values())):
        if key not in skip:
            print(f"{key:<28}" + "".join(f"{databases[k][key]!s:>{width}}" for k in databases))
