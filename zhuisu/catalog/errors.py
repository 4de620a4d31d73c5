"""Errors of the catalog domain."""

from zhuisu.errors import Conflict, InvalidInput


class InvalidRelease(InvalidInput):
    code = "invalid_catalog_release"


class ReleaseExists(Conflict):
    code = "catalog_release_exists"


class UnknownClass(InvalidInput):
    code = "unknown_catalog_class"
