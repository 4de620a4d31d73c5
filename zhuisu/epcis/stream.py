"""Read an EPCIS JSON-LD document incrementally: its header members, then its events one by one.

A million-event file is never held in memory: ``ijson`` (its C backend) emits parse events, and only one event
object is built at a time. ``iter_events`` reads only the events, built entirely in C (several times faster than
``iter_document``), for a second pass over a file whose header is already known.
"""

import re
from collections.abc import Iterator
from typing import IO, Any

import ijson

from zhuisu.epcis import limits

_EVENT_PREFIX = "epcisBody.eventList.item"


class StreamError(ValueError):
    """The file is not well-formed JSON; ``position`` is the byte offset reached."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(message)
        self.position = position


def iter_document(fp: IO[bytes]) -> Iterator[tuple[str, Any, Any]]:
    """Yield ``("header", key, value)`` for top-level members other than ``epcisBody``, ``("body", key, value)``
    for members of ``epcisBody`` other than ``eventList``, and ``("event", index, event)`` for each event.

    Raises StreamError for malformed JSON and for nesting deeper than ``limits.MAX_DEPTH``, as soon as it is read:
    the parse events come without ijson's prefixes (which cost the square of the depth: a 200 KB file nested
    100,000 deep took tens of gigabytes) and the path is kept here, for the few levels above the events only."""
    builder: Any = None
    depth = 0  # within the value being built
    room = 0  # how many levels that value may still open: the limit less the levels above it
    path: list[str | None] = []  # ijson's prefix, kept only outside the values being built
    target: tuple[str, Any] = ("", None)
    index = 0
    try:
        for event, value in ijson.basic_parse(_Unicode(fp), use_float=True):
            if builder is not None:  # the hot path: every parse event of every event object
                builder.event(event, value)
                if event in _OPENS:
                    depth += 1
                    if depth > room:
                        raise _too_deep(path, fp)
                elif event in _CLOSES:
                    depth -= 1
                    if depth == 0:
                        yield target[0], target[1], builder.value
                        builder = None
                continue
            if event == "map_key":
                path[-1] = value
                continue
            if event in _CLOSES:
                path.pop()
                continue
            opens = event in _OPENS
            if opens and len(path) >= limits.MAX_DEPTH:
                raise _too_deep(path, fp)
            found = _target(".".join(p or "" for p in path), event, index)
            if found is not None and found[0] == "event":
                index += 1
            if found is not None and opens:
                builder, depth, room, target = ijson.ObjectBuilder(), 1, limits.MAX_DEPTH - len(path), found
                builder.event(event, value)
            elif found is not None:
                yield found[0], found[1], value
            elif opens:
                path.append(None if event == "start_map" else "item")
    except (ijson.JSONError, UnicodeDecodeError) as exc:
        raise StreamError(str(exc), _position(fp)) from None


_OPENS = frozenset({"start_map", "start_array"})
_CLOSES = frozenset({"end_map", "end_array"})


#: A UTF-16 surrogate pair written as JSON escapes, or one surrogate escape alone; the run of backslashes before it
#: tells an escape (odd) from text (an escaped backslash followed by "ud800").
_SURROGATES = re.compile(
    rb"(\\+)u[dD][89abAB][0-9a-fA-F]{2}\\u[dD][c-fC-F][0-9a-fA-F]{2}|(\\+)u[dD][89a-fA-F][0-9a-fA-F]{2}"
)
_SUSPECT = re.compile(rb"\\u[dD][89a-fA-F]")
_HELD = 13  # bytes a chunk keeps back for the next, so an escape or a pair is never cut in two
_BACKSLASH = 0x5C


class _Unicode:
    """The file as the C parser reads it, refusing lone UTF-16 surrogate escapes (``"\\ud800"``), which the parser
    would turn into ``?`` without a word — a changed value, never stored. Pairs (``"\\ud83d\\ude00"``) are text."""

    def __init__(self, fp: IO[bytes]) -> None:
        self.fp = fp
        self.held = b""

    def read(self, size: int = -1) -> bytes:
        chunk = self.fp.read(size)
        data = self.held + chunk
        cut = len(data)
        if chunk:  # more may follow: keep the tail back, and the whole run of backslashes it starts in
            cut = max(0, cut - _HELD)
            while cut > 0 and data[cut - 1] == _BACKSLASH:
                cut -= 1
        judged = 0
        suspects = _SUSPECT.search(data) is not None  # a literal-first search: the full one costs 25 times more
        for match in _SURROGATES.finditer(data) if suspects else ():
            if match.start() >= cut:
                break
            lone = match.group(2)
            if lone is not None and len(lone) % 2 == 1:
                raise StreamError("a lone UTF-16 surrogate escape (\\ud800 to \\udfff without its pair)", self.tell())
            judged = match.end()
        self.held = data[max(cut, judged) :]
        return chunk

    def tell(self) -> int:
        return self.fp.tell()


def _too_deep(path: list[str | None], fp: IO[bytes]) -> StreamError:
    where = ".".join(p or "" for p in path) or "its root"
    return StreamError(
        f"the document is nested more than {limits.MAX_DEPTH} levels deep (below {where})", _position(fp)
    )


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
