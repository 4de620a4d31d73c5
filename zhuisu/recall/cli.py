"""What ``zhuisu trace impact CODE [--json]`` prints and ``zhuisu trace export CODE --format xlsx|csv|jsonld --out
FILE`` writes (the ``zhuisu trace`` command itself is composed in ``zhuisu.app.cli``), and ``zhuisu recall
create|show|list|close|report``: recall orders, as the node's operator (who reads every recall; a recall is issued
in the name of a party, whose right to issue it is checked as the API checks it)."""

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from zhuisu.cli.runtime import fail, progress, session_maker
from zhuisu.db.session import unit_of_work
from zhuisu.kit.time import BEIJING
from zhuisu.parties import service as parties_service
from zhuisu.recall import export, orders, report, service
from zhuisu.recall.schemas import RecallCreate, RecallRead, RecallSummary

app = typer.Typer(help="Recall orders: issue, follow, close, report.", no_args_is_help=True)


def export_impact(session: Session, code: str, fmt: str, out: Path | None) -> None:
    if fmt not in ("xlsx", "csv", "jsonld") or out is None:
        raise fail("export needs --format xlsx|csv|jsonld and --out FILE")
    with progress("导出 / export") as bar:
        # three stages, each as long as the impact is large: the walk, the rows, the file
        task = bar.add_task("export", total=3, rate="walking the trace graph")
        impact = service.recall_impact(session, code)
        bar.update(task, advance=1, rate=f"{len(impact.things)} things; rendering {fmt}")
        data = export.render(session, impact, fmt=fmt, where=export.Filter())
        bar.update(task, advance=1, rate=f"writing {len(data):,} bytes")
        out.write_bytes(data)
        bar.update(task, advance=1, rate=f"{len(impact.things)} things")
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


def _deadline(text: str) -> datetime:
    """An ISO date or time; without an offset, Beijing time (a date: the end of that day)."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise fail(f"--deadline: not a date or time: {text}") from exc
    if len(text) == 10:
        moment = moment.replace(hour=23, minute=59, second=59)
    return moment if moment.tzinfo else moment.replace(tzinfo=BEIJING)


def _moment(text: str | None) -> datetime | None:
    """An ISO date (its start) or time; without an offset, Beijing time."""
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise fail(f"not a date or time: {text}") from exc
    return moment if moment.tzinfo else moment.replace(tzinfo=BEIJING)


def _print(read: RecallRead | RecallSummary, as_json: bool) -> None:
    if as_json:
        typer.echo(read.model_dump_json())
        return
    c = read.completion
    typer.echo(
        f"{read.id}  {report.KINDS[read.kind]} {report.LEVELS[read.level]}  {report.STATUSES[read.status]}  "
        f"{c.percent:g}% ({c.quantity_confirmed:g}/{c.quantity_out:g})  {read.code}"
    )
    if isinstance(read, RecallRead):
        table = Table("holder", "region", "out", "confirmed", "status")
        for h in read.holders:
            table.add_row(h.name, h.region or "", f"{h.quantity_out:g}", f"{h.quantity_confirmed:g}", h.status)
        Console().print(table)


@app.command("create")
def create(
    code: str = typer.Argument(None, help="The recalled code (an item or a lot); or --product."),
    issuer: str = typer.Option(
        ..., help="The issuing party (id, 统一社会信用代码 or GLN): the brand owner, or a regulator."
    ),
    reason: str = typer.Option(..., help="Why (shown on the product page)."),
    level: int = typer.Option(..., min=1, max=3, help="1, 2 or 3 (一级/二级/三级召回)."),
    deadline: str = typer.Option(..., help="By when holders confirm: 2026-12-31 or 2026-12-31T18:00+08:00."),
    kind: str = typer.Option(None, help="voluntary or ordered (follows from the issuer)."),
    advice: str = typer.Option("", help="What consumers should do (a default per level)."),
    product: str = typer.Option(None, help="Instead of a code: a product's GTIN (every item and lot of it made …)."),
    since: str = typer.Option(None, help="… at or after this date or time (with --product)."),
    until: str = typer.Option(None, help="… before this date or time (with --product)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Issue a recall: snapshot the impact, tell the holders, publish the notice."""
    fields: dict[str, Any] = {"code": code, "reason": reason, "level": level, "deadline": _deadline(deadline)}
    fields |= {"product": product, "since": _moment(since), "until": _moment(until)}
    try:
        order = RecallCreate.model_validate(fields | {"kind": kind, "advice": advice})
    except ValidationError as exc:
        raise fail("; ".join(str(e["msg"]) for e in exc.errors())) from exc
    with unit_of_work(session_maker()) as session:
        party = parties_service.find_party_by_identifier(session, issuer)
        if party is None:
            raise fail(f"no party {issuer}")
        recall = orders.issue_recall(session, issuer=party, order=order)
        read = orders.get_recall(session, recall.id, reader=None)
    _print(read, as_json)


@app.command("show")
def show(recall_id: str, as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """A recall: its impact, holders, completion and timeline."""
    with unit_of_work(session_maker()) as session:
        read = orders.get_recall(session, recall_id, reader=None)
    _print(read, as_json)


@app.command("list")
def list_(
    status: str = typer.Option(None, help="open or closed."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Every recall, newest first."""
    with unit_of_work(session_maker()) as session:
        found = orders.list_recalls(session, reader=None, status=status)
    if as_json:
        typer.echo(json.dumps([r.model_dump(mode="json") for r in found], ensure_ascii=False))
        return
    for read in found:
        _print(read, False)


@app.command("close")
def close(
    recall_id: str,
    note: str = typer.Option("", help="Why it is closed, what remains."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Close a recall; its completion is kept as it is now."""
    with unit_of_work(session_maker()) as session:
        read = orders.close_recall(session, recall_id, actor=None, note=note)
    _print(read, as_json)


@app.command("report")
def report_(
    recall_id: str,
    fmt: str = typer.Option("xlsx", "--format", help="xlsx or pdf."),
    out: Path = typer.Option(..., help="The file to write."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Write a recall's report (the order, holders, timeline, unconfirmed remainder). --json: ``{"recall", "path",
    "format", "bytes"}``."""
    if fmt not in ("xlsx", "pdf"):
        raise fail("--format xlsx|pdf")
    with unit_of_work(session_maker()) as session:
        recall = orders.find_for_report(session, recall_id, reader=None)
        body = report.render(session, recall, fmt=fmt)
        out.write_bytes(body)
    if as_json:
        typer.echo(json.dumps({"recall": recall_id, "path": str(out), "format": fmt, "bytes": len(body)}))
        return
    typer.echo(str(out))
