"""Errors of notice hooks."""

from zhuisu.errors import InvalidInput, NotFound, PermissionDenied


class HookInvalid(InvalidInput):
    """A hook's destination or topics are not acceptable; names the field."""

    code = "invalid_notice_hook"


class HookNotFound(NotFound):
    code = "notice_hook_not_found"


class NotYourHook(PermissionDenied):
    """A hook of another party."""

    code = "not_your_hook"
