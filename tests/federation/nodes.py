"""Real zhuisu nodes for the federation tests: each its own process (``python -m zhuisu serve``), database, data
directory and address; commands run as its operator would run them (``python -m zhuisu …``)."""

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from stdnum import ean

from tests.support.node import ROOT, free_port, serve


def gln(stem: str) -> str:
    """A GLN with its check digit: ``stem`` is its first 12 digits."""
    return stem + ean.calc_check_digit(stem)


@dataclass
class Node:
    """One node: ``cli`` runs a command as its operator, ``start``/``kill`` its server, ``call`` its HTTP API."""

    name: str
    home: Path
    database_url: str
    port: int = field(default_factory=free_port)
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def origin(self) -> str:
        """The node's log origin (the default: its base URL's host and port, then ``/ledger``)."""
        return f"127.0.0.1:{self.port}/ledger"

    @property
    def env(self) -> dict[str, str]:
        return {
            **{k: v for k, v in os.environ.items() if not k.startswith("ZHUISU_")},
            "ZHUISU_DATABASE_URL": self.database_url,
            "ZHUISU_DATA_DIR": str(self.home),
            "ZHUISU_BASE_URL": self.url,
            "ZHUISU_NODE_NAME": self.name,
            "ZHUISU_SUBSCRIPTIONS_POLL_SECONDS": "0.2",
            "ZHUISU_FEDERATION_BACKOFF_MAX_SECONDS": "1",
            "ZHUISU_FEDERATION_CATALOG_INTERVAL_SECONDS": "0",
            "ZHUISU_FEDERATION_RECONCILE_INTERVAL_SECONDS": "0",
            "ZHUISU_FEDERATION_RECONCILE_AFTER_SECONDS": "0",
            "ZHUISU_PORTAL_RATE_BURST": "100000",
        }

    def cli(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "zhuisu", *args], env=self.env, cwd=ROOT, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise AssertionError(f"{self.name}: zhuisu {' '.join(args)} failed: {done.stdout}{done.stderr}")
        return done.stdout

    def cli_json(self, *args: str) -> Any:
        return json.loads(self.cli(*args, "--json"))

    def start(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        self.process = serve(self.env, self.port, log=self.home / "server.log")

    def kill(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(30)
            self.process = None

    def call(self, method: str, path: str, token: str | None = None, **kwargs: Any) -> httpx.Response:
        headers = {"Accept-Language": "en", **kwargs.pop("headers", {})}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return httpx.request(method, self.url + path, headers=headers, timeout=60, **kwargs)

    def party(self, name: str, *args: str) -> tuple[str, str]:
        """Register a party with a token: (id, token)."""
        made = self.cli_json("parties", "add", name, "--token", *args)
        return str(made["id"]), str(made["token"])

    def admin(self) -> str:
        """A token of this node's admin."""
        party_id, token = self.party(f"{self.name}管理员")
        self.cli("admin", "grant", party_id, "--role", "admin")
        return token


def wait_for(what: str, check: Callable[[], bool], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.2)
