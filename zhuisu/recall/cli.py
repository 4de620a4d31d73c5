"""What ``zhuisu trace impact CODE [--json]`` prints and ``zhuisu trace export CODE --format xlsx|csv|jsonld --out
FILE`` writes (the ``zhuisu trace`` command itself is composed in ``zhuisu.app.cli``)."""

import json
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from zhuisu.cli.runtime import fail
from zhuisu.recall import export, service


def export_impact(session: Session, code: str, fmt: str, out: Path | None) -> None:
    if fmt not in ("xlsx", "csv", "jsonld") or out is None:
        raise fail("export needs --format xlsx|csv|jsonld and --out FILE")
    impact = service.recall_impact(session, code)
    out.write_bytes(export.render(session, impact, fmt=fmt, where=export.Filter()))
    typer.echo(f"{out}: {len(impact.things)} things")


def print_impact(session: Session, code: str, as_json: bool) -> None:
    result = service.recall_impact(session, code)
    if as_json:
        typer.echo(json.dumps(result.contract(), ensure_ascii=False))
        return
    table = Table("thing", "holder", "quantity")
    for thing in result.things:
        q = result.quantities.get(thing)
        table.add_row(thing, result.holder_of.get(thing, ""), f"{q.value:g} {q.uom or ''}" if q else "")
    Console().print(table)
    typer.echo(f"holders: {', '.join(result.holders)}\nregions: {', '.join(result.regions)}")
