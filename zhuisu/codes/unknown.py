"""The ``unknown`` scheme: values no supported scheme recognises (foreign or damaged codes).

Such values are stored opaquely as ``("unknown", value)`` (standards.md §1.3: 异构识别, heterogeneous codes
are accepted, not forced into one format), so nothing about them can be validated: ``validate`` always raises
and ``is_valid`` is always false. ``compact`` only strips surrounding whitespace.

>>> compact('  ABC-123 ')
'ABC-123'
>>> is_valid('ABC-123')
False
"""

from typing import Any

from zhuisu.codes.errors import InvalidFormat


def compact(value: str) -> str:
    return value.strip() if isinstance(value, str) else ""


def validate(value: str) -> str:
    raise InvalidFormat("no supported code scheme recognises this value", "无法识别的代码格式")


def is_valid(value: str) -> bool:
    return False


def format(value: str) -> str:
    return compact(value)


def parts(value: str) -> dict[str, Any]:
    return {}
