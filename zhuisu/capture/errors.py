"""Errors of the capture domain."""

from typing import Any

from zhuisu.epcis.reports import EventError
from zhuisu.errors import InvalidInput


class DocumentRejected(InvalidInput):
    """The whole document was refused (rollback semantics): nothing of it was stored.

    ``errors`` pairs each field error with the index of its event (None for the document as a whole).
    """

    code = "document_rejected"

    def __init__(
        self,
        message: str,
        *,
        message_en: str,
        errors: list[tuple[int | None, EventError]],
        capture_id: str | None,
    ) -> None:
        super().__init__(message, message_en=message_en)
        self.errors = errors
        self.capture_id = capture_id

    def problem_members(self, lang: str) -> dict[str, Any]:
        members: dict[str, Any] = {"errors": [{"eventIndex": i, **e.to_json(lang)} for i, e in self.errors]}
        if self.capture_id:
            members["captureID"] = self.capture_id
        return members
