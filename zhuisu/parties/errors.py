"""Errors of the parties domain."""

from zhuisu.errors import InvalidInput


class InvalidUscc(InvalidInput):
    code = "invalid_uscc"
