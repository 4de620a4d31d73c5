"""The root of every error zhuisu raises on purpose, and the few generic kinds clients can rely on.

Each error carries a stable ``code`` and an HTTP ``status_code``; ``zhuisu.web.errors`` renders them as RFC 7807
problem documents (the shape the GS1 EPCIS REST binding prescribes), and the CLI as a one-line message.
"""

from typing import Any, ClassVar


class ZhuisuError(Exception):
    """Root of every error we raise on purpose."""

    code: ClassVar[str] = "internal_error"
    status_code: ClassVar[int] = 500
    #: The GS1 EPCIS exception type (RFC 7807 ``type``) this error maps to.
    problem_type: ClassVar[str] = "epcisException:ImplementationException"

    def __init__(self, message: str, *, message_en: str | None = None, **extra: Any) -> None:
        super().__init__(message)
        self.message = message
        self.message_en = message_en or message
        self.extra = extra

    def localized(self, lang: str) -> str:
        """The message in ``lang`` (``zh`` or ``en``)."""
        return self.message_en if lang == "en" else self.message

    def problem_members(self, lang: str) -> dict[str, Any]:
        """Extra members for the RFC 7807 problem document (e.g. the list of field errors)."""
        return dict(self.extra)


class NotFound(ZhuisuError):
    code = "not_found"
    status_code = 404
    problem_type = "epcisException:NoSuchResourceException"


class Conflict(ZhuisuError):
    code = "conflict"
    status_code = 409
    problem_type = "epcisException:ConflictException"


class AlreadyExists(Conflict):
    """A resource with this identity exists (the binding's 409 ResourceAlreadyExistsException)."""

    code = "already_exists"
    problem_type = "epcisException:ResourceAlreadyExistsException"


class PermissionDenied(ZhuisuError):
    code = "permission_denied"
    status_code = 403
    problem_type = "epcisException:SecurityException"


class NotAuthenticated(ZhuisuError):
    code = "not_authenticated"
    status_code = 401
    problem_type = "epcisException:SecurityException"


class InvalidInput(ZhuisuError):
    code = "invalid_input"
    status_code = 400
    problem_type = "epcisException:ValidationException"


class QueryParameterInvalid(InvalidInput):
    code = "invalid_query_parameter"
    problem_type = "epcisException:QueryParameterException"


class TooLarge(ZhuisuError):
    code = "too_large"
    status_code = 413
    problem_type = "epcisException:CaptureLimitExceededException"


class TooManyRequests(ZhuisuError):
    """The client exceeded the public rate limit; ``retry_after`` says when to try again (seconds)."""

    code = "too_many_requests"
    status_code = 429
    problem_type = "epcisException:ImplementationException"


class UnsupportedMediaType(ZhuisuError):
    code = "unsupported_media_type"
    status_code = 415


class EmptyDocument(InvalidInput):
    code = "empty_document"


class InvalidJson(InvalidInput):
    code = "invalid_json"


class NestedTooDeep(InvalidInput):
    """A document nested deeper than ``epcis.limits.MAX_DEPTH``; ``pointer`` names where."""

    code = "nested_too_deep"
