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
