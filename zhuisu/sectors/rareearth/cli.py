"""``zhuisu rareearth``: the rare earth quotas for the local operator (no token: it sees every record) — the quota
used per producer and kind in a year, and the quotas with their revisions. Bad input is one line naming the field
and exit code 1 (the root command prints the domain's errors)."""

import json
from typing import Any

import typer

from zhuisu.cli.runtime import session_maker
from zhuisu.db.session import unit_of_work
from zhuisu.errors import InvalidInput
from zhuisu.sectors.rareearth import service

app = typer.Typer(
    help="Rare earth (稀土): annual quotas (总量控制) and the quota used per producer.", no_args_is_help=True
)


def _dump(rows: list[Any]) -> str:
    return json.dumps([r.model_dump(mode="json") for r in rows], ensure_ascii=False)


def _year(year: int | None) -> int | None:
    if year is not None and not 2000 <= year <= 2100:
        raise InvalidInput("--year：应在 2000–2100 之间", message_en="--year: between 2000 and 2100", field="year")
    return year


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


@app.command("quotas")
def quotas(
    year: int | None = typer.Option(None, "--year", help="The quota year (default: this year, Beijing)."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """The quota used per producer and kind: produced and sold against the quota in force (%, remaining)."""
    chosen = _year(year)
    with unit_of_work(session_maker()) as session:
        rows = service.usage_rows(session, reader=None, year=chosen)
    if as_json:
        typer.echo(_dump(rows))
        return
    for r in rows:
        basis = " REO" if r.basis == "reo" else ""
        used = "no quota" if r.quota is None else f"{_number(r.used_percent)} % of {_number(r.quota)}"
        typer.echo(
            f"{r.party}  {r.year} {r.kind}  produced {_number(r.produced)} {r.uom}{basis} ({used})  "
            f"sold {_number(r.sold)}  remaining {_number(r.remaining)}"
            + (f"  without quota {_number(r.unquoted)}" if r.unquoted else "")
        )
    typer.echo(f"rows: {len(rows)}")


@app.command("list")
def list_quotas(
    year: int | None = typer.Option(None, "--year", help="Only this year's."),
    history: bool = typer.Option(False, "--history", help="Also the revisions replaced."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """The quotas registered (those in force, or every revision with --history)."""
    chosen = _year(year)
    with unit_of_work(session_maker()) as session:
        rows = service.list_quotas(session, reader=None, year=chosen, history=history)
    if as_json:
        typer.echo(_dump(rows))
        return
    for q in rows:
        state = "" if q.active else "  (replaced)"
        typer.echo(
            f"{q.party}  {q.year} {q.kind}  {_number(q.quantity)} {q.uom} {q.basis}  {q.document_number}  "
            f"rev {q.revision}{state}"
        )
    typer.echo(f"quotas: {len(rows)}")
