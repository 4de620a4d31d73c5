"""``zhuisu catalog`` (classes, rules, releases of the 目录) and ``zhuisu coverage``."""

import json
from datetime import date
from pathlib import Path
from typing import Any

import typer

from zhuisu.catalog import coverage as coverage_service
from zhuisu.catalog import service
from zhuisu.cli.runtime import session_maker, settings
from zhuisu.db.session import unit_of_work

app = typer.Typer(help="The catalog (目录) of important products and its data-element rules.", no_args_is_help=True)


def _on(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


#: The commands whose only output is JSON take --json too, so every command's scripts can say it.
JSON_ALWAYS = typer.Option(True, "--json", help="JSON (their only output).")


def _echo_json(data: Any) -> None:
    typer.echo(json.dumps(data, ensure_ascii=False, default=str))


@app.command("list")
def list_classes(
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    on: str = typer.Option(None, help="Catalog in effect on this date (YYYY-MM-DD); default today."),
    region: str = typer.Option(None, help="Only the local catalogs covering this GB/T 2260 region."),
) -> None:
    """List the classes in effect: id, name, parent, level, key, coverage target."""
    with unit_of_work(session_maker()) as session:
        classes = [c.to_json() for c in service.list_classes(session, on=_on(on), region=region)]
    if as_json:
        _echo_json(classes)
        return
    for c in classes:
        indent = "  " * c["id"].count(".")
        typer.echo(
            f"{indent}{c['id']:<32} {c['name']}  [{c['level']}{' ' + c['region'] if c['region'] else ''}"
            f"{', key' if c['key'] else ', encouraged'}, target {c['coverage_target']:.0%}]"
        )


@app.command("show")
def show(
    class_id: str = typer.Argument(..., help="Class id, e.g. drug.preparation."),
    on: str = typer.Option(None, help="Date (YYYY-MM-DD); default today."),
    as_json: bool = JSON_ALWAYS,
) -> None:
    """A class and the rules that apply to it, as JSON."""
    with unit_of_work(session_maker()) as session:
        found = service.get_class(session, class_id, on=_on(on)).to_json()
        found["rules"] = [r.to_json() for r in service.list_rules(session, on=_on(on), class_id=class_id)]
    _echo_json(found)


@app.command("rules")
def rules(
    class_id: str = typer.Option(None, "--class", help="Only rules applying to this class."),
    on: str = typer.Option(None, help="Date (YYYY-MM-DD); default today."),
    as_json: bool = JSON_ALWAYS,
) -> None:
    """The data-element rules in effect, as JSON."""
    with unit_of_work(session_maker()) as session:
        _echo_json([r.to_json() for r in service.list_rules(session, on=_on(on), class_id=class_id)])


@app.command("elements")
def elements(
    on: str = typer.Option(None, help="Date (YYYY-MM-DD); default today."), as_json: bool = JSON_ALWAYS
) -> None:
    """The data elements rules can require and where an event carries them, as JSON."""
    with unit_of_work(session_maker()) as session:
        _echo_json(service.element_names(session, on=_on(on)))


@app.command("releases")
def releases(as_json: bool = typer.Option(False, "--json", help="Machine-readable output.")) -> None:
    """The catalog releases known to this node (built-in and loaded). --json: ``[{"label", "effective_from",
    "digest"}]``."""
    with unit_of_work(session_maker()) as session:
        rows = [(r.label, r.effective_from, r.digest[:12]) for r in service.list_releases(session)]
    if as_json:
        _echo_json([{"label": label, "effective_from": str(eff), "digest": digest} for label, eff, digest in rows])
        return
    for label, effective, digest in rows:
        typer.echo(f"{label:<32} from {effective}  {digest}")


@app.command("load")
def load(
    path: Path = typer.Argument(..., exists=True, dir_okay=False, help="A release document (JSON)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Load a catalog release (a local catalog, or a newer national version); loading it twice is harmless.
    --json: ``{"loaded", "scope", "region", "version"}`` (``loaded`` false: it was already)."""
    document = json.loads(path.read_text(encoding="utf-8"))
    with unit_of_work(session_maker()) as session:
        _, created = service.load_release(session, document)
    if as_json:
        keys = ("scope", "region", "version")
        _echo_json({"loaded": created, **{k: document.get(k) for k in keys}})
        return
    typer.echo(
        f"{'loaded' if created else 'already loaded'}: {document.get('scope')} {document.get('region') or ''} "
        f"{document.get('version')}"
    )


def coverage(
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
    window_days: int = typer.Option(None, help="Activity window in days (default: the coverage_window_days setting)."),
    region: str = typer.Option("", help="Only regions starting with this GB/T 2260 prefix."),
) -> None:
    """Coverage per class and region: registered enterprises, those actively tracing, rate against target."""
    with unit_of_work(session_maker()) as session:
        rows = [
            r.to_json()
            for r in coverage_service.coverage(
                session, window_days=window_days or settings().coverage_window_days, region_prefix=region
            )
        ]
    if as_json:
        _echo_json(rows)
        return
    for r in rows:
        typer.echo(
            f"{r['class']:<18} {r['region'] or '-':<7} {r['active']:>4}/{r['registered']:<4} "
            f"{r['rate']:>7.1%}  target {r['target']:.0%}  {'达标' if r['met'] else '未达标'}"
        )
