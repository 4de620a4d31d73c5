"""How deep a document may nest: an EPCIS event needs about a dozen levels (document, body, event list, event,
sensor element, report …); extensions may add some. Anything nested deeper than ``MAX_DEPTH`` is refused before any
recursive code sees it (a 300-deep JSON body made a RecursionError, a 100,000-deep file tens of gigabytes).

>>> deeper_than({"a": [1, {"b": []}]}, 4) is None
True
>>> deeper_than({"a": [1, {"b": []}]}, 3)
'/a/1/b'
>>> deeper_than([[[[]]]], 2)
'/0/0'
"""

import json
import re
from typing import Any

#: The deepest nesting of objects and arrays a document may have (the document itself is level 1).
MAX_DEPTH = 64


def deeper_than(value: Any, limit: int = MAX_DEPTH) -> str | None:
    """The JSON pointer of an object or array nested deeper than ``limit``, or None. One pass over the
    containers (the check runs on every captured document); the pointer is found by a second pass only when one
    is too deep."""
    stack = [(value, 1)]
    pop, push = stack.pop, stack.append
    while stack:
        node, depth = pop()
        children = node.values() if type(node) is dict else node if type(node) is list else ()
        for child in children:
            if type(child) is dict or type(child) is list:
                if depth + 1 > limit:
                    return _pointer(value, limit)
                push((child, depth + 1))
    return None


def _pointer(value: Any, limit: int) -> str:
    stack: list[tuple[Any, int, str]] = [(value, 1, "")]
    while stack:
        node, depth, path = stack.pop()
        items = node.items() if isinstance(node, dict) else enumerate(node) if isinstance(node, list) else ()
        for key, child in items:
            if isinstance(child, dict | list):
                here = f"{path}/{str(key).replace('~', '~0').replace('/', '~1')}"
                if depth + 1 > limit:
                    return here
                stack.append((child, depth + 1, here))
    return "/"


#: A JSON string (escapes included) or one of the structural characters; numbers, true, false and null fall between.
_TOKEN = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{},]', re.DOTALL)


def deeper_than_text(text: bytes, limit: int = MAX_DEPTH) -> str | None:
    """``deeper_than`` for JSON text too deep for a parser (orjson stops at 1,024 levels, the stdlib's at the
    recursion limit): the JSON pointer of the first object or array nested deeper than ``limit``, in document
    order, or None. Reads no further than that point and does not check the text is well-formed.

    >>> deeper_than_text(b'{"a": [1, {"b": []}]}', 3)
    '/a/1/b'
    >>> deeper_than_text(b'{"a": "[[[", "c~": {"d/e": [[]]}}', 3)
    '/c~0/d~1e/0'
    >>> deeper_than_text(b"[" * 100_000 + b"]" * 100_000) == "/0" * MAX_DEPTH
    True
    >>> deeper_than_text(b'{"a": [1, {"b": []}]}', 4) is None
    True
    """
    keys: list[str | int | None] = []  # per open container: the key (object) or index (array) now being read
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token in (b"[", b"{"):
            if len(keys) + 1 > limit:
                return "".join(f"/{_escaped(key)}" for key in keys)
            keys.append(0 if token == b"[" else None)
        elif token in (b"]", b"}"):
            if keys:
                keys.pop()
        elif token == b",":
            if keys:
                top = keys[-1]
                keys[-1] = top + 1 if isinstance(top, int) else None
        elif keys and keys[-1] is None:  # a string where an object's key is expected
            keys[-1] = _decoded(token)
    return None


def _decoded(token: bytes) -> str:
    try:
        return str(json.loads(token))
    except ValueError:  # a malformed escape or invalid UTF-8: the parser refuses it anyway
        return token[1:-1].decode("utf-8", "replace")


def _escaped(key: str | int | None) -> str:
    return "" if key is None else str(key).replace("~", "~0").replace("/", "~1")
