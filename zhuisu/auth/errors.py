"""Errors of authentication."""

from zhuisu.errors import NotAuthenticated


class InvalidToken(NotAuthenticated):
    code = "invalid_token"
