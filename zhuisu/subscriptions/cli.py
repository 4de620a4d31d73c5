"""``zhuisu worker``: deliver subscription notifications from the outbox until stopped."""

import time

import typer

from zhuisu.cli.runtime import session_maker, settings
from zhuisu.subscriptions import delivery


def worker(once: bool = typer.Option(False, "--once", help="Deliver what is due, then exit.")) -> None:
    """Deliver due webhook notifications (signed, retried with backoff, logged); runs until interrupted."""
    send = delivery.http_sender(settings().subscriptions_timeout_seconds)
    while True:
        done = delivery.deliver_due(session_maker(), send)
        typer.echo(f"delivered {done.delivered}, failed {done.failed}")
        if once:
            return
        time.sleep(settings().subscriptions_poll_seconds)
