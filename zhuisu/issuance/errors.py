"""Errors of code issuance; each names the request field at fault (``field`` in the problem document)."""

from zhuisu.errors import Conflict, InvalidInput, PermissionDenied


class InvalidIssueField(InvalidInput):
    """A field of an issue request (or issuer profile) has a value codes cannot be issued with."""

    code = "invalid_issue_field"
    status_code = 422

    def __init__(self, field: str, message: str, *, message_en: str) -> None:
        super().__init__(message, message_en=message_en, field=field)
        self.field = field


class PrefixTaken(Conflict):
    """The GS1 company prefix (or one overlapping it) is registered to another party."""

    code = "gs1_prefix_taken"


class NotYourBatch(PermissionDenied):
    """Only the party that issued a batch (or asked for it) may read it and print its labels."""

    code = "not_your_batch"
