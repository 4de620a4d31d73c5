"""Stories built ahead of their first read, so a code nobody has opened yet is one indexed read too.

The read model (``portal.stories``) builds a story when a read finds none, or a stale one: 15–25 ms of CPU and a
write, where a stored page costs under 1 ms. A consumer campaign or a recall notice makes thousands of codes nobody
has opened hot at once, so the builder builds them before anyone asks:

1. stale stories first (a capture, a finding or a recall notice touched them: a recall's pages matter most);
2. stories built by an older ``FORMAT`` (after an upgrade);
3. the codes recorded since its cursor (``portal_story_clock.built_through``, an ``event_epcs`` row id): every code
   any event names, in the order recorded. The cursor moves past a batch only when all of it is built, so a round
   cut short by its time budget takes the batch again and skips what it built.

One process builds at a time: a round first takes (or renews) a lease on the clock row; the other server
processes' rounds find it held and return at once. It runs on a thread of a server process (``zhuisu serve``, with
the delivery worker) and as a round of ``zhuisu worker``; ``portal_prebuild`` turns it off (stories are then built
by their first read, as before). A story older than ``portal_story_max_age_seconds`` is still rebuilt by its next
read, not here: rebuilding every story every hour would keep a core busy on a large node.

A row id that commits after a larger one (concurrent PostgreSQL captures) may be passed by the cursor: its code's
story is then built by its first read, as without the builder.
"""

import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy.orm import Session, sessionmaker

from zhuisu.config import Settings
from zhuisu.db.session import unit_of_work
from zhuisu.events import service as events_service
from zhuisu.kit.time import utc_now
from zhuisu.ledger import keystore
from zhuisu.portal import repository, stories
from zhuisu.portal.errors import UnknownCode
from zhuisu.portal.service import LedgerKey

log = logging.getLogger(__name__)

#: Codes taken per batch (stale, other-format) and identifier rows read per batch of new codes.
BATCH = 200


def ledger_key(settings: Settings) -> LedgerKey:
    """What a story build checks the ledger's proofs with: this node's log origin and verifier key."""
    return LedgerKey(keystore.log_origin(settings), keystore.log_key(settings).vkey, settings.portal_timezone)


@dataclass
class Round:
    """What one round did: stories built, codes skipped (nothing recorded, or the build failed), and whether it
    stopped with work left (its budget ran out)."""

    built: int = 0
    skipped: int = 0
    more: bool = False


@dataclass
class Prebuilder:
    """The story builder of one process (``holder`` names it in the lease)."""

    maker: sessionmaker[Session]
    key: LedgerKey
    lease_seconds: float = 60.0
    holder: str = field(default_factory=lambda: uuid.uuid4().hex)
    _formats_checked: bool = False
    #: Codes whose build failed in this process: not taken again from the stale or other-format lists (their
    #: first read builds them, or shows why not), so they cannot hold the builder up.
    _failed: set[str] = field(default_factory=set)
    #: Codes built in the round under way: a story stored stale again (a capture committed while it was built, as
    #: on a node capturing without pause) waits for the next round, so the new codes are not starved.
    _this_round: set[str] = field(default_factory=set)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def round_(self, budget_seconds: float = 5.0) -> Round:
        """Build what is waiting for at most ``budget_seconds`` (a build under way finishes), if this process
        holds the lease."""
        done = Round()
        deadline = time.monotonic() + budget_seconds
        if not self._claim():
            return done
        self._this_round.clear()
        stories.prepare(self.maker)
        while time.monotonic() < deadline and not self._stop.is_set():
            codes, cursor = self._next_batch()
            if codes is None:
                return done
            finished = self._build_all(codes, deadline, done)
            if not finished:
                done.more = True
                return done
            if cursor is not None:
                with unit_of_work(self.maker) as session:
                    repository.set_builder_cursor(session, cursor)
            if not self._claim():
                return done
        done.more = True
        return done

    def _claim(self) -> bool:
        now = utc_now()
        with unit_of_work(self.maker) as session:
            repository.ensure_clock(session)
            return repository.claim_builder(
                session, self.holder, now=now, until=now + timedelta(seconds=self.lease_seconds)
            )

    def _next_batch(self) -> tuple[list[str] | None, int | None]:
        """The codes to build next (``None``: nothing waits) and, for new codes, the cursor after them."""
        with unit_of_work(self.maker, write=False) as session:
            skip = len(self._failed) + len(self._this_round)
            stale = self._untried(repository.stale_codes(session, BATCH + skip))
            if stale:
                return stale, None
            if not self._formats_checked:
                older = self._untried(repository.other_format_codes(session, stories.FORMAT, BATCH + skip))
                if older:
                    return older, None
                self._formats_checked = True
            after = repository.builder_cursor(session)
            named, cursor = events_service.codes_named_after(session, after, BATCH)
            if cursor == after:
                return None, None
            fresh = repository.fresh_codes(session, named, stories.FORMAT)
        return [code for code in named if code not in fresh], cursor

    def _untried(self, codes: list[str]) -> list[str]:
        return [code for code in codes if code not in self._failed and code not in self._this_round][:BATCH]

    def _build_all(self, codes: list[str], deadline: float, done: Round) -> bool:
        """Build ``codes`` in order until the deadline; whether all were built (or skipped)."""
        for code in codes:
            if time.monotonic() >= deadline or self._stop.is_set():
                return False
            try:
                stories.build(self.maker, code, key=self.key, prepared=True)
            except UnknownCode:
                self._failed.add(code)
                done.skipped += 1
            except Exception:
                # one code's failure must not stop the others; its first read builds it again and shows the error
                log.exception("portal story of %s not built ahead", code)
                self._failed.add(code)
                done.skipped += 1
            else:
                done.built += 1
                self._this_round.add(code)
        return True

    def run_forever(self, poll_seconds: float, budget_seconds: float = 5.0) -> None:
        """Rounds until ``stop()``: straight on while work is left, else every ``poll_seconds``."""
        while not self._stop.is_set():
            try:
                done = self.round_(budget_seconds)
            except Exception:
                log.exception("portal story builder round failed")
                done = Round()
            if done.built:
                log.info("portal stories built ahead: %d", done.built)
            self._stop.wait(0.05 if done.more else poll_seconds)

    def start(self, poll_seconds: float) -> None:
        """Run the rounds on a daemon thread."""
        self._thread = threading.Thread(
            target=self.run_forever, args=(poll_seconds,), name="zhuisu-stories", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop after the build under way and give the lease back."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
        try:
            with unit_of_work(self.maker) as session:
                repository.release_builder(session, self.holder)
        except Exception:  # the lease expires by itself
            log.warning("portal story builder lease not released", exc_info=True)
