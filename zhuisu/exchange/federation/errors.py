"""Errors of federation between nodes."""

from zhuisu.errors import Conflict, InvalidInput, PermissionDenied


class NodeOnly(PermissionDenied):
    """The route is for a child node's credentials (a party of role ``node``)."""

    code = "node_only"


class LinkInvalid(InvalidInput):
    """A link's parent URL, token or the parent's answer is not acceptable; names what."""

    code = "invalid_node_link"


class LinkExists(Conflict):
    code = "node_link_exists"
