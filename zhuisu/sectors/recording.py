"""How the sector rooms' events reach capture: one signal the application's assembly connects to capture.

The rooms compose EPCIS events (a stall's purchase, a canteen's receipt, a 合格证, an import lot's entry, a logger's
readings, a rare-earth separation …); capture validates, checks and stores them. Capture imports the sectors (their
interlocks run at capture), so a sector cannot import capture back (rooms have no cycles): a room sends its
document on ``document_to_record`` and ``zhuisu.app.wiring`` connects ``capture_document`` to it, which writes in
the sender's transaction and fills in the ``Recording`` (the capture job, each event's status, every refusal) — as
if the page had called capture itself. A send before the application connected the signal raises
(``SignalNotConnected``): nothing a user recorded is dropped silently.
"""

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from zhuisu.errors import InvalidInput
from zhuisu.kit.signals import Signal

if TYPE_CHECKING:  # the command line connects this signal at start: nothing heavy at import
    from sqlalchemy.orm import Session

    from zhuisu.epcis.reports import EventError
    from zhuisu.models import Party

ZS = "https://zhuisu.cn/ns/epcis/"
CONTEXT: list[Any] = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"zs": ZS}]


@dataclass
class Recording:
    """One document to capture as ``actor``'s (``rollback``: all its events or none), and what capture made of it
    (set by the receiver: ``finish``)."""

    document: dict[str, Any]
    actor: "Party"
    source: str
    capture_id: str | None = None
    #: Each event's status, in document order: ``captured``, ``duplicate`` or ``rejected``.
    statuses: list[str] = field(default_factory=list)
    #: Why the document or events were refused, the document's errors first.
    errors: "list[EventError]" = field(default_factory=list)
    done: bool = False

    @property
    def captured(self) -> int:
        return self.statuses.count("captured")

    @property
    def duplicates(self) -> int:
        return self.statuses.count("duplicate")

    def finish(self, capture_id: str, *, statuses: list[str], errors: "list[EventError]") -> None:
        self.capture_id, self.statuses, self.errors, self.done = capture_id, statuses, errors, True


#: Sent with each recording, in the caller's transaction; its receiver captures the document and fills the outcome.
document_to_record: "Signal[[Session, Recording]]" = Signal("sector document to record")


def document(events: list[dict[str, Any]], *, created: str) -> dict[str, Any]:
    """An EPCISDocument of ``events`` (JSON-LD, with the zhuisu namespace), created at ``created`` (ISO 8601)."""
    return {
        "@context": CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": created,
        "epcisBody": {"eventList": events},
    }


def record(session: "Session", recording: Recording) -> Recording:
    """Capture ``recording``'s document (``document_to_record``); the recording, filled in."""
    document_to_record.send(session, recording)
    return recording


def record_event(session: "Session", event: dict[str, Any], *, actor: "Party", source: str) -> bool:
    """Capture one event as ``actor``'s, in a savepoint: refused, it leaves nothing (not even the capture job) and
    raises InvalidInput (field ``event``) with capture's first reason. Returns False when it was already stored."""
    recording = Recording(document=document([event], created=event["eventTime"]), actor=actor, source=source)
    savepoint = session.begin_nested()
    try:
        record(session, recording)
    except BaseException:
        savepoint.rollback()
        raise
    if recording.captured + recording.duplicates == 1:
        savepoint.commit()
        return recording.captured == 1
    savepoint.rollback()
    zh = "事件被拒绝"
    en = "the event was refused"
    if recording.errors:
        zh, en = recording.errors[0].message_zh, recording.errors[0].message_en
    raise InvalidInput(f"事件未能记录：{zh}", message_en=f"the event was not recorded: {en}", field="event")
