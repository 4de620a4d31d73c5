"""The ``zhuisu`` command: one Typer app mounting each domain's commands.

The domains' commands are loaded when they run, not when ``zhuisu`` starts: ``zhuisu --help`` and every command's
start-up import only Typer and the command's own domain (``tests/cli/test_cli_startup.py`` holds it; ``make
bench-startup`` times it). ``_COMMANDS`` names each command's module and its one-line help, which the root's help
shows without loading it (a test holds that help to the loaded command's).
"""

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from typer._click.core import Context  # typer vendors click; its TyperGroup takes this Context

from zhuisu.cli.lazy import Commands, LazyGroup, lazy_group

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from zhuisu.config import Settings

#: Commands loaded when they run: name → ("module:attribute", the help the root shows). An attribute is a Typer app
#: (a group of commands) or a function (one command).
_COMMANDS: Commands = {
    "import": (
        "zhuisu.capture.cli:import_files",
        "Import EPCIS documents (JSON-LD streamed; XML 1.2/2.0 converted as POST /capture does): idempotent, "
        "resumable; a summary at the end.",
    ),
    "coverage": (
        "zhuisu.catalog.cli:coverage",
        "Coverage per class and region: registered enterprises, those actively tracing, rate against target.",
    ),
    "convert": (
        "zhuisu.convert.cli:convert",
        "Convert an EPCIS document between the XML and JSON-LD bindings (same events, same event hashes).",
    ),
    "db": ("zhuisu.cli.db:app", "Database schema (Alembic migrations)."),
    "events": ("zhuisu.events.cli:app", "Query captured EPCIS events."),
    "parties": ("zhuisu.parties.cli:app", "Parties (enterprises, platforms, regulators)."),
    "tokens": ("zhuisu.parties.cli:tokens_app", "API bearer tokens of parties."),
    "admin": (
        "zhuisu.parties.cli:admin_app",
        "What parties may do on this node: roles, jurisdictions, mandates, delegations (local; no token needed).",
    ),
    "demo": ("zhuisu.demo.cli:app", "Demo content."),
    "codes": ("zhuisu.issuance.codes_cli:app", "Trace codes: check, scan, issue (赋码) and print labels."),
    "ledger": ("zhuisu.ledger.cli:app", "The tamper-evident ledger (RFC 9162 log, C2SP checkpoints and witnesses)."),
    "catalog": ("zhuisu.catalog.cli:app", "The catalog (目录) of important products and its data-element rules."),
    "recall": ("zhuisu.recall.cli:app", "Recall orders: issue, follow, close, report."),
    "masterdata": (
        "zhuisu.parties.cli:masterdata_app",
        "Master data: licences, locations, products, spreadsheet import.",
    ),
    "risk": ("zhuisu.oversight.cli:app", "Risk rules and alerts (风险预警)."),
    "node": ("zhuisu.exchange.federation.cli:app", "Federation: child and parent nodes (上下一体)."),
    "export": ("zhuisu.exchange.columnar.cli:app", "Exports for analytics."),
    "equipment": (
        "zhuisu.sectors.equipment.cli:app",
        "Special equipment (特种设备): the register derived from lifecycle events.",
    ),
    "hazardous": (
        "zhuisu.sectors.hazardous.cli:app",
        "Hazardous goods (危险品): permits, electronic waybills, stock on hand.",
    ),
    "market": (
        "zhuisu.sectors.market.cli:app",
        "Market scan trading (扫码交易): stalls and their ledgers of purchases and sales.",
    ),
    "rareearth": (
        "zhuisu.sectors.rareearth.cli:app",
        "Rare earth (稀土): annual quotas (总量控制) and the quota used per producer.",
    ),
}


class _Root(LazyGroup):
    """Loads a domain's commands when one runs (``_COMMANDS``); turns the errors zhuisu raises on purpose into a
    one-line message and exit code 1, and a database that cannot be reached or is not migrated, or settings that do
    not validate, into one line with a hint and exit code 2 (a traceback only with --verbose / --debug), for every
    command, however it is invoked."""

    def invoke(self, ctx: Context) -> Any:
        from zhuisu.cli.runtime import err_console, settings
        from zhuisu.errors import ZhuisuError

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
        except Exception as exc:
            problem = environment_problem(exc)
            if problem is None or ctx.params.get("verbose"):
                raise
            err_console.print(f"[red]错误 / error:[/red] {problem}", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None


def environment_problem(exc: BaseException) -> str | None:
    """One line on what is wrong with the environment (settings, the database), and what to do about it; None for
    any other error. (A database or settings error can only come from modules already imported: they are not
    imported here for the question.)"""
    pydantic = sys.modules.get("pydantic")
    sa_exc = sys.modules.get("sqlalchemy.exc")
    if pydantic is not None and isinstance(exc, pydantic.ValidationError):
        fields = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
        return f"配置无效 / invalid settings: {fields}（检查 ZHUISU_* 环境变量 / check the ZHUISU_* variables）"
    if sa_exc is None or not isinstance(exc, sa_exc.DBAPIError):
        return None
    first = str(exc.orig or exc).strip().splitlines()[0]
    if "no such table" in first or ("does not exist" in first and "relation" in first):
        hint = "数据库尚未初始化：运行 zhuisu db upgrade / the database is not migrated: run zhuisu db upgrade"
    elif isinstance(exc, sa_exc.OperationalError):
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
    cls=lazy_group(_COMMANDS, _Root),
    # The root's help as plain text: Typer's rich help imports rich's console and markdown (markdown-it), half of
    # what `zhuisu --help` spent starting; the commands' own help keeps rich's layout.
    rich_markup_mode=None,
)


@app.command("worker")
def worker(once: bool = typer.Option(False, "--once", help="Run one round, then exit.")) -> None:
    """Run due scheduled subscriptions and deliver due webhook notifications (signed, retried with backoff,
    logged), with the ledger's upkeep, queued capture jobs and the risk scan when due; runs until interrupted."""
    from zhuisu.exchange.subscriptions import cli as subscriptions_cli
    from zhuisu.oversight import alerts as oversight_alerts

    subscriptions_cli.run_worker(
        once, also=[oversight_alerts.scan_if_due, _sweep_sessions, _send_upward, _partitions_ahead, _build_stories]
    )


def _build_stories(maker: "sessionmaker[Session]", settings: "Settings") -> object:
    """The portal's stories built ahead of their first read: a round of at most 5 s (the other rounds wait for
    it), its lease given back at the end, so a server's builder may take over between rounds."""
    if not settings.portal_prebuild:
        return None
    from zhuisu.portal import prebuild

    builder = prebuild.Prebuilder(maker, prebuild.ledger_key(settings))
    try:
        return builder.round_(5.0)
    finally:
        builder.stop()


def _partitions_ahead(maker: "sessionmaker[Session]", settings: "Settings") -> object:
    from zhuisu.events import partitions

    return partitions.ahead_round(maker, settings)


def _send_upward(maker: "sessionmaker[Session]", settings: "Settings") -> object:
    from zhuisu.exchange.federation import sender

    return sender.round_(maker, settings)


def _sweep_sessions(maker: "sessionmaker[Session]", _settings: "Settings") -> int:
    from zhuisu.auth import service as auth_service

    return auth_service.sweep_sessions(maker)


@app.callback()
def _root(
    verbose: bool = typer.Option(False, "--verbose", "--debug", "-v", help="Show tracebacks on errors."),
) -> None:
    """--verbose is read back from this command's parameters when an error is reported; every command runs with the
    domain signals connected."""
    from zhuisu.app import wiring

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
    import uvicorn

    from zhuisu.exchange.subscriptions import cli as subscriptions_cli

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
    from zhuisu.cli.runtime import fail, session_maker
    from zhuisu.db.session import unit_of_work
    from zhuisu.errors import NotFound
    from zhuisu.recall import cli as recall_cli
    from zhuisu.trace import cli as trace_cli
    from zhuisu.trace import service as trace_service

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
