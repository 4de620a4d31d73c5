"""End-to-end fixtures: a live uvicorn server on 127.0.0.1 over a temp SQLite database loaded with the demo data
(by the real CLI), and Debian's chromium driven by Playwright. Screenshots go to test-artifacts/.

Chromium is never downloaded (`make browser` installs Debian's package); without it these tests are skipped.
"""

import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import httpx
import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from zhuisu.config import Settings
from zhuisu.db.engine import engine_from_settings, make_sessionmaker
from zhuisu.db.session import unit_of_work
from zhuisu.models import Event, EventEpc, Party
from zhuisu.parties import service as parties_service

CHROMIUM = "/usr/bin/chromium"
T = TypeVar("T")
QUIET = ("--log-level", "warning")
#: Events of the demo city: enough for every product class to have traceable codes, small enough to load fast.
DEMO_EVENTS = 3000
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

playwright_sync = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")
if not os.path.exists(CHROMIUM):
    pytest.skip(f"{CHROMIUM} is missing: run `make browser`", allow_module_level=True)


@dataclass(frozen=True)
class LiveServer:
    url: str
    regulator_token: str
    enterprise_token: str
    samples: dict[str, str]  # product class (or "demo") → a code recorded in the demo data
    data_dir: Path  # the server's DATA_DIR: the demo actors' tokens (demo-<key>-token)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _samples(session: Session) -> dict[str, str]:
    """One GS1 code per product class of the demo data: a code named by an event at a site of a party of that
    class (falls back to the demo chain's pork lot when no party declares a class)."""
    rows = session.execute(
        select(Party.product_class, EventEpc.value)
        .join(Event, Event.id == EventEpc.event_pk)
        .join(Party, Event.read_point == "https://id.gs1.org/414/" + Party.gln)
        .where(Party.product_class.is_not(None), EventEpc.value.startswith("https://id.gs1.org/01/"))
        .order_by(Party.product_class, EventEpc.value)
    ).all()
    found: dict[str, str] = {}
    for product_class, value in rows:
        found.setdefault(str(product_class).split(".")[0], value)
    if not found:
        lot = session.scalar(select(EventEpc.value).where(EventEpc.value.contains("/10/")).order_by(EventEpc.value))
        found["demo"] = str(lot)
    return found


def _prepare(env: dict[str, str]) -> tuple[str, str, dict[str, str]]:
    for command in (["db", "upgrade"], ["demo", "load", "--events", str(DEMO_EVENTS)]):
        subprocess.run(
            [sys.executable, "-m", "zhuisu", *command], env=env, check=True, capture_output=True, timeout=600
        )
    settings = Settings(database_url=env["ZHUISU_DATABASE_URL"], data_dir=Path(env["ZHUISU_DATA_DIR"]))
    engine = engine_from_settings(settings)
    with unit_of_work(make_sessionmaker(engine)) as session:
        regulator = parties_service.create_party(
            session, name="示范市市场监督管理局", region="370100", party_type="government", roles=["regulator"]
        )
        parties_service.grant(session, regulator, actor_role="regulator", jurisdiction="3701")
        enterprise = parties_service.create_party(session, name="示范市放心食品有限公司", uscc="91110000600037341L")
        tokens = (
            parties_service.issue_token(session, party=regulator).secret,
            parties_service.issue_token(session, party=enterprise).secret,
        )
        samples = _samples(session)
    engine.dispose()
    return tokens[0], tokens[1], samples


@contextmanager
def serve(env: dict[str, str], workdir: Path, port: int) -> Iterator[str]:
    """uvicorn serving the app under ``env`` on ``port``, once its portal answers (60 s at most); its URL. The
    server is stopped on leaving."""
    server = subprocess.Popen(
        [sys.executable, "-m", "uvicorn", "zhuisu.app.asgi:app", "--host", "127.0.0.1", "--port", str(port), *QUIET],
        env=env,
        cwd=workdir,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(url + "/portal", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise RuntimeError("the live server did not start")
            time.sleep(0.2)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=20)


@contextmanager
def own_server(prefix: str, prepare: Callable[[Session], T]) -> Iterator[tuple[str, T, Engine]]:
    """A server of a test module's own: a fresh SQLite database (no demo city), ``prepare`` run on it in one unit of
    work before the server starts (a sector's ``plant``, the tokens the test signs in with), no subscription worker.
    Yields the URL, what ``prepare`` returned, and an engine on the database for the test's own counts."""
    workdir = Path(tempfile.mkdtemp(prefix=prefix))
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "ZHUISU_DATA_DIR": str(workdir),
        "ZHUISU_DATABASE_URL": f"sqlite:///{workdir}/zhuisu.db",
        "ZHUISU_PORTAL_RATE_PER_SECOND": "0",
        "ZHUISU_SUBSCRIPTIONS_WORKER": "false",
        "ZHUISU_BASE_URL": url,
    }
    subprocess.run([sys.executable, "-m", "zhuisu", "db", "upgrade"], env=env, check=True, capture_output=True)
    settings = Settings(database_url=env["ZHUISU_DATABASE_URL"], data_dir=workdir, base_url=url)
    engine = engine_from_settings(settings)
    try:
        with unit_of_work(make_sessionmaker(engine, settings)) as session:
            prepared = prepare(session)
        with serve(env, workdir, port):
            yield url, prepared, engine
    finally:
        engine.dispose()
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def live_server() -> Iterator[LiveServer]:
    workdir = Path(tempfile.mkdtemp(prefix="zhuisu-browser-"))
    env = {
        **os.environ,
        "ZHUISU_DATA_DIR": str(workdir),
        "ZHUISU_DATABASE_URL": f"sqlite:///{workdir}/zhuisu.db",
        "ZHUISU_PORTAL_RATE_PER_SECOND": "0",
        "ZHUISU_BASE_URL": "http://127.0.0.1",
    }
    regulator, enterprise, samples = _prepare(env)
    try:
        with serve(env, workdir, _free_port()) as url:
            yield LiveServer(url, regulator, enterprise, samples, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="session")
def browser_context() -> Iterator[object]:
    profile = tempfile.mkdtemp(prefix="zhuisu-chromium-")  # a fresh --user-data-dir
    with playwright_sync.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile,
            executable_path=CHROMIUM,
            headless=True,
            args=CHROMIUM_ARGS,
            viewport={"width": 412, "height": 900},
            locale="zh-CN",
        )
        context.set_default_timeout(15_000)
        yield context
        context.close()
    shutil.rmtree(profile, ignore_errors=True)


@pytest.fixture
def page(browser_context: object) -> Iterator[object]:
    new_page = browser_context.new_page()  # type: ignore[attr-defined]
    yield new_page
    new_page.close()


def screenshot(page: object, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]
