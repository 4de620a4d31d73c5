"""Test fixtures: real SQLite and real PostgreSQL, schema built by the migrations, each test rolled back.

Every test that uses ``engine`` (directly or through ``session``, ``client``, …) runs once per database.
``cli_db`` gives a command-line test a fresh, migrated database of its own, since the CLI opens its own engine.
"""

import itertools
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.support import pgserver
from zhuisu.app import wiring
from zhuisu.app.web import create_app
from zhuisu.cli import runtime
from zhuisu.config import Settings, get_settings
from zhuisu.db import migrate
from zhuisu.db.engine import make_engine, session_info
from zhuisu.db.session import unit_of_work
from zhuisu.parties import service as parties_service

DATA = Path(__file__).parent / "data"
BACKENDS = ("sqlite", "postgresql")
_counter = itertools.count()


@pytest.fixture(scope="session", autouse=True)
def _signals_connected() -> None:
    """Tests call the services directly, as the app and the command line do after connecting the signals."""
    wiring.connect()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """A test marked ``postgres`` needs PostgreSQL semantics: drop its SQLite variant."""
    keep = [i for i in items if not (i.get_closest_marker("postgres") and "[sqlite" in i.nodeid)]
    if len(keep) != len(items):
        config.hook.pytest_deselected(items=[i for i in items if i not in keep])
        items[:] = keep


@pytest.fixture(scope="session")
def pg_server() -> Iterator[pgserver.PgServer]:
    server = pgserver.start()
    yield server
    server.stop()


def create_database(server: pgserver.PgServer, name: str) -> str:
    with psycopg.connect(f"host=127.0.0.1 port={server.port} user=postgres dbname=postgres", autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return server.url(name)


def fresh_url(request: pytest.FixtureRequest, backend: str, tmp: Path) -> str:
    """A new, empty database of ``backend``."""
    if backend == "sqlite":
        return f"sqlite:///{tmp / f'zhuisu-{next(_counter)}.db'}"
    server: pgserver.PgServer = request.getfixturevalue("pg_server")
    return create_database(server, f"zhuisu_{os.getpid()}_{next(_counter)}")


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
def engine(request: pytest.FixtureRequest, backend: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    url = fresh_url(request, backend, tmp_path_factory.mktemp("db"))
    migrate.upgrade(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    with engine.connect() as conn:
        outer = conn.begin()
        yield conn
        outer.rollback()


@pytest.fixture
def maker(connection: Connection, settings: Settings) -> sessionmaker[Session]:
    """Sessions on the test's connection: their commits release savepoints; the test's end rolls all back. They
    carry the node's settings, as the app's and the command line's do (so captures sign checkpoints)."""
    return sessionmaker(
        bind=connection,
        join_transaction_mode="create_savepoint",
        expire_on_commit=False,
        info=session_info(settings),
    )


@pytest.fixture
def session(maker: sessionmaker[Session]) -> Iterator[Session]:
    with maker() as s:
        yield s


#: The hosts the tests' subscriptions call back to, allow-listed as an admin would allow a local receiver
#: (``tests/exchange/test_outbound.py`` makes settings of its own, without them).
CALLBACK_HOSTS = ["127.0.0.1", "x", "client.example.com", "a.example", "b.example", "example.com"]


@pytest.fixture
def settings(engine: Engine) -> Settings:
    return Settings(
        database_url=engine.url.render_as_string(hide_password=False), subscriptions_allowed_hosts=CALLBACK_HOSTS
    )


@pytest.fixture
def app(settings: Settings, maker: sessionmaker[Session]) -> Iterator[object]:
    application = create_app(settings)
    application.state.sessionmaker = maker
    yield application
    application.dependency_overrides.clear()


@pytest.fixture
def client(app: object) -> Iterator[TestClient]:
    with TestClient(app) as c:  # type: ignore[arg-type]
        yield c


@dataclass(frozen=True)
class Credentials:
    party_id: str
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


@pytest.fixture
def creds(maker: sessionmaker[Session]) -> Credentials:
    with unit_of_work(maker) as s:
        party = parties_service.create_party(s, name="测试食品有限公司", uscc="91110000600037341L")
        issued = parties_service.issue_token(s, party=party, label="test")
        return Credentials(party.id, issued.secret)


@pytest.fixture
def admin(maker: sessionmaker[Session]) -> Credentials:
    """The node's administrator (registers parties, grants roles, loads catalog releases)."""
    with unit_of_work(maker) as s:
        party = parties_service.create_party(s, name="节点管理员")
        parties_service.grant(s, party, actor_role="admin")
        issued = parties_service.issue_token(s, party=party, label="admin")
        return Credentials(party.id, issued.secret)


@pytest.fixture
def cli_db(
    request: pytest.FixtureRequest, backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[str]:
    """A fresh migrated database, configured through ZHUISU_DATABASE_URL as a user would."""
    url = fresh_url(request, backend, tmp_path)
    migrate.upgrade(url)
    monkeypatch.setenv("ZHUISU_DATABASE_URL", url)
    monkeypatch.setenv("ZHUISU_DATA_DIR", str(tmp_path / "var"))
    get_settings.cache_clear()
    runtime.session_maker.cache_clear()
    yield url
    runtime.session_maker().kw["bind"].dispose()
    runtime.session_maker.cache_clear()
    get_settings.cache_clear()
