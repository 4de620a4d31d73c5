"""Load test of the public product page: requests per second and latency percentiles on loopback.

Builds a temp SQLite node with the demo data (`zhuisu db upgrade`, `zhuisu demo load`), starts uvicorn with
``--workers`` processes on 127.0.0.1, then drives one product page over keep-alive connections from an asyncio
client in this process, bounded by a request count and a time limit. The target (issue 8): ≥ 1,000 requests/s
with p99 < 100 ms. The rate limiter is switched off for the run (one client address would be throttled);
the story cache (``portal_cache_seconds``) is on, as in production.

    .venv/bin/python -m bench.portal_load --requests 20000 --connections 32 --workers 2
"""

import argparse
import asyncio
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from importlib.util import find_spec
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results" / "portal.json"
PATH = "/01/06901234222227/10/L20261001"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def _one_connection(
    port: int, request: bytes, budget: list[int], deadline: float, latencies: list[float], errors: list[str]
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while budget[0] > 0 and time.perf_counter() < deadline:
            budget[0] -= 1
            start = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            status = head[9:12]
            length = next(
                int(line.split(b":", 1)[1])
                for line in head.split(b"\r\n")
                if line.lower().startswith(b"content-length:")
            )
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - start)
            if status != b"200":
                errors.append(status.decode())
    finally:
        writer.close()


async def _drive(port: int, total: int, connections: int, seconds: float) -> tuple[list[float], list[str], float]:
    request = (
        f"GET {PATH} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/html\r\nAccept-Language: zh-CN\r\n\r\n"
    ).encode()
    latencies: list[float] = []
    errors: list[str] = []
    budget = [total]
    start = time.perf_counter()
    await asyncio.gather(
        *(_one_connection(port, request, budget, start + seconds, latencies, errors) for _ in range(connections))
    )
    return latencies, errors, time.perf_counter() - start


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _serve(workdir: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "ZHUISU_DATA_DIR": str(workdir),
        "ZHUISU_DATABASE_URL": f"sqlite:///{workdir}/zhuisu.db",
        "ZHUISU_PORTAL_RATE_PER_SECOND": "0",
    }
    for command in (["db", "upgrade"], ["demo", "load", "--events", "5000"]):
        subprocess.run([sys.executable, "-m", "zhuisu", *command], env=env, check=True, capture_output=True)
    fast = ["--http", "httptools"] if find_spec("httptools") else []
    fast += ["--loop", "uvloop"] if find_spec("uvloop") else []
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "zhuisu.web.asgi:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
            *fast,
        ],
        env=env,
        cwd=workdir,
    )


def _wait_ready(port: int, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and server.poll() is None:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(f"GET {PATH} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
                if s.recv(12).endswith(b"200"):
                    return
        except OSError:
            pass
        time.sleep(0.3)
    raise RuntimeError("the server did not start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=20_000)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=60.0, help="Time limit of the measured run.")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="zhuisu-portal-bench-"))
    port = _free_port()
    server = _serve(workdir, port, args.workers)
    try:
        _wait_ready(port, server)
        asyncio.run(_drive(port, 2000, args.connections, 20.0))  # warm every worker's story and page caches
        latencies, errors, elapsed = asyncio.run(_drive(port, args.requests, args.connections, args.seconds))
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)
    result = {
        "path": PATH,
        "workers": args.workers,
        "connections": args.connections,
        "requests": len(latencies),
        "errors": len(errors),
        "seconds": round(elapsed, 3),
        "requests_per_second": round(len(latencies) / elapsed, 1),
        "p50_ms": round(1000 * _percentile(latencies, 0.50), 2),
        "p90_ms": round(1000 * _percentile(latencies, 0.90), 2),
        "p99_ms": round(1000 * _percentile(latencies, 0.99), 2),
        "max_ms": round(1000 * max(latencies), 2),
        "cpus": os.cpu_count(),
        "target": {"requests_per_second": 1000, "p99_ms": 100},
    }
    result["met"] = result["requests_per_second"] >= 1000 and result["p99_ms"] < 100 and not errors
    print(f"{'path':<12}{'workers':>8}{'conns':>7}{'requests':>10}{'req/s':>10}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}")
    print(
        f"{'product':<12}{args.workers:>8}{args.connections:>7}{result['requests']:>10}"
        f"{result['requests_per_second']:>10}{result['p50_ms']:>9}{result['p99_ms']:>9}{result['errors']:>8}"
    )
    print(json.dumps(result, ensure_ascii=False))
    RESULTS.parent.mkdir(exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 0 if result["met"] else 1


if __name__ == "__main__":
    sys.exit(main())
