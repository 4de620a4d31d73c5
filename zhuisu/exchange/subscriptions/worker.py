"""The node's worker: other rooms' rounds (the ledger's signing and witness pushes, given as ``also``), scheduled
runs, the sweep of dead WebSocket subscriptions, then the webhook outbox and the notice outbox
(``zhuisu.exchange.notices``), every ``subscriptions_poll_seconds`` until
stopped.

The same loop runs in ``zhuisu worker`` (its own process) and, with ``ZHUISU_SUBSCRIPTIONS_WORKER=true`` (the
default of ``zhuisu serve``), on a thread of each web server process, started and stopped by the app's lifespan.
Any number of them may run against one database: scheduled runs and outbox messages are claimed, never done twice.
"""

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker

from zhuisu.config import Settings
from zhuisu.db.session import unit_of_work
from zhuisu.exchange.notices import delivery as notices_delivery
from zhuisu.exchange.subscriptions import delivery, scheduler
from zhuisu.kit.time import utc_now

logger = logging.getLogger(__name__)


class Worker:
    """One delivery loop on ``maker``'s database."""

    def __init__(
        self,
        maker: sessionmaker[Session],
        settings: Settings,
        send: delivery.Sender | None = None,
        also: Sequence[Callable[[], object]] = (),
    ) -> None:
        self.maker = maker
        self.also = tuple(also)
        self.poll_seconds = settings.subscriptions_poll_seconds
        self.send = send or delivery.http_sender(
            settings.subscriptions_timeout_seconds, settings.subscriptions_allowed_hosts
        )
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def run_once(self, now: datetime | None = None) -> delivery.Round:
        """One round: run due schedules, sweep stale sockets, deliver what is due."""
        at = now or utc_now()
        for task in self.also:
            task()
        with unit_of_work(self.maker) as session:
            scheduler.run_due(session, now=at)
            scheduler.sweep_sockets(session, now=at)
        events = delivery.deliver_due(self.maker, self.send, now=now, stop=self._stop)
        notices = notices_delivery.deliver_due(self.maker, self.send, now=now, stop=self._stop)
        return delivery.Round(events.delivered + notices.delivered, events.failed + notices.failed)

    def run_forever(self) -> None:
        """Rounds until ``stop()``; an error in a round is logged and the next round tries again."""
        while not self._stop.is_set():
            try:
                done = self.run_once()
            except Exception:
                logger.exception("subscription delivery round failed")
            else:
                if done.delivered or done.failed:
                    logger.info("subscriptions: delivered %d, failed %d", done.delivered, done.failed)
            self._stop.wait(self.poll_seconds)

    def start(self) -> None:
        """Run the loop on a daemon thread."""
        self._thread = threading.Thread(target=self.run_forever, name="zhuisu-subscriptions", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the loop to stop (an attempt under way finishes) and wait for its thread."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()
