"""Errors of the public portal."""

from zhuisu.errors import InvalidInput, NotFound


class UnknownCode(NotFound):
    """A code nothing is recorded about: no events, no registered product."""

    code = "unknown_code"


class InvalidComplaint(InvalidInput):
    code = "invalid_complaint"
