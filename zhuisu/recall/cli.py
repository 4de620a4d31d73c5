"""``zhuisu trace``: trace a code back or forward (``zhuisu.trace``), the recall impact of a code, and its exports.

``zhuisu trace CODE [--direction back|forward|both] [--json]``, ``zhuisu trace impact CODE [--json]`` and
``zhuisu trace export CODE --format xlsx|csv|jsonld --out FILE``.
"""

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from zhuisu.cli.runtime import fail, session_maker
from zhuisu.db.session import unit_of_work
from zhuisu.recall import export, service
from zhuisu.trace import cli as trace_cli
from zhuisu.trace import service as trace_service
from zhuisu.trace.schemas import ImpactRead

_DIRECTIONS = ("back", "forward", "both")


def trace_command(
    words: list[str] = typer.Argument(
        ...,
        metavar="CODE | impact CODE | export CODE",
        help="A code (Digital Link, EPC URN, GS1 element string…), or `impact CODE`, or `export CODE`.",
    ),
    direction: str = typer.Option("both", help="back (where it came from), forward (where it went), or both."),
    as_json: bool = typer.Option(
        False,
        "--json",
        help="Print JSON (code, direction, things, events, parties, "
        "findings; impact: code, things, quantities, holders, regions).",
    ),
    fmt: str = typer.Option("xlsx", "--format", help="export: xlsx, csv or jsonld."),
    out: Path = typer.Option(None, "--out", help="export: the file to write."),
) -> None:
    """Trace a code: where it came from, where it went, who held it; `impact` for a recall; `export` to a file."""
    if direction not in _DIRECTIONS:
        raise fail(f"--direction must be back, forward or both, got {direction!r}")
    verb, code = (words[0], words[1]) if len(words) == 2 and words[0] in ("impact", "export") else ("", words[0])
    if len(words) > 2 or (len(words) == 2 and not verb):
        raise fail("usage: zhuisu trace CODE | zhuisu trace impact CODE | zhuisu trace export CODE")
    with unit_of_work(session_maker()) as session:
        if verb == "export":
            _export(session, code, fmt, out)
        elif verb == "impact":
            _print_impact(service.recall_impact(session, code), as_json)
        else:
            kind: trace_service.TraceDirection = (
                "back" if direction == "back" else "forward" if direction == "forward" else "both"
            )
            trace_cli.print_trace(trace_service.trace(session, code, direction=kind), as_json)


def _export(session: Session, code: str, fmt: str, out: Path | None) -> None:
    if fmt not in ("xlsx", "csv", "jsonld") or out is None:
        raise fail("export needs --format xlsx|csv|jsonld and --out FILE")
    impact = service.recall_impact(session, code)
    out.write_bytes(export.render(session, impact, fmt=fmt, where=export.Filter()))
    typer.echo(f"{out}: {len(impact.things)} things")


def _print_impact(result: ImpactRead, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(result.contract(), ensure_ascii=False))
        return
    table = Table("thing", "holder", "quantity")
    for thing in result.things:
        q = result.quantities.get(thing)
        table.add_row(thing, result.holder_of.get(thing, ""), f"{q.value:g} {q.uom or ''}" if q else "")
    Console().print(table)
    typer.echo(f"holders: {', '.join(result.holders)}\nregions: {', '.join(result.regions)}")
