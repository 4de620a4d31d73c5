"""``make federation-demo``: a province and two cities on this machine, linked, with demo data, until Ctrl-C.

Each node is its own ``zhuisu serve`` process with its own SQLite database under ``var/federation/<node>``: the
province on port ``FEDERATION_PORT`` (default 8101), city A on the next, city B on the one after. The province
registers both cities as child nodes (``zhuisu node add``); each city links to it (``zhuisu node link``) before it
loads its demo city (``zhuisu demo load``, seeds 1 and 2), so every demo event waits in the city's outbox and is
sent once the city's server runs. Prints the URLs and the admin tokens, then waits; a second run starts afresh.
"""

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
HOME = ROOT / "var" / "federation"
EVENTS = int(os.environ.get("FEDERATION_EVENTS", "1500"))
BASE_PORT = int(os.environ.get("FEDERATION_PORT", "8101"))


class Node:
    def __init__(self, key: str, name: str, port: int) -> None:
        self.key, self.name, self.port = key, name, port
        self.home = HOME / key
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def env(self) -> dict[str, str]:
        return {
            **{k: v for k, v in os.environ.items() if not k.startswith("ZHUISU_")},
            "ZHUISU_DATA_DIR": str(self.home),
            "ZHUISU_BASE_URL": self.url,
            "ZHUISU_NODE_NAME": self.name,
            "ZHUISU_SUBSCRIPTIONS_POLL_SECONDS": "1",
        }

    def cli(self, *args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-m", "zhuisu", *args], env=self.env(), cwd=ROOT, capture_output=True, text=True
        )
        if done.returncode != 0:
            raise SystemExit(f"{self.name}: zhuisu {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
        return done.stdout

    def serve(self) -> None:
        log = (self.home / "server.log").open("ab")
        command = [sys.executable, "-m", "zhuisu", "serve", "--port", str(self.port)]
        self.process = subprocess.Popen(command, env=self.env(), cwd=ROOT, stdout=log, stderr=log)
        for _ in range(600):
            try:
                if httpx.get(self.url + "/", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise SystemExit(f"{self.name} did not start (see {self.home / 'server.log'})")


def main() -> None:
    shutil.rmtree(HOME, ignore_errors=True)
    province = Node("province", "示范省追溯平台", BASE_PORT)
    cities = [Node("city-a", "示范市A追溯平台", BASE_PORT + 1), Node("city-b", "示范市B追溯平台", BASE_PORT + 2)]
    nodes = [province, *cities]
    for node in nodes:
        node.home.mkdir(parents=True)
        node.cli("db", "upgrade")
    made = json.loads(province.cli("parties", "add", "示范省平台管理员", "--token", "--json"))
    province.cli("admin", "grant", made["id"], "--role", "admin")
    (province.home / "admin-token").write_text(made["token"] + "\n", encoding="utf-8")
    tokens = [
        json.loads(province.cli("node", "add", city.name, "--region", region, "--json"))["token"]
        for city, region in zip(cities, ("370100", "370200"), strict=True)
    ]
    try:
        province.serve()
        for seed, (city, token) in enumerate(zip(cities, tokens, strict=True), start=1):
            city.cli("node", "link", "--parent", province.url, "--token", token)
            print(f"{city.name}: loading the demo city (seed {seed}, {EVENTS} events) …", flush=True)
            city.cli("demo", "load", "--events", str(EVENTS), "--seed", str(seed), "--json")
            city.serve()
        print()
        print(f"  province  {province.name}: {province.url}/   admin token: {made['token']}")
        for city in cities:
            admin = (city.home / "demo-admin-token").read_text(encoding="utf-8").strip()
            print(f"  city      {city.name}: {city.url}/   admin token: {admin}")
        print()
        status = f"curl -H 'Authorization: Bearer {made['token']}' {province.url}/exchange/status"
        print(f"  federation at the province: {status}")
        print(f"  a city's outbox:           zhuisu node list  (ZHUISU_DATA_DIR={cities[0].home})")
        print("  Ctrl-C stops the three nodes.", flush=True)
        while all(n.process is not None and n.process.poll() is None for n in nodes):
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    finally:
        for node in nodes:
            if node.process is not None:
                node.process.terminate()
                node.process.wait(30)


if __name__ == "__main__":
    main()
