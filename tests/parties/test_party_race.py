"""Two registrations of the same 统一社会信用代码 at once on PostgreSQL: both read "not registered", the second
waits on the unique index, then loses — it is told 409 ``already_exists``, never a 500. (On SQLite write
transactions begin IMMEDIATE: the second cannot read before the first commits, so the ordinary check refuses it.)"""

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import fresh_url
from zhuisu.db import migrate
from zhuisu.db.engine import make_engine, make_sessionmaker
from zhuisu.db.session import unit_of_work
from zhuisu.errors import AlreadyExists
from zhuisu.models import Party
from zhuisu.parties import service

USCC = "91110000600037341L"


@pytest.fixture
def live(request: pytest.FixtureRequest, backend: str, tmp_path: Path) -> Iterator[sessionmaker[Session]]:
    url = fresh_url(request, backend, tmp_path)
    migrate.upgrade(url)
    engine = make_engine(url)
    yield make_sessionmaker(engine)
    engine.dispose()


def test_the_second_of_two_at_once_is_told_it_exists(live: sessionmaker[Session], backend: str) -> None:
    if backend == "sqlite":
        pytest.skip("SQLite serialises write transactions from their start: the race cannot happen")
    both_checked = threading.Barrier(2, timeout=10)
    outcomes: list[str] = []

    def register(name: str) -> None:
        try:
            with unit_of_work(live) as session:
                # both pass the "is it registered?" read before either writes
                assert session.scalar(select(Party.id).where(Party.uscc == USCC)) is None
                both_checked.wait()
                service.create_party(session, name=name, uscc=USCC)
            outcomes.append("created")
        except AlreadyExists as exc:
            outcomes.append(exc.code)
        except Exception as exc:  # the bug this guards against: an IntegrityError, a 500
            outcomes.append(type(exc).__name__)

    threads = [threading.Thread(target=register, args=(n,)) for n in ("甲公司", "乙公司")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == ["already_exists", "created"]
    with unit_of_work(live, write=False) as session:
        assert session.scalar(select(func.count()).select_from(Party).where(Party.uscc == USCC)) == 1
