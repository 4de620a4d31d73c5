"""工业互联网标识 (industrial-internet identifiers) in Handle syntax, as resolved by China's national nodes.

``88.<secondary node>.<enterprise>/<suffix>``: the prefix is the national top-level node ``88``, the secondary
(industry) node number and the enterprise node number (further dot-separated levels are allowed); the suffix
after the first ``/`` is free-form and chosen by the enterprise (e.g. ``88.608.8889/87654321``,
``88.118.8/JXDY2106023``). A leading ``hdl:`` is dropped. The suffix is kept as given (case included) and may
not contain whitespace or control characters. Nothing is checked beyond syntax: only a resolver (DOIP
``0.DOIP/Op.Retrieve``) can tell whether the identifier is registered. Node numbers are digits in every
published example; prefixes with letters are rejected.

>>> validate(' hdl:88.608.8889/87654321 ')
'88.608.8889/87654321'
>>> validate('88.118/JXDY2106023')
Traceback (most recent call last):
    ...
zhuisu.codes.errors.InvalidFormat: expected 88.<secondary node>.<enterprise>/<suffix>
>>> parts('88.118.8/JXDY2106023')
{'prefix': '88.118.8', 'top_node': '88', 'secondary_node': '118', 'enterprise': '8', 'suffix': 'JXDY2106023'}
"""

import re
from typing import Any

from zhuisu.codes.errors import InvalidCode, InvalidFormat

TOP_NODE = "88"
HANDLE_RE = re.compile(r"(88(?:\.[0-9]{1,12}){2,6})/([^\s\x00-\x1f\x7f]+)")
MAX_LENGTH = 2048


def compact(handle: str) -> str:
    """Strip surrounding whitespace and a leading ``hdl:``."""
    if not isinstance(handle, str):
        return ""
    handle = handle.strip()
    if handle.lower().startswith("hdl:"):
        handle = handle[4:].strip()
    return handle


def validate(handle: str) -> str:
    """Return the compact handle, or raise an ``InvalidCode`` subclass."""
    if not isinstance(handle, str):
        raise InvalidFormat("the code must be text", "代码必须是文本")
    handle = compact(handle)
    if len(handle) > MAX_LENGTH or not HANDLE_RE.fullmatch(handle):
        raise InvalidFormat(
            "expected 88.<secondary node>.<enterprise>/<suffix>", "应为 88.二级节点.企业节点/后缀 的形式"
        )
    return handle


def is_valid(handle: str) -> bool:
    try:
        return bool(validate(handle))
    except InvalidCode:
        return False


def format(handle: str) -> str:
    return validate(handle)


def parts(handle: str) -> dict[str, Any]:
    """The prefix and its nodes, and the suffix."""
    prefix, suffix = validate(handle).split("/", 1)
    nodes = prefix.split(".")
    result: dict[str, Any] = {
        "prefix": prefix,
        "top_node": nodes[0],
        "secondary_node": nodes[1],
        "enterprise": nodes[2],
    }
    if len(nodes) > 3:
        result["sub_nodes"] = nodes[3:]
    result["suffix"] = suffix
    return result
