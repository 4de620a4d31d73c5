"""What capture reports back: one outcome per event, and the capture job."""

from dataclasses import dataclass, field
from typing import Any, Literal

from zhuisu.models import CaptureJob

Status = Literal["captured", "duplicate", "rejected"]


@dataclass
class EventError:
    """Why one event was rejected: where (JSON pointer into the document), what kind, and what was expected."""

    pointer: str
    code: str
    expected: str
    message_zh: str
    message_en: str

    def message(self, lang: str) -> str:
        return self.message_en if lang == "en" else self.message_zh

    def to_json(self, lang: str) -> dict[str, Any]:
        return {
            "pointer": self.pointer,
            "code": self.code,
            "expected": self.expected,
            "message": self.message(lang),
        }


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
