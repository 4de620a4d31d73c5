"""The middleware that writes the audit trail of writes (``auth.trail``): after each POST, PUT, PATCH or DELETE is
answered, the caller of its bearer token or sign-in cookie is resolved again (``auth.permissions.presented_caller``)
and the entry written in a transaction of its own (the request's may have been rolled back: a refused write leaves
its trace all the same)."""

import logging
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from zhuisu.auth import trail
from zhuisu.auth.permissions import presented_caller
from zhuisu.db.session import unit_of_work

log = logging.getLogger(__name__)
_WRITES = frozenset({"POST", "PUT", "PATCH", "DELETE"})
#: Writes that are audited by their own domain or that change nothing: signing in and out (``signed_in``,
#: ``signed_out``) and format conversion.
_SKIPPED = ("/signin", "/signout", "/convert")


class AuditMiddleware:
    def __init__(self, app: ASGIApp, state: Any) -> None:
        self.app, self.state = app, state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in _WRITES or scope["path"].startswith(_SKIPPED):
            await self.app(scope, receive, send)
            return
        answered: dict[str, Any] = {}

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                answered["status"] = message["status"]
                answered["location"] = dict(message.get("headers") or []).get(b"location", b"").decode("latin-1")
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            if "status" in answered:  # the database work off the event loop, as the routes' own
                await run_in_threadpool(self._record, scope, answered)

    def _record(self, scope: Scope, answered: dict[str, Any]) -> None:
        request = Request(scope)
        location = str(answered.get("location") or "")
        try:
            with unit_of_work(self.state.sessionmaker) as session:
                caller = presented_caller(request, session)
                if caller is None:
                    return  # anonymous, or no valid caller: nothing was written on anyone's behalf (the answer was 401)
                trail.record_write(
                    session,
                    caller,
                    method=request.method,
                    path=request.url.path,
                    status=int(answered["status"]),
                    on_behalf_of=request.query_params.get("onBehalfOf"),
                    capture_id=location.rsplit("/", 1)[1] if location.startswith("/capture/") else None,
                )
        except Exception:  # the answer is already sent: a lost audit row is logged, never a 500
            log.exception("could not write the audit entry of %s %s", scope["method"], scope["path"])
