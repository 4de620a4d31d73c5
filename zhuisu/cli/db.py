"""``zhuisu db``: database schema management."""

import typer
from sqlalchemy.engine import make_url

from zhuisu.cli.runtime import settings
from zhuisu.db import migrate

app = typer.Typer(help="Database schema (Alembic migrations).", no_args_is_help=True)


@app.command()
def upgrade(revision: str = typer.Argument("heads", help="Target revision (default: every head).")) -> None:
    """Create or migrate the schema of the configured database (ZHUISU_DATABASE_URL)."""
    url = settings().resolved_database_url()
    migrate.upgrade(url, revision)
    typer.echo(f"database at revision {revision}: {_safe(url)}")


def _safe(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)
