"""``zhuisu worker``: run scheduled subscriptions and deliver the outbox until stopped (a separate deployment of the
loop ``zhuisu serve`` also runs in-process; both may run at once)."""

import os
import time
from collections.abc import Callable, Sequence
from functools import partial

import typer
from sqlalchemy.orm import Session, sessionmaker

from zhuisu.capture import jobs as capture_jobs
from zhuisu.cli.runtime import session_maker, settings
from zhuisu.config import Settings, get_settings
from zhuisu.exchange.subscriptions.worker import Worker
from zhuisu.ledger import upkeep as ledger_upkeep


def worker(once: bool = typer.Option(False, "--once", help="Run one round, then exit.")) -> None:
    """Run due scheduled subscriptions and deliver due webhook notifications (signed, retried with backoff,
    logged); runs until interrupted."""
    run_worker(once)


def run_worker(once: bool, also: Sequence[Callable[[sessionmaker[Session], Settings], object]] = ()) -> None:
    """The worker loop, with the rounds of the rooms this one cannot know (``also``: called with the sessionmaker
    and the settings each round; ``zhuisu.app.cli`` adds the risk scan)."""
    maker, config = session_maker(), settings()
    rounds: list[Callable[[], object]] = [
        partial(ledger_upkeep.round_, maker, config),
        partial(capture_jobs.resume, maker, lease_seconds=config.capture_job_lease_seconds),
        *(partial(task, maker, config) for task in also),
    ]
    loop = Worker(maker, config, also=rounds)
    while True:
        done = loop.run_once()
        typer.echo(f"delivered {done.delivered}, failed {done.failed}")
        if once:
            return
        time.sleep(loop.poll_seconds)


def configure_server_worker(enabled: bool | None) -> None:
    """``zhuisu serve``: turn the in-process delivery worker on (its default there) or off, for the server
    process and the worker processes it starts; an explicit ``ZHUISU_SUBSCRIPTIONS_WORKER`` is kept when the
    command line says nothing."""
    if enabled is None and "subscriptions_worker" in settings().model_fields_set:
        return
    os.environ["ZHUISU_SUBSCRIPTIONS_WORKER"] = "false" if enabled is False else "true"
    get_settings.cache_clear()
