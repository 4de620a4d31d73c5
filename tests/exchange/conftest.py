"""Fixtures of the subscription tests: a webhook receiver on a free local port (down until started), and a live
database of the test's own for concurrent tests."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import CALLBACK_HOSTS, Credentials, fresh_url
from tests.exchange.receiver import Receiver, free_port
from zhuisu.config import Settings
from zhuisu.db import migrate
from zhuisu.db.engine import make_engine, make_sessionmaker
from zhuisu.db.session import unit_of_work
from zhuisu.parties import service as parties_service


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver(free_port())
    yield r
    r.stop()


@pytest.fixture
def live_db(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    """A fresh migrated database of its own, on a real engine (a connection per session, unlike ``maker``): for
    tests where a web server, worker threads or WebSocket tasks use the database at the same time."""
    url = fresh_url(request, backend, tmp_path)
    migrate.upgrade(url)
    engine = make_engine(url)
    yield make_sessionmaker(engine)
    engine.dispose()


@pytest.fixture
def live_settings(live_db: sessionmaker[Session]) -> Settings:
    url = live_db.kw["bind"].url.render_as_string(hide_password=False)
    return Settings(
        database_url=url,
        subscriptions_poll_seconds=0.05,
        subscriptions_timeout_seconds=2,
        subscriptions_allowed_hosts=CALLBACK_HOSTS,
    )


@pytest.fixture
def live_creds(live_db: sessionmaker[Session]) -> Credentials:
    with unit_of_work(live_db) as s:
        party = parties_service.create_party(s, name="测试食品有限公司", uscc="91110000600037341L")
        return Credentials(party.id, parties_service.issue_token(s, party=party, label="ws").secret)
