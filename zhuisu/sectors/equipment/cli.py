"""``zhuisu equipment``: the special equipment register (特种设备台账) derived from the lifecycle events — list it,
show one piece, rebuild it from the events."""

import json
from datetime import date

import typer

from zhuisu.cli.runtime import fail, session_maker, settings
from zhuisu.db.session import unit_of_work
from zhuisu.errors import ZhuisuError
from zhuisu.sectors.equipment import service

app = typer.Typer(
    help="Special equipment (特种设备): the register derived from lifecycle events.", no_args_is_help=True
)


def _day(on: str) -> date | None:
    if not on:
        return None
    try:
        return date.fromisoformat(on)
    except ValueError:
        raise fail(f"--on: not a date (YYYY-MM-DD): {on}") from None


@app.command("list")
def list_(
    region: str = typer.Option("", "--region", help="Only this GB/T 2260 prefix."),
    class_id: str = typer.Option("", "--class", help="Only this catalog class (and those under it)."),
    condition: str = typer.Option("", "--condition", help="in_service, due, overdue, suspended, scrapped, …"),
    on: str = typer.Option("", "--on", help="Work the conditions out for this day (Beijing; default today)."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Every piece of equipment with its condition, and the counts per condition."""
    with unit_of_work(session_maker()) as session:
        page = service.list_equipment(
            session, None, settings(), region=region, class_id=class_id, condition_key=condition, on=_day(on)
        )
    if as_json:
        typer.echo(page.model_dump_json())
        return
    for item in page.items:
        due = item.next_inspection_due.isoformat() if item.next_inspection_due else "-"
        typer.echo(f"{item.label}  {item.class_name}  {item.condition_name}  next inspection {due}")
    typer.echo("  ".join(f"{k}: {n}" for k, n in page.counts.items() if n) or "no equipment")


@app.command("show")
def show(
    code: str = typer.Argument(..., help="The 18-character 特种设备代码, its URL, or a GIAI/GRAI."),
    on: str = typer.Option("", "--on", help="Work the condition out for this day (Beijing; default today)."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """One piece of equipment: master data, status and condition, inspection, maintenance and filling."""
    with unit_of_work(session_maker()) as session:
        try:
            item = service.get_equipment(session, None, settings(), code, on=_day(on))
        except ZhuisuError as exc:
            raise fail(exc.message_en) from None
    if as_json:
        typer.echo(item.model_dump_json())
        return
    for key, value in item.model_dump(mode="json").items():
        if value not in (None, "", 0):
            typer.echo(f"{key}: {json.dumps(value, ensure_ascii=False) if isinstance(value, dict) else value}")


@app.command("rebuild")
def rebuild(as_json: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """Work every register row out again from the events (after a change of the inspection or maintenance
    intervals, or to check that the register is what the events say)."""
    with unit_of_work(session_maker()) as session:
        count = service.rebuild(session, settings())
    if as_json:
        typer.echo(json.dumps({"equipment": count}))
        return
    typer.echo(f"equipment: {count}")
