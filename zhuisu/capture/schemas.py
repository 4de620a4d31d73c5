"""What capture reports back: one outcome per event, and the capture job."""

from dataclasses import dataclass, field
from typing import Any, Literal

from zhuisu.epcis.reports import EventError
from zhuisu.models import CaptureJob

Status = Literal["captured", "duplicate", "rejected"]


@dataclass
class EventOutcome:
    index: int
    event_id: str | None
    hash: str | None
    status: Status
    errors: list[EventError] = field(default_factory=list)

    def to_json(self, lang: str, *, file: str | None = None) -> dict[str, Any]:
        out: dict[str, Any] = {} if file is None else {"file": file}
        out.update(
            {
                "index": self.index,
                "eventID": self.event_id,
                "hash": self.hash,
                "status": self.status,
                "errors": [e.to_json(lang) for e in self.errors],
            }
        )
        return out


@dataclass
class CaptureResult:
    job: CaptureJob
    outcomes: list[EventOutcome]
    #: Problems with the document as a whole (no event index): missing @context, empty document, …
    document_errors: list[EventError] = field(default_factory=list)

    def count(self, status: Status) -> int:
        return sum(1 for o in self.outcomes if o.status == status)
