"""Read an EPCIS JSON-LD document incrementally: its header members, then its events one by one.

A million-event file is never held in memory: ``ijson`` (its C backend) emits parse events, and only one event
object is built at a time. ``iter_events`` reads only the events, built entirely in C (several times faster than
``iter_document``), for a second pass over a file whose header is already known.
"""

from collections.abc import Iterator
from typing import IO, Any

import ijson

_EVENT_PREFIX = "epcisBody.eventList.item"


class StreamError(ValueError):
    """The file is not well-formed JSON; ``position`` is the byte offset reached."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.position = position


def iter_document(fp: IO[bytes]) -> Iterator[tuple[str, Any, Any]]:
    """Yield ``("header", key, value)`` for top-level members other than ``epcisBody``, ``("body", key, value)``
    for members of ``epcisBody`` other than ``eventList``, and ``("event", index, event)`` for each event."""
    builder: Any = None
    depth = 0
    target: tuple[str, Any] = ("", None)
    index = 0
    try:
        for prefix, event, value in ijson.parse(fp, use_float=True):
            if builder is not None:
                builder.event(event, value)
                depth += 1 if event in ("start_map", "start_array") else -1 if event in ("end_map", "end_array") else 0
                if depth == 0:
                    yield target[0], target[1], builder.value
                    builder = None
                continue
            found = _target(prefix, event, index)
            if found is None:
                continue
            if found[0] == "event":
                index += 1
            if event in ("start_map", "start_array"):
                builder, depth, target = ijson.ObjectBuilder(), 1, found
                builder.event(event, value)
            else:
                yield found[0], found[1], value
    except ijson.JSONError as exc:
        raise StreamError(str(exc), _position(fp)) from None


def iter_events(fp: IO[bytes]) -> Iterator[tuple[int, Any]]:
    """Yield ``(index, event)`` for each event of the document, as ``iter_document`` would."""
    try:
        yield from enumerate(ijson.items(fp, _EVENT_PREFIX, use_float=True))
    except ijson.JSONError as exc:
        raise StreamError(str(exc), _position(fp)) from None


def _target(prefix: str, event: str, index: int) -> tuple[str, Any] | None:
    """Which value a parse event starts, if it is one we deliver."""
    if event in ("map_key", "end_map", "end_array"):
        return None
    if prefix == _EVENT_PREFIX:
        return ("event", index)
    if "." not in prefix and prefix and prefix != "epcisBody":
        return ("header", prefix)
    if prefix.startswith("epcisBody.") and prefix.count(".") == 1 and prefix != "epcisBody.eventList":
        return ("body", prefix.split(".", 1)[1])
    return None


def _position(fp: IO[bytes]) -> int:
    try:
        return fp.tell()
    except (OSError, ValueError):
        return -1
