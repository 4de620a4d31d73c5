"""Refuse requests whose path, query string or JSON body holds a NUL character, or whose JSON body nests deeper
than ``epcis.limits.MAX_DEPTH``, before any route runs.

No identifier, CBV value, name or query value can contain one, and PostgreSQL can neither store nor compare text
with it (psycopg raises a DataError), so without this ``/events?EQ_bizStep=a%00b`` or a named query called
``"a\\u0000b"`` is a 500 on PostgreSQL and accepted on SQLite. The answer is a 400 problem naming the parameter
(``path`` or ``body`` otherwise), the same on both databases.

Capture documents are not buffered here: ``POST /capture`` and ``POST /events`` are streamed and refuse such an
event themselves, naming its index and JSON pointer (``epcis.validation``). Other JSON bodies are small
(named queries, subscriptions, master data); one above ``MAX_CHECKED_BODY`` is passed on unchecked. A body nested
too deep is the 400 ``nested_too_deep`` problem naming its pointer, as ``POST /capture`` answers (FastAPI's own parser
would fail with a RecursionError past about 1,000 levels, and the route's models would see the rest).
"""

from typing import Any
from urllib.parse import parse_qsl, unquote

import orjson
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from zhuisu.web import epcis_http
from zhuisu.web.errors import error_response, problem_response

_NUL = "\x00"
#: JSON bodies up to this size are checked for an escaped NUL (``\\u0000``); larger ones are passed on.
MAX_CHECKED_BODY = 1 << 20
_CAPTURE_PATHS = ("/capture", "/events")


def nul_parameter(path: str, query_string: str) -> str | None:
    """The name of the query parameter holding a NUL, ``"path"`` when the path holds one, else None.

    >>> nul_parameter("/events", "EQ_bizStep=a%00b")
    'EQ_bizStep'
    >>> nul_parameter("/epcs/a%00b", ""), nul_parameter("/epcs/a\\x00b", "")
    ('path', 'path')
    >>> nul_parameter("/events", "EQ_action=ADD") is None
    True
    """
    if _NUL in path or _NUL in unquote(path):
        return "path"
    if "%00" not in query_string and _NUL not in query_string:
        return None
    for name, value in parse_qsl(query_string, keep_blank_values=True):
        if _NUL in name or _NUL in value:
            return name.replace(_NUL, "\\u0000")
    return None


class NulGuardMiddleware:
    """A pure ASGI middleware: NUL in the path, query string or a JSON body, or a JSON body nested too deep → 400
    problem, the route never runs."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        name = nul_parameter(scope["path"], scope.get("query_string", b"").decode("latin-1"))
        if name is not None and scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008})  # refuses the handshake
            return
        if name is None and _json_body(scope):
            receive, body = await _buffered(receive)
            name = "body" if _holds_nul(body) else None
            pointer = epcis_http.too_deep_pointer(body) if name is None else None
            if pointer is not None:
                await error_response(Request(scope), epcis_http.nested_too_deep(pointer))(scope, receive, send)
                return
        if name is None:
            await self.app(scope, receive, send)
            return
        response = problem_response(
            Request(scope),
            status=400,
            code="nul_character",
            detail=f"{name} 含有 NUL（U+0000）字符 / {name} contains a NUL (U+0000) character",
            problem_type=None if name in ("path", "body") else "epcisException:QueryParameterException",
            parameter=name,
        )
        await response(scope, receive, send)


def _json_body(scope: Scope) -> bool:
    if scope["type"] != "http" or scope["method"] not in ("POST", "PUT", "PATCH"):
        return False
    if scope["path"].rstrip("/") in _CAPTURE_PATHS:
        return False
    headers = dict(scope["headers"])
    length = headers.get(b"content-length", b"")
    media = headers.get(b"content-type")  # FastAPI reads a body without a Content-Type as JSON too
    return (media is None or b"json" in media) and length.isdigit() and int(length) <= MAX_CHECKED_BODY


async def _buffered(receive: Receive) -> tuple[Receive, bytes]:
    """The request body read whole, and a ``receive`` replaying it."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":  # the client went away: pass that on
            return _replay([message]), b""
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            break
    body = b"".join(chunks)
    return _replay([{"type": "http.request", "body": body, "more_body": False}], receive), body


def _holds_nul(body: bytes) -> bool:
    """Whether JSON text holds a NUL in a key or string (``\\u0000`` in the text may also follow an escaped
    backslash, so a candidate is parsed and walked)."""
    if b"\\u0000" not in body:
        return False
    try:
        return _has_nul(orjson.loads(body))
    except orjson.JSONDecodeError:
        return False  # not JSON: the route refuses it


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return _NUL in value
    if isinstance(value, dict):
        return any(_NUL in key or _has_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_has_nul(item) for item in value)
    return False


def _replay(messages: list[Message], then: Receive | None = None) -> Receive:
    async def receive() -> Message:
        if messages:
            return messages.pop(0)
        if then is None:
            return {"type": "http.disconnect"}
        return await then()

    return receive
