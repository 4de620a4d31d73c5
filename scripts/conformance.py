"""Run schemathesis (the CLI) with the GS1 EPCIS 2.0 REST binding's OpenAPI document against a live ``zhuisu serve``
on a throwaway SQLite database holding the demo (see docs/epcis.md, "Conformance").

    .venv/bin/python -m scripts.conformance [--examples 20] [--events 2000] [--port 8731] [--out PATH]

Prints schemathesis' report (and writes it to ``--out`` when given); exits with schemathesis' status.
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "tests" / "data" / "rest-binding" / "openapi.json"
BIN = Path(sys.executable).parent
CHECKS = (
    "not_a_server_error,status_code_conformance,content_type_conformance,"
    "response_headers_conformance,response_schema_conformance"
)


def _wait_for(port: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.3)
    raise SystemExit(f"zhuisu serve did not listen on port {port} within {timeout:.0f} s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--examples", type=int, default=20, help="schemathesis --max-examples per operation")
    parser.add_argument("--events", type=int, default=2000, help="events of the demo city")
    parser.add_argument("--port", type=int, default=8731)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, help="also write the report here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="zhuisu-conformance-") as tmp:
        env = {**os.environ, "ZHUISU_DATABASE_URL": f"sqlite:///{tmp}/node.db", "ZHUISU_DATA_DIR": f"{tmp}/data"}
        subprocess.run([BIN / "zhuisu", "db", "upgrade"], env=env, check=True, capture_output=True)
        subprocess.run([BIN / "zhuisu", "demo", "load", "--events", str(args.events)], env=env, check=True)
        token = (Path(tmp) / "data" / "demo-token").read_text().strip()
        server = subprocess.Popen(
            [BIN / "zhuisu", "serve", "--port", str(args.port)], env=env, stdout=subprocess.DEVNULL
        )
        try:
            _wait_for(args.port)
            run = subprocess.run(
                [
                    BIN / "schemathesis", "run", str(SPEC), "--url", f"http://127.0.0.1:{args.port}",
                    "-H", f"Authorization: Bearer {token}", "--max-examples", str(args.examples),
                    "--seed", str(args.seed), "--checks", CHECKS, "--no-color", "--generation-database", "none",
                ],
                capture_output=True,
                text=True,
            )  # fmt: skip
        finally:
            server.terminate()
            server.wait(timeout=30)
    report = run.stdout + run.stderr
    print(report)
    if args.out:
        args.out.write_text(report, encoding="utf-8")
    return run.returncode


if __name__ == "__main__":
    sys.exit(main())
