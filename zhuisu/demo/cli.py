"""``zhuisu demo``: demo content for a fresh node."""

import secrets

import typer

from zhuisu.cli.runtime import session_maker, settings
from zhuisu.db.session import unit_of_work
from zhuisu.demo import service

app = typer.Typer(help="Demo content.", no_args_is_help=True)


@app.command("load")
def load() -> None:
    """Load the demo enterprise and supply chain; the demo token is kept in DATA_DIR/demo-token."""
    path = settings().data_dir / "demo-token"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        path.write_text("zs_demo_" + secrets.token_urlsafe(24) + "\n")
        path.chmod(0o600)
    secret = path.read_text().strip()
    with unit_of_work(session_maker()) as session:
        loaded = service.load_demo(session, token_secret=secret)
    typer.echo(f"demo: {loaded.captured} events captured, {loaded.duplicates} already present; "
               f"party {service.DEMO_PARTY}; token in {path}")
