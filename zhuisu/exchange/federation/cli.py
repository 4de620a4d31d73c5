"""``zhuisu node``: federation from the command line, as the node's operator.

On the parent: ``zhuisu node add NAME --region R`` registers a child node and prints its token (once). On the child:
``zhuisu node link --parent URL --token T`` asks the parent what it is (``GET /exchange/node``), registers this
node's log there (``POST /exchange/link``; the parent witnesses it from then on) and stores the link, so the worker
sends every event recorded from now on. On both: ``zhuisu node list [--json]`` (links up with their outbox, children
down with what they sent), ``zhuisu node push`` (one sender round now), ``zhuisu node requeue`` (send the events
the parent refused once more, after its rules or the data were fixed).
"""

import json
from typing import Any

import httpx
import typer
from rich.console import Console
from rich.table import Table

from zhuisu.cli.runtime import fail, session_maker, settings
from zhuisu.db.session import unit_of_work
from zhuisu.exchange.federation import sender, service
from zhuisu.kit.time import BEIJING, parse_iso
from zhuisu.ledger import upkeep

app = typer.Typer(help="Federation: child and parent nodes (上下一体).", no_args_is_help=True)


@app.command("add")
def add(
    name: str = typer.Argument(..., help="The child node's name (e.g. 示范市追溯平台)."),
    region: str | None = typer.Option(None, "--region", help="Its GB/T 2260 region code."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """On the parent: register a child node (a party of role node) and print its token, shown once."""
    with unit_of_work(session_maker()) as session:
        party, secret = service.add_child(session, name=name, region=region)
        party_id = party.id
    if as_json:
        typer.echo(json.dumps({"party_id": party_id, "name": name, "token": secret}, ensure_ascii=False))
    else:
        typer.echo(
            f"{name} ({party_id})\ntoken: {secret}\non the child: zhuisu node link --parent <this URL> --token …"
        )


@app.command("link")
def link(
    parent: str = typer.Option(..., "--parent", help="The parent node's base URL."),
    token: str = typer.Option(..., "--token", help="This node's token at the parent (zhuisu node add there)."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """On the child: link to the parent node; events recorded from now on are sent to it, and it witnesses this
    node's log."""
    config = settings()
    url = parent.rstrip("/")
    here = service.identity(config)
    with unit_of_work(session_maker(), write=False) as session:
        request = service.link_request(config, service.own_directory(session, config))
    try:
        answer = httpx.get(f"{url}/exchange/node", timeout=config.federation_timeout_seconds)
        if answer.status_code != 200:
            raise fail(f"{url}/exchange/node answered {answer.status_code}: is it a zhuisu node?")
        described = service.NodeIdentity(**{k: str(answer.json()[k]) for k in service.NodeIdentity.__annotations__})
        linked = httpx.post(
            f"{url}/exchange/link",
            json=request,
            headers={"Authorization": f"Bearer {token}", "Accept-Language": "en"},
            timeout=config.federation_timeout_seconds,
        )
    except (httpx.HTTPError, ValueError, KeyError) as exc:
        raise fail(f"cannot reach the parent node at {url}: {exc}") from exc
    if linked.status_code != 200:
        raise fail(f"the parent refused the link ({linked.status_code}): {_detail(linked)}")
    with unit_of_work(session_maker()) as session:
        row = service.create_link(
            session, parent_url=url, token=token, parent=described, directory=request["directory"]
        )
        out = {"parent_url": row.parent_url, "parent_name": row.parent_name, "parent_origin": row.parent_origin}
    if as_json:
        typer.echo(json.dumps(out, ensure_ascii=False))
    else:
        typer.echo(f"linked to {described.name} ({url}); its witness cosigns {here.origin}")


def _detail(response: httpx.Response) -> str:
    try:
        return str(response.json().get("detail"))
    except ValueError:
        return response.text[:300]


@app.command("list")
def list_(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Links to parent nodes (outbox depth, lag, last success and error), child nodes (events received), and the
    events a parent refused, with its reasons (the latest 100)."""
    with unit_of_work(session_maker(), write=False) as session:
        links = [s.to_json() for s in service.link_statuses(session)]
        children = [service.child_json(c, p) for c, p in service.list_children(session)]
        refused = service.refused_events(session)
    if as_json:
        typer.echo(json.dumps({"links": links, "children": children, "refused": refused}, ensure_ascii=False))
        return
    console = Console()
    up = Table("parent", "outbox", "lag s", "sent", "refused", "last success", "last error", title="上级 / parents")
    for row in links:
        up.add_row(
            f"{row['parent_name']} {row['parent_url']}",
            str(row["outbox_depth"]),
            f"{row['lag_seconds']:.1f}",
            str(row["sent"]),
            str(row["refused"]),
            _local(row["last_success_at"]),
            row["last_error"] or "",
        )
    down = Table("child", "origin", "received", "last received", title="下级 / children")
    for row in children:
        down.add_row(
            row["name"],
            row["origin"] or "（未连接 / not linked）",
            str(row["received"]),
            _local(row["last_received_at"]),
        )
    console.print(up if links else "上级 / parents: 未连接 / not linked (zhuisu node link)")
    console.print(down if children else "下级 / children: 无 / none (zhuisu node add)")
    for row in refused:
        reasons = "; ".join(str(e.get("message")) for e in row["errors"])
        console.print(f"[red]refused by {row['parent_url']}:[/red] {row['eventID']}: {reasons}", highlight=False)


def _local(value: Any) -> str:
    return parse_iso(value).astimezone(BEIJING).strftime("%Y-%m-%d %H:%M:%S") if value else ""


@app.command("directory")
def directory_(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """The resolver directory: which node answers for the codes under each prefix (from the children, or entered
    with ``zhuisu node route``)."""
    with unit_of_work(session_maker(), write=False) as session:
        rows = [
            {"kind": e.kind, "prefix": e.prefix, "url": e.url, "name": e.name, "from_child": e.child_id}
            for e in service.list_directory(session)
        ]
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False))
        return
    table = Table("kind", "prefix", "node", "url")
    for row in rows:
        table.add_row(str(row["kind"]), str(row["prefix"]), str(row["name"]), str(row["url"]))
    Console().print(table)


@app.command("route")
def route(
    kind: str = typer.Argument(..., help="gs1 (a GS1 company prefix), zhuisu (a code issuer) or region."),
    prefix: str = typer.Argument(..., help="e.g. 6901234, 370102000001, 3701."),
    url: str = typer.Argument(..., help="The node that answers for those codes."),
    name: str = typer.Option("", "--name", help="The node's name, as pages show it."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Add a resolver directory entry: a code nothing is recorded about here, under PREFIX, is sent (307) to URL."""
    with unit_of_work(session_maker()) as session:
        entry = service.add_directory_entry(session, kind=kind, prefix=prefix, url=url, name=name)
        out = {"kind": entry.kind, "prefix": entry.prefix, "url": entry.url, "name": entry.name}
    typer.echo(json.dumps(out, ensure_ascii=False) if as_json else f"{kind} {prefix} → {url}")


@app.command("push")
def push(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Send what waits for the parent now (one sender round), then ask it to cosign this log's checkpoint."""
    maker, config = session_maker(), settings()
    rounds = sender.round_(maker, config)
    upkeep.round_(maker, config)
    if as_json:
        typer.echo(json.dumps([r.to_json() for r in rounds], ensure_ascii=False))
        return
    for r in rounds:
        typer.echo(f"{r.parent_url}: sent {r.sent}, refused {r.refused}" + (f"; error: {r.error}" if r.error else ""))
    if any(r.error for r in rounds):
        raise typer.Exit(1)


@app.command("requeue")
def requeue(as_json: bool = typer.Option(False, "--json", help="Print JSON.")) -> None:
    """Queue the events the parent refused to be sent again (after its rules or the data were fixed)."""
    with unit_of_work(session_maker()) as session:
        count = service.requeue_refused(session)
    typer.echo(json.dumps({"requeued": count}) if as_json else f"requeued {count}")
