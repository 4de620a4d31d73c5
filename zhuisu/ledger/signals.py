"""What the ledger announces. Readers connect to these in ``zhuisu.app.wiring``; the ledger imports none of them."""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from zhuisu.kit.signals import Signal

if TYPE_CHECKING:
    from sqlalchemy.orm import Session


@dataclass(frozen=True)
class VerifiedEvent:
    """An event whose row matches its leaf: its body is the one the log holds, so what is derived from it can be
    checked against it."""

    pk: int
    event_id: str
    body: dict[str, Any]


@dataclass
class DerivedCheck:
    """What a replay (``ledger.verify``) hands the readers that keep rows derived from events (the trace graph,
    the portal's stories): the batch of events just verified, the log's origin and key (a reader that checks
    proofs needs them), the keys of the events that did not verify (changed, deleted or inserted: their derived
    rows cannot be checked), a place for each reader's own state across batches, and where to report a derived
    row that no longer says what its events say (by eventID, or None for a row of no one event)."""

    origin: str
    vkey: str
    #: None for a full replay (every event); else the share of events sampled.
    sample_rate: float | None = None
    events: Sequence[VerifiedEvent] = ()
    failed: list[int] = field(default_factory=list)
    memo: dict[str, Any] = field(default_factory=dict)
    found: list[tuple[str | None, str]] = field(default_factory=list)

    def mismatch(self, event_id: str | None, detail: str) -> None:
        self.found.append((event_id, detail))


#: Sent by ``zhuisu ledger verify`` (and the background verifier) when stored events, or rows derived from them,
#: no longer match the log — in a transaction of its own: what readers cached (the portal's stories and their
#: verified mark) must be built again, and will then show the failure. The eventIDs named (may be empty when only
#: a derived row of no one event was wrong).
records_mismatched: "Signal[[Session, Sequence[str]]]" = Signal("records mismatched")

#: Sent during a replay, once per batch of events whose rows match their leaves: each reader re-derives its rows
#: of those events from the verified bodies and reports what differs (reads only).
events_verified: "Signal[[Session, DerivedCheck]]" = Signal("events verified")

#: Sent once at the end of a replay: checks of derived rows that are not one event's (a cached story of a code).
replay_finished: "Signal[[Session, DerivedCheck]]" = Signal("replay finished")

#: Sent in a transaction of its own when a child log this node witnesses shows a checkpoint, signed by its own
#: key, that does not extend the one cosigned for it (``errors.SplitView``): the log's origin, the checkpoint note
#: cosigned before, the one presented and why they disagree (in English).
split_view: "Signal[[Session, str, str, str, str]]" = Signal("split view")

#: Sent in the transaction that records a witness's cosignature of this log's checkpoint: the witness's name, the
#: size it had cosigned before (0: none) and the size it cosigned now. Readers that show who witnessed a record
#: (the portal's stories: "witnessed by …" once a cosigned checkpoint covers it) refresh what it now covers.
log_cosigned: "Signal[[Session, str, int, int]]" = Signal("log cosigned")
