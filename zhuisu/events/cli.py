"""``zhuisu events``: query the events this node holds."""

import json
from datetime import timedelta

import typer
from rich.console import Console
from rich.table import Table

from zhuisu.cli.runtime import fail, session_maker, settings
from zhuisu.db.session import unit_of_work
from zhuisu.epcis.query.params import parse_query
from zhuisu.events import service
from zhuisu.events.permissions import EVERYTHING
from zhuisu.kit.time import format_iso
from zhuisu.models import Event

app = typer.Typer(help="Query captured EPCIS events.", no_args_is_help=True)


@app.command("query")
def query(
    param: list[str] = typer.Option(
        [], "--param", "-p", help="A query parameter NAME=VALUE (repeatable), e.g. EQ_bizStep=shipping."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the EPCISQueryDocument."),
    limit: int = typer.Option(0, help="Stop after this many events (0: all)."),
) -> None:
    """Run a SimpleEventQuery (the parameters of GET /events) and print the matching events."""
    pairs = []
    for item in param:
        name, sep, value = item.partition("=")
        if not sep:
            raise fail(f"--param expects NAME=VALUE, got {item!r}")
        pairs.append((name.strip(), value))
    if limit:
        pairs.append(("eventCountLimit", str(limit)))
    parsed = parse_query(pairs)
    ttl = timedelta(seconds=settings().page_token_ttl_seconds)
    with unit_of_work(session_maker()) as session:
        events: list[Event] = []
        token: str | None = None
        while True:
            page = service.query_events(
                session,
                parsed,
                per_page=settings().query_max_per_page,
                page_token=token,
                token_ttl=ttl,
                scope=EVERYTHING,  # the local operator
            )
            events += page.events
            token = page.next_token
            if not token:
                break
        document = service.query_document(session, events)
    if as_json:
        typer.echo(json.dumps(document, ensure_ascii=False))
        return
    table = Table("eventTime", "type", "action", "bizStep", "eventID")
    for e in events:
        table.add_row(format_iso(e.event_time), e.type, e.action or "", e.biz_step or "", e.event_id)
    Console().print(table)
    typer.echo(f"{len(events)} events")


@app.command("partitions")
def partitions_(
    ahead: int | None = typer.Option(
        None,
        min=0,
        max=24,
        help="First create the partitions of this month and this many months ahead (default: list only).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """PostgreSQL: the monthly partitions of the events table — key range, rows, size, first and last record time.
    SQLite is not partitioned.

    ``--json``: ``{"partitioned", "created": [table], "partitions": [{"table", "month", "first_key", "end_key",
    "rows", "bytes", "first_record_time", "last_record_time"}]}``."""
    from zhuisu.events import partitions
    from zhuisu.kit.time import utc_now

    with unit_of_work(session_maker()) as session:
        partitioned = partitions.partitioned(session)
        created = (
            partitions.ensure_months(session, partitions.Month.of(utc_now()), ahead + 1)
            if partitioned and ahead is not None
            else []
        )
        found = partitions.listing(session)
    if as_json:
        rows = [
            {
                **{k: getattr(p, k) for k in ("table", "month", "first_key", "end_key", "rows", "bytes")},
                "first_record_time": format_iso(p.first_record_time) if p.first_record_time else None,
                "last_record_time": format_iso(p.last_record_time) if p.last_record_time else None,
            }
            for p in found
        ]
        typer.echo(json.dumps({"partitioned": partitioned, "created": created, "partitions": rows}))
        return
    if not partitioned:
        typer.echo("事件表未分区（SQLite 或迁移前）/ the events table is not partitioned (SQLite, or not migrated)")
        return
    table = Table("partition", "month", "keys", "rows≈", "size", "record time")
    for p in found:
        span = (
            f"{format_iso(p.first_record_time)} … {format_iso(p.last_record_time)}"
            if p.first_record_time and p.last_record_time
            else "—"
        )
        keys = f"{'−∞' if p.first_key is None else p.first_key} … {p.end_key - 1}"
        table.add_row(p.table, p.month or "history", keys, f"{p.rows:,}", f"{p.bytes / 1e6:.1f} MB", span)
    Console().print(table)
    if created:
        typer.echo(f"created {', '.join(created)}")
