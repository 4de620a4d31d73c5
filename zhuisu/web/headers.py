"""Pure ASGI middleware adding the GS1 EPCIS version headers to every response (and the capture limits to the
capture resources). Plain ASGI rather than ``@app.middleware("http")``: Starlette's BaseHTTPMiddleware wraps every
response in a stream and a task group, which cost the public portal a large share of its CPU per request."""

from collections.abc import Callable, Sequence

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class HeadersMiddleware:
    def __init__(
        self,
        app: ASGIApp,
        *,
        always: Sequence[tuple[str, str]],
        by_prefix: Callable[[], Sequence[tuple[str, Sequence[tuple[str, str]]]]] = lambda: (),
    ) -> None:
        self.app = app
        self.always = [(k.lower().encode(), v.encode()) for k, v in always]
        self.by_prefix = by_prefix

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra = list(self.always)
        path: str = scope.get("path", "")
        for prefix, headers in self.by_prefix():
            if path.startswith(prefix):
                extra += [(k.lower().encode(), v.encode()) for k, v in headers]

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                message["headers"] = [*message.get("headers", []), *[(k, v) for k, v in extra if k not in present]]
            await send(message)

        await self.app(scope, receive, send_with_headers)
