"""``zhuisu hazardous``: the hazardous goods sector for the local operator (no token: it sees every record) —
permits with what was sold under each, electronic waybills (list, create from a JSON file, cancel) and the stock on
hand per warehouse. Bad input is one line naming the field and exit code 1 (the root command prints the domain's
errors)."""

import json
from pathlib import Path
from typing import Any, TypeVar

import typer
from pydantic import BaseModel, ValidationError

from zhuisu.cli.runtime import session_maker
from zhuisu.db.session import unit_of_work
from zhuisu.errors import InvalidInput
from zhuisu.kit.time import BEIJING
from zhuisu.sectors.hazardous import service
from zhuisu.sectors.hazardous.schemas import WaybillCancel, WaybillCreate

app = typer.Typer(help="Hazardous goods (危险品): permits, electronic waybills, stock on hand.", no_args_is_help=True)
waybill_app = typer.Typer(help="One electronic waybill (电子运单): create, cancel.", no_args_is_help=True)
app.add_typer(waybill_app, name="waybill")

STATES = ("open", "planned", "on_road", "received", "cancelled")
Body = TypeVar("Body", bound=BaseModel)


def _dump(rows: list[Any]) -> str:
    return json.dumps([r.model_dump(mode="json") for r in rows], ensure_ascii=False)


def _number(value: float | None) -> str:
    return "-" if value is None else f"{value:g}"


@app.command("permits")
def permits(as_json: bool = typer.Option(False, "--json", help="Print as JSON.")) -> None:
    """Permits with a quantity limit, with the quantity sold under each within its validity."""
    with unit_of_work(session_maker()) as session:
        rows = service.list_permits(session, reader=None)
    if as_json:
        typer.echo(_dump(rows))
        return
    for p in rows:
        until = p.valid_to.isoformat() if p.valid_to else "-"
        typer.echo(
            f"{p.number}  {p.licence_type}  {p.valid_from.isoformat()}..{until}  used {_number(p.quantity_used)} of "
            f"{_number(p.quantity_limit)} {p.quantity_unit or ''}{'' if p.confirmed else '  (not confirmed)'}"
        )
    typer.echo(f"permits: {len(rows)}")


@app.command("waybills")
def waybills(
    state: str = typer.Option(
        "", "--state", help="open (planned or on the road), planned, on_road, received, cancelled."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Electronic waybills with their state read from the events, by window."""
    if state and state not in STATES:
        raise InvalidInput(
            f"--state：应为 {'、'.join(STATES)} 之一", message_en=f"--state: one of {', '.join(STATES)}", field="state"
        )
    with unit_of_work(session_maker()) as session:
        rows = service.list_waybills(session, reader=None, state=state or None)
    if as_json:
        typer.echo(_dump(rows))
        return
    for w in rows:
        end = w.window_end.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
        typer.echo(
            f"{w.number}  {w.state}{' (overdue)' if w.overdue else ''}  {w.consignor} → {w.consignee}  "
            f"carrier {w.carrier} {w.vehicle_plate}  window ends {end}"
        )
    typer.echo(f"waybills: {len(rows)}")


def _body(path: Path, model: type[Body]) -> Body:
    """The JSON body in ``path`` as ``model``; else InvalidInput naming the file or the field."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidInput(
            f"--file：无法读取 {path}：{exc.strerror}",
            message_en=f"--file: cannot read {path}: {exc.strerror}",
            field="file",
        ) from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(
            f"--file：{path} 不是 JSON：{exc}", message_en=f"--file: {path} is not JSON: {exc}", field="file"
        ) from None
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"]) or "body"
        raise InvalidInput(f"{where}：{first['msg']}", message_en=f"{where}: {first['msg']}", field=where) from None


@waybill_app.command("create")
def create(
    file: Path = typer.Option(..., "--file", help="The waybill as JSON: the body of POST /api/v1/hazardous/waybills."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Create an electronic waybill for the owner of its origin (the consignor)."""
    body = _body(file, WaybillCreate)
    with unit_of_work(session_maker()) as session:
        read = service.create_waybill(session, body, actor=None)
    if as_json:
        typer.echo(read.model_dump_json())
        return
    typer.echo(f"waybill {read.number} created: {read.consignor} → {read.consignee}, carrier {read.carrier}")


@waybill_app.command("cancel")
def cancel(
    number: str = typer.Argument(..., help="The waybill number."),
    reason: str = typer.Option("", "--reason", help="Why (kept in the audit log)."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Cancel (作废) a waybill not yet received."""
    try:
        body = WaybillCancel(reason=reason)
    except ValidationError:
        raise InvalidInput(
            "--reason：至多 500 个字符", message_en="--reason: at most 500 characters", field="reason"
        ) from None
    with unit_of_work(session_maker()) as session:
        read = service.cancel_waybill(session, number, body, actor=None)
    if as_json:
        typer.echo(read.model_dump_json())
        return
    typer.echo(f"waybill {read.number} cancelled")


@app.command("stock")
def stock(
    region: str = typer.Option("", "--region", help="Only warehouses in this GB/T 2260 prefix."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Hazardous stock on hand per warehouse and product (received − issued − destroyed) and the latest count."""
    if region and not (region.isdigit() and len(region) <= 6):
        raise InvalidInput(
            "--region：应为 GB/T 2260 行政区划代码（的前缀）",
            message_en="--region: a GB/T 2260 region code (or its prefix)",
            field="region",
        )
    with unit_of_work(session_maker()) as session:
        rows = service.stock(session, reader=None, region=region)
    if as_json:
        typer.echo(_dump(rows))
        return
    for r in rows:
        difference = "" if r.difference in (None, 0) else f"  count differs by {_number(r.difference)}"
        typer.echo(
            f"{r.warehouse_name} ({r.region or '-'})  {r.product}  on hand {_number(r.on_hand)} {r.uom}  "
            f"counted {_number(r.counted)}{difference}"
        )
    typer.echo(f"rows: {len(rows)}")
