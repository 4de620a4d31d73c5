"""``OPTIONS`` discovery on every resource, as the GS1 EPCIS 2.0 REST binding describes it (204 Default / Writable /
Removable / Capture Endpoint Discovery responses): ``Allow`` lists the methods the resource's routes take, and the
``GS1-*`` headers say which EPCIS and CBV versions, EPC formats and capture behaviours this node supports.

A small ASGI middleware answers ``OPTIONS`` for every path, so no resource needs its own handler (a catch-all
``OPTIONS`` route would turn every unknown path into 405). A path no route serves is passed on (404). Discovery needs
no credentials: it tells what the node can do, not what it holds.
"""

from fastapi import FastAPI
from fastapi.routing import iter_route_contexts
from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

#: Versions this node reads (EPCIS 1.2 and 2.0 documents, CBV 1.2 URNs and 2.0 words) and writes (2.0).
VERSION_HEADERS = {
    "GS1-EPCIS-Min": "1.2.0",
    "GS1-EPCIS-Max": "2.0.0",
    "GS1-CBV-Min": "1.2.0",
    "GS1-CBV-Max": "2.0.0",
}
FORMAT_HEADERS = {
    # Both forms of EPCs and CBV values are accepted on capture and in queries.
    "GS1-EPC-Format": "No_Preference",
    "GS1-CBV-XML-Format": "No_Preference",
}
#: Announced on ``/capture``: both rollback and proceed are supported.
CAPTURE_HEADERS = {"GS1-Capture-Error-Behaviour": "all"}
_METHOD_ORDER = ("OPTIONS", "GET", "POST", "PUT", "PATCH", "DELETE")


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """The methods the routes serving ``path`` take, with OPTIONS first (HEAD, implied by GET, is not listed);
    empty when no route serves it."""
    methods: set[str] = set()
    # FastAPI keeps included routers nested; iter_route_contexts flattens them, with their effective paths.
    for route in iter_route_contexts(app.router.routes):
        regex = getattr(route, "path_regex", None)
        if route.methods and regex is not None and regex.match(path):
            methods |= route.methods
    if not methods:
        return []
    methods.add("OPTIONS")
    return [m for m in _METHOD_ORDER if m in methods]


def discovery_headers(path: str, methods: list[str]) -> dict[str, str]:
    """The discovery headers for a resource (the EPCIS/CBV version headers are added to every response by
    ``web.headers``; the capture limits by prefix)."""
    headers = {"Allow": ", ".join(methods), **VERSION_HEADERS, **FORMAT_HEADERS}
    if path.rstrip("/") == "/capture":
        headers.update(CAPTURE_HEADERS)
    return headers


class OptionsMiddleware:
    """Answers ``OPTIONS`` with 204 and the resource's ``Allow`` and GS1 discovery headers."""

    def __init__(self, app: ASGIApp, *, api: FastAPI) -> None:
        self.app = app
        self.api = api

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "OPTIONS":
            path: str = scope["path"]
            methods = allowed_methods(self.api, path)
            if methods:
                await Response(status_code=204, headers=discovery_headers(path, methods))(scope, receive, send)
                return
        await self.app(scope, receive, send)


def install(app: FastAPI) -> None:
    """Answer ``OPTIONS`` on every path ``app`` serves (inside the middleware adding the version headers)."""
    app.add_middleware(OptionsMiddleware, api=app)
