"""``zhuisu db``: database schema management."""

import json

import typer
from sqlalchemy.engine import make_url

from zhuisu.cli.runtime import settings
from zhuisu.db import migrate

app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)


@app.command()
def upgrade(
    revision: str = typer.Argument("heads", help="Target revision (default: every head)."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable output."),
) -> None:
    """Create or migrate the schema of the configured database (ZHUISU_DATABASE_URL). --json: ``{"revision",
    "database"}`` (the URL without its password)."""
    url = settings().resolved_database_url()
    migrate.upgrade(url, revision)
    if as_json:
        typer.echo(json.dumps({"revision": revision, "database": _safe(url)}))
        return
    typer.echo(f"database at revision {revision}: {_safe(url)}")


def _safe(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)
