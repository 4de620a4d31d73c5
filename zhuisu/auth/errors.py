"""Errors of authentication."""

from zhuisu.errors import NotAuthenticated, PermissionDenied


class InvalidToken(NotAuthenticated):
    code = "invalid_token"


class AdminOnly(PermissionDenied):
    """Only this node's administrator may do this (register parties, grant roles, replace the catalog …)."""

    code = "admin_only"


class MissingScope(PermissionDenied):
    """The token is not for this kind of request (``read``, ``capture``, ``admin``)."""

    code = "missing_scope"


class CsrfFailed(PermissionDenied):
    """A write with the sign-in cookie did not carry the session's CSRF token (form field ``csrf_token`` or header
    ``X-CSRF-Token``): it may come from another site's page."""

    code = "csrf_failed"
