"""``zhuisu market``: the market room for the local operator (no token: it sees every stall) — the stalls and a
stall's ledger (purchases and sales by day, on hand per lot). Bad input is one line naming the field and exit code
1 (the root command prints the domain's errors)."""

import json
from datetime import date

import typer

from zhuisu.cli.runtime import session_maker
from zhuisu.db.session import unit_of_work
from zhuisu.errors import InvalidInput
from zhuisu.kit.time import BEIJING
from zhuisu.sectors.market import service

app = typer.Typer(
    help="Market scan trading (扫码交易): stalls and their ledgers of purchases and sales.", no_args_is_help=True
)


def _day(value: str, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            f"--{name}：应为 YYYY-MM-DD", message_en=f"--{name}: a date, YYYY-MM-DD", field=name
        ) from None


@app.command("stalls")
def stalls(as_json: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """Every stall: its market, number, site and holder."""
    with unit_of_work(session_maker()) as session:
        rows = service.list_stalls(session, reader=None)
    if as_json:
        typer.echo(json.dumps([r.model_dump(mode="json") for r in rows], ensure_ascii=False))
        return
    for r in rows:
        typer.echo(f"{r.id}  {r.market} {r.number}  {r.name}  {r.holder}")
    typer.echo(f"stalls: {len(rows)}")


@app.command("ledger")
def ledger(
    stall: str = typer.Option(..., "--stall", help="The stall id (zhuisu market stalls)."),
    since: str = typer.Option("", "--since", help="First day (Beijing), YYYY-MM-DD; default 6 days before --until."),
    until: str = typer.Option("", "--until", help="Last day (Beijing), YYYY-MM-DD; default today."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """A stall's purchases and sales by day, and what is on hand per lot."""
    first, last = _day(since, "since"), _day(until, "until")
    with unit_of_work(session_maker()) as session:
        read = service.ledger(session, reader=None, stall=stall, since=first, until=last)
    if as_json:
        typer.echo(read.model_dump_json())
        return
    typer.echo(f"{read.stall.market} {read.stall.number}  {read.stall.name}  {read.since}..{read.until}")
    for day in read.days:
        typer.echo(f"{day.day}  bought ¥{day.purchased_amount:.2f}  sold ¥{day.sold_amount:.2f}")
        for e in [*day.purchases, *day.sales]:
            when = e.time.astimezone(BEIJING).strftime("%H:%M")
            typer.echo(f"  {when} {e.kind:8} {e.product or e.code} {e.lot or ''} {e.unit_quantity:g} {e.unit}")
    for row in read.on_hand:
        typer.echo(f"on hand  {row.product or row.code} {row.lot or ''}  {row.on_hand:g} {row.uom}")
