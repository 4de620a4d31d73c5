"""Issuance under concurrency and across restarts, on a real committed PostgreSQL database.

Ten threads, each with its own session and connection, issue 10,000 codes of one GTIN at the same time; the
counter row lock must hand each a disjoint range. Then the engine is disposed (a restart) and a new one keeps
counting where the old one stopped.
"""

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import fresh_url
from zhuisu.db import migrate
from zhuisu.db.engine import make_engine, make_sessionmaker
from zhuisu.db.session import unit_of_work
from zhuisu.issuance import service
from zhuisu.models import CodeBatch, CodeIssuer, EventEpc, Party
from zhuisu.parties import service as parties_service

GTIN = "6901234567892"
REQUESTS = 10
PER_REQUEST = 10_000

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    url = fresh_url(request, "postgresql", tmp_path)
    migrate.upgrade(url)
    return url


@pytest.fixture
def pg_engine(pg_url: str) -> Iterator[Engine]:
    engine = make_engine(pg_url, pool_size=REQUESTS)
    yield engine
    engine.dispose()


def _setup_party(maker: sessionmaker[Session]) -> str:
    with unit_of_work(maker) as session:
        party = parties_service.create_party(session, name="并发赋码测试公司", uscc="91110000600037341L")
        service.set_gs1_prefix(session, party=party, prefix="6901234")
        return party.id


def _issue(maker: sessionmaker[Session], party_id: str, **kwargs: object) -> tuple[list[str], int, int]:
    with unit_of_work(maker) as session:
        party = session.get_one(Party, party_id)
        issued = service.issue_codes(session, party=party, count=PER_REQUEST, **kwargs)  # type: ignore[arg-type]
        return issued.codes, issued.batch.first_serial, issued.batch.last_serial


def test_ten_concurrent_issuers_get_distinct_codes(pg_engine: Engine) -> None:
    # given
    maker = make_sessionmaker(pg_engine)
    party_id = _setup_party(maker)

    # when
    with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
        results = list(pool.map(lambda _: _issue(maker, party_id, gtin=GTIN), range(REQUESTS)))

    # then
    codes = [code for batch_codes, _, _ in results for code in batch_codes]
    assert (len(codes), len(set(codes))) == (100_000, 100_000)
    ranges = sorted((first, last) for _, first, last in results)
    assert ranges == [(1 + i * PER_REQUEST, (i + 1) * PER_REQUEST) for i in range(REQUESTS)]
    with unit_of_work(maker) as session:
        assert session.scalar(select(func.count()).select_from(CodeBatch)) == REQUESTS
        assert session.scalar(select(func.count(func.distinct(EventEpc.value)))) == 100_000


def test_restart_between_batches_changes_nothing(pg_url: str) -> None:
    # given: one batch of each scheme, then the process "restarts" (engine and pool gone)
    engine = make_engine(pg_url)
    maker = make_sessionmaker(engine)
    party_id = _setup_party(maker)
    gs1_before = _issue(maker, party_id, gtin=GTIN)
    zs_before = _issue(maker, party_id, product_code="RICE")
    engine.dispose()

    # when
    engine = make_engine(pg_url)
    try:
        maker = make_sessionmaker(engine)
        gs1_after = _issue(maker, party_id, gtin=GTIN)
        zs_after = _issue(maker, party_id, product_code="RICE")
    finally:
        engine.dispose()

    # then: the ranges continue, and no code repeats
    assert [r[1:] for r in (gs1_before, gs1_after, zs_before, zs_after)] == [
        (1, 10_000),
        (10_001, 20_000),
        (1, 10_000),
        (10_001, 20_000),
    ]
    assert gs1_after[0][0] == "https://id.gs1.org/01/06901234567892/21/10001"
    assert zs_after[0][0][15:25] == "00000007PT"  # 10,001 in base 36
    assert len({*gs1_before[0], *gs1_after[0], *zs_before[0], *zs_after[0]}) == 40_000


def test_first_issues_of_new_parties_race_for_party_numbers(pg_engine: Engine) -> None:
    # given: five parties of one region that have never issued a code
    maker = make_sessionmaker(pg_engine)
    with unit_of_work(maker) as session:
        party_ids = [parties_service.create_party(session, name=f"公司{i}", region="440300").id for i in range(5)]

    # when: each asks twice at once, ten requests in all
    with ThreadPoolExecutor(max_workers=REQUESTS) as pool:
        results = list(pool.map(lambda i: _issue(maker, party_ids[i % 5], product_code="P"), range(REQUESTS)))

    # then: one number per party, numbers 1–5 of the region, and no code twice
    codes = [code for batch_codes, _, _ in results for code in batch_codes]
    assert len(set(codes)) == 100_000
    numbers_by_party = [{c[9:15] for batch_codes, _, _ in results[p::5] for c in batch_codes} for p in range(5)]
    assert sorted(n for numbers in numbers_by_party for n in numbers) == [
        "000001",
        "000002",
        "000003",
        "000004",
        "000005",
    ]  # each party's two batches share its one number
    with unit_of_work(maker) as session:
        issuers = session.scalars(select(CodeIssuer.party_number).where(CodeIssuer.region == "440300")).all()
        assert sorted(str(n) for n in issuers) == ["000001", "000002", "000003", "000004", "000005"]
