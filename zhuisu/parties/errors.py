"""Errors of the parties domain."""

from zhuisu.errors import InvalidInput, NotAuthenticated


class InvalidToken(NotAuthenticated):
    code = "invalid_token"


class InvalidUscc(InvalidInput):
    code = "invalid_uscc"
