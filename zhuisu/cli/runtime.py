"""What every command needs: the settings, a sessionmaker on the configured database, and error reporting."""

from functools import lru_cache
from typing import TYPE_CHECKING

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    DownloadColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from zhuisu.config import Settings, get_settings

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

err_console = Console(stderr=True)


@lru_cache
def session_maker() -> "sessionmaker[Session]":
    """The sessionmaker for ``ZHUISU_DATABASE_URL`` (built once per process, on first use; the database libraries
    are imported then, not by a command that needs none)."""
    from zhuisu.db.engine import engine_from_settings, make_sessionmaker

    return make_sessionmaker(engine_from_settings(settings()), settings())


def settings() -> Settings:
    return get_settings()


def language() -> str:
    return settings().default_language


def fail(message: str, code: int = 1) -> typer.Exit:
    err_console.print(f"[red]错误 / error:[/red] {message}", highlight=False)
    return typer.Exit(code)


def progress(label: str, *, in_bytes: bool = False) -> Progress:
    """The progress bar of a long command on stderr: its label, the bar, done of total (``in_bytes``: as sizes),
    ``{task.fields[rate]}``, time spent and the ETA."""
    return Progress(
        TextColumn(label),
        BarColumn(),
        DownloadColumn() if in_bytes else MofNCompleteColumn(),
        TextColumn("{task.fields[rate]}"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=err_console,
        transient=False,
    )
