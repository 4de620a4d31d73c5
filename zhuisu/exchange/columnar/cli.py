"""``zhuisu export parquet --out DIR``: the node's events, their identifiers and the parties as Parquet files, for
analytics (DuckDB, ClickHouse, Spark) — see ``service``."""

import json
import time
from datetime import datetime
from pathlib import Path

import typer

from zhuisu.cli.runtime import fail, session_maker, settings
from zhuisu.db.session import unit_of_work
from zhuisu.exchange.columnar import service
from zhuisu.kit.time import parse_iso
from zhuisu.ledger import keystore

app = typer.Typer(help="Exports for analytics.", no_args_is_help=True)


def _time(value: str | None, option: str) -> datetime | None:
    if value is None:
        return None
    try:
        return parse_iso(value)
    except ValueError as exc:
        raise fail(f"{option}: an ISO 8601 time with its offset, e.g. 2026-12-01T00:00:00+08:00 ({exc})") from exc


@app.command("parquet")
def parquet(
    out: Path = typer.Option(
        ..., "--out", help="Directory to write events.parquet, event_epcs.parquet, parties.parquet."
    ),
    since: str | None = typer.Option(None, "--since", help="Events recorded at or after this time (ISO 8601)."),
    until: str | None = typer.Option(None, "--until", help="Events recorded before this time (ISO 8601)."),
    as_json: bool = typer.Option(False, "--json", help='Print {"directory", "files": {name: rows}, "seconds"}.'),
) -> None:
    """Export the events (one row each, with the recorder and where each was first recorded), their identifiers and
    the parties as Parquet (zstd), in row groups of 50,000; --since/--until export a window of record time."""
    start, end = _time(since, "--since"), _time(until, "--until")
    started = time.perf_counter()
    with unit_of_work(session_maker(), write=False) as session:
        done = service.export(session, out, since=start, until=end, origin=keystore.log_origin(settings()))
    result = {**done.to_json(), "seconds": round(time.perf_counter() - started, 3)}
    if as_json:
        typer.echo(json.dumps(result, ensure_ascii=False))
        return
    for name, rows in result["files"].items():
        typer.echo(f"{out / name}: {rows:,} rows")
