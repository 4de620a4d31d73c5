"""Errors of the public portal."""

from zhuisu.errors import InvalidInput, NotFound, ZhuisuError


class UnknownCode(NotFound):
    """A code nothing is recorded about: no events, no registered product."""

    code = "unknown_code"


class TooManyRequests(ZhuisuError):
    """The client exceeded the public rate limit; ``retry_after`` says when to try again (seconds)."""

    code = "too_many_requests"
    status_code = 429
    problem_type = "epcisException:ImplementationException"


class InvalidComplaint(InvalidInput):
    code = "invalid_complaint"
