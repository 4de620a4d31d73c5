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
