"""A real zhuisu node in a process of its own (``python -m zhuisu serve``), for tests of what only a running server
shows: a kill after answering, concurrent writers over real connections."""

import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

#: The checkout the tests run from: ``python -m zhuisu`` there runs its code, whichever one is installed.
ROOT = Path(__file__).resolve().parent.parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def serve(env: dict[str, str], port: int, *, workers: int = 1, log: Path | None = None) -> subprocess.Popen[bytes]:
    """Start ``zhuisu serve`` on ``port`` with ``env`` and wait until it answers ``GET /`` (its output to ``log``, or
    to a temporary file whose end the error quotes when the node does not start)."""
    command = [sys.executable, "-m", "zhuisu", "serve", "--host", "127.0.0.1", "--port", str(port)]
    command += ["--workers", str(workers)]
    output = log or Path(tempfile.mkstemp(prefix="zhuisu-node-", suffix=".log")[1])
    with output.open("ab") as out:  # the server writes to its own copy of the descriptor
        server = subprocess.Popen(command, env=env, cwd=ROOT, stdout=out, stderr=out)
    started = time.monotonic()
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/", timeout=2).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        if time.monotonic() > started + 60 or server.poll() is not None:
            server.kill()
            tail = output.read_text(encoding="utf-8", errors="replace")[-3000:]
            raise RuntimeError(
                f"the node did not start on port {port} (exit {server.poll()}, "
                f"{time.monotonic() - started:.1f} s): {tail}"
            )
        time.sleep(0.2)
