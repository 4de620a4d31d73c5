"""The ``zhuisu`` command: one Typer app mounting each domain's commands."""

from pathlib import Path
from typing import Any

import typer
import uvicorn
from pydantic import ValidationError
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from typer._click.core import Context  # typer vendors click; its TyperGroup takes this Context
from typer.core import TyperGroup

from zhuisu.app import wiring
from zhuisu.auth import service as auth_service
from zhuisu.capture import cli as capture_cli
from zhuisu.catalog import cli as catalog_cli
from zhuisu.cli import db as db_cli
from zhuisu.cli.runtime import err_console, fail, session_maker, settings
from zhuisu.config import Settings
from zhuisu.convert import cli as convert_cli
from zhuisu.db.session import unit_of_work
from zhuisu.demo import cli as demo_cli
from zhuisu.errors import NotFound, ZhuisuError
from zhuisu.events import cli as events_cli
from zhuisu.exchange.subscriptions import cli as subscriptions_cli
from zhuisu.issuance import codes_cli
from zhuisu.ledger import cli as ledger_cli
from zhuisu.oversight import alerts as oversight_alerts
from zhuisu.oversight import cli as oversight_cli
from zhuisu.parties import cli as parties_cli
from zhuisu.recall import cli as recall_cli
from zhuisu.trace import cli as trace_cli
from zhuisu.trace import service as trace_service


class _Root(TyperGroup):
    """Turns the errors zhuisu raises on purpose into a one-line message and exit code 1, and a database that cannot
    be reached or is not migrated, or settings that do not validate, into one line with a hint and exit code 2 (a
    traceback only with --verbose / --debug), for every command, however it is invoked."""

    def invoke(self, ctx: Context) -> Any:
        try:
            return super().invoke(ctx)
        except ZhuisuError as exc:
            if ctx.params.get("verbose"):
                raise
            err_console.print(
                f"[red]错误 / error:[/red] {exc.localized(settings().default_language)}",
                highlight=False,
                soft_wrap=True,
            )
            raise typer.Exit(1) from None
        except (DBAPIError, ValidationError) as exc:
            if ctx.params.get("verbose"):
                raise
            err_console.print(f"[red]错误 / error:[/red] {environment_problem(exc)}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None


def environment_problem(exc: DBAPIError | ValidationError) -> str:
    """One line on what is wrong with the environment (settings, the database), and what to do about it."""
    if isinstance(exc, ValidationError):
        fields = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        return f"配置无效 / invalid settings: {fields}（检查 ZHUISU_* 环境变量 / check the ZHUISU_* variables）"
    first = str(exc.orig or exc).strip().splitlines()[0]
    if "no such table" in first or ("does not exist" in first and "relation" in first):
        hint = "数据库尚未初始化：运行 zhuisu db upgrade / the database is not migrated: run zhuisu db upgrade"
    elif isinstance(exc, OperationalError):
        hint = (
            "无法连接数据库：检查 ZHUISU_DATABASE_URL 与数据库服务 / cannot reach the database: check "
            "ZHUISU_DATABASE_URL and that its server is running"
        )
    else:
        hint = "数据库错误 / database error (--verbose 显示详情 / shows the traceback)"
    return f"{hint}: {first}"


app = typer.Typer(
    help="zhuisu 追溯 — 重要产品追溯节点 (GS1 EPCIS 2.0)",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    cls=_Root,
)
app.add_typer(db_cli.app, name="db")
app.add_typer(events_cli.app, name="events")
app.add_typer(parties_cli.app, name="parties")
app.add_typer(parties_cli.tokens_app, name="tokens")
app.add_typer(parties_cli.admin_app, name="admin")
app.add_typer(demo_cli.app, name="demo")
app.add_typer(codes_cli.app, name="codes")
app.add_typer(ledger_cli.app, name="ledger")
app.command("import")(capture_cli.import_files)
app.add_typer(catalog_cli.app, name="catalog")
app.add_typer(recall_cli.app, name="recall")
app.command("coverage")(catalog_cli.coverage)
app.add_typer(parties_cli.masterdata_app, name="masterdata")
app.command("convert")(convert_cli.convert)
app.add_typer(oversight_cli.app, name="risk")


@app.command("worker")
def worker(once: bool = typer.Option(False, "--once", help="Run one round, then exit.")) -> None:
    """Run due scheduled subscriptions and deliver due webhook notifications (signed, retried with backoff,
    logged), with the ledger's upkeep, queued capture jobs and the risk scan when due; runs until interrupted."""
    subscriptions_cli.run_worker(once, also=[oversight_alerts.scan_if_due, _sweep_sessions])


def _sweep_sessions(maker: sessionmaker[Session], _settings: Settings) -> int:
    return auth_service.sweep_sessions(maker)


@app.callback()
def _root(
    verbose: bool = typer.Option(False, "--verbose", "--debug", "-v", help="Show tracebacks on errors."),
) -> None:
    """--verbose is read back from this command's parameters when an error is reported; every command runs with the
    domain signals connected."""
    wiring.connect()


@app.command()
def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to listen on."),
    port: int = typer.Option(8000, help="Port to listen on."),
    workers: int = typer.Option(1, help="Worker processes."),
    worker: bool | None = typer.Option(
        None,
        "--worker/--no-worker",
        help="Deliver subscriptions in the server processes (default: on unless ZHUISU_SUBSCRIPTIONS_WORKER is set).",
    ),
) -> None:
    """Serve the HTTP API (EPCIS 2.0 REST binding) on the configured database."""
    subscriptions_cli.configure_server_worker(worker)
    uvicorn.run(
        "zhuisu.app.asgi:app",
        host=host,
        port=port,
        workers=workers,
        factory=False,
        log_level="info",
        proxy_headers=True,
    )


def main() -> None:
    app()


_DIRECTIONS = ("back", "forward", "both")


@app.command("trace")
def trace_command(
    words: list[str] = typer.Argument(
        ...,
        metavar="CODE | impact CODE | export CODE",
        help="A code (Digital Link, EPC URN, GS1 element string…), or `impact CODE`, or `export CODE`.",
    ),
    direction: str = typer.Option("both", help="back (where it came from), forward (where it went), or both."),
    as_json: bool = typer.Option(
        False,
        "--json",
        help="Print JSON (code, direction, things, events, parties, "
        "findings; impact: code, things, quantities, holders, regions).",
    ),
    fmt: str = typer.Option("xlsx", "--format", help="export: xlsx, csv or jsonld."),
    out: Path = typer.Option(None, "--out", help="export: the file to write."),
) -> None:
    """Trace a code: where it came from, where it went, who held it; `impact` for a recall; `export` to a file."""
    if direction not in _DIRECTIONS:
        raise fail(f"--direction must be back, forward or both, got {direction!r}")
    verb, code = (words[0], words[1]) if len(words) == 2 and words[0] in ("impact", "export") else ("", words[0])
    if len(words) > 2 or (len(words) == 2 and not verb):
        raise fail("usage: zhuisu trace CODE | zhuisu trace impact CODE | zhuisu trace export CODE")
    with unit_of_work(session_maker()) as session:
        if verb == "export":
            recall_cli.export_impact(session, code, fmt, out)
        elif verb == "impact":
            recall_cli.print_impact(session, code, as_json)
        else:
            kind: trace_service.TraceDirection = (
                "back" if direction == "back" else "forward" if direction == "forward" else "both"
            )
            found = trace_service.trace(session, code, direction=kind)
            if not found.events:
                raise NotFound(f"没有找到追溯码 {code} 的记录", message_en=f"nothing is recorded about {code}")
            trace_cli.print_trace(found, as_json)
