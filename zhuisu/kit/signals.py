"""Domain signals: a writer announces what happened, readers it does not know of act on it in the same transaction.

A signal is synchronous and ordered, and its receivers run inside the sender's transaction, so what a reader
derives (a notification in the outbox, a stale story) commits or rolls back with what the writer wrote. Receivers
are connected explicitly, once, by the application's assembly (``zhuisu.app.wiring``), never as a side effect of
importing a module; a signal sent before anything connected its receivers raises instead of dropping the news.

Written here rather than taken from ``blinker``: blinker's receivers are untyped, weakly referenced and
unordered by contract, and it happily sends to nobody — each of which would lose a notification silently.
"""

from collections.abc import Callable, Sequence
from typing import Generic, ParamSpec

P = ParamSpec("P")


class SignalNotConnected(RuntimeError):
    """A signal was sent before the application connected its receivers (``zhuisu.app.wiring.connect``)."""


class Signal(Generic[P]):
    """One kind of news, with the receivers the application connected to it, called in order."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._receivers: tuple[Callable[P, None], ...] | None = None
        self._later: Callable[[], Sequence[Callable[P, None]]] | None = None

    @property
    def receivers(self) -> tuple[Callable[P, None], ...]:
        return self._resolved() or ()

    def connect(self, receivers: Sequence[Callable[P, None]]) -> None:
        """Set the receivers (replacing any before: connecting again is harmless). An empty list is a choice."""
        self._receivers = tuple(receivers)
        self._later = None

    def connect_later(self, receivers: Callable[[], Sequence[Callable[P, None]]]) -> None:
        """Set the receivers as what ``receivers()`` returns, called when the signal is first sent (or its receivers
        read): a command that never sends the signal never imports its readers (``zhuisu --help`` stays fast)."""
        self._receivers = None
        self._later = receivers

    def _resolved(self) -> tuple[Callable[P, None], ...] | None:
        if self._later is not None:
            self.connect(self._later())
        return self._receivers

    def send(self, *args: P.args, **kwargs: P.kwargs) -> None:
        """Call every receiver in order; an exception propagates (and so rolls the sender's transaction back)."""
        receivers = self._resolved()
        if receivers is None:
            raise SignalNotConnected(
                f"signal {self.name!r} was sent before its receivers were connected (zhuisu.app.wiring.connect)"
            )
        for receiver in receivers:
            receiver(*args, **kwargs)
