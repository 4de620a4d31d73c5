"""A real local webhook receiver for subscription tests, and helpers to check what it received."""

import hashlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN = "s3cret-token"


class Receiver:
    """An HTTP server on a fixed local port that records every notification it is sent (body, GS1-Signature).

    Until ``start()`` nothing listens on the port, so deliveries are refused — a receiver that is down.
    """

    def __init__(self, port: int, delay: float = 0.0) -> None:
        self.port = port
        self.delay = delay
        self.bodies: list[tuple[bytes, str]] = []
        #: The Zhuisu-Signature of each body (notice hooks), in order.
        self.signatures: list[str] = []
        self.server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hook"

    def start(self) -> None:
        bodies, signatures, delay = self.bodies, self.signatures, self.delay

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                time.sleep(delay)
                bodies.append((body, self.headers.get("GS1-Signature", "")))
                signatures.append(self.headers.get("Zhuisu-Signature", ""))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def documents(receiver: Receiver, token: str = TOKEN) -> list[dict[str, Any]]:
    """The documents received, each checked to carry a valid GS1-Signature."""
    out = []
    for body, sig in receiver.bodies:
        expected = "sha256=" + hmac.new(token.encode(), body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(sig, expected)
        out.append(json.loads(body))
    return out


def epcs(document: dict[str, Any]) -> list[str]:
    """The first EPC of each event of a query document."""
    return [e["epcList"][0] for e in document["epcisBody"]["queryResults"]["resultsBody"]["eventList"]]


def wait_for(check: Callable[[], bool], timeout: float = 20.0) -> bool:
    """Poll ``check`` until it holds or ``timeout`` seconds pass; returns its last value."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.05)
    return check()
