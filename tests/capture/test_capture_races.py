"""Identical documents captured at the same moment by concurrent writers: one stores the events, the others find
them duplicates — never a unique violation or a 500 — on both databases."""

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from tests.support.epcis import document, object_event
from zhuisu.capture import service as capture_service
from zhuisu.db.engine import make_engine, make_sessionmaker
from zhuisu.db.session import unit_of_work
from zhuisu.models import Event, Party
from zhuisu.parties import service as parties_service

WRITERS = 4
ROUNDS = 20


def test_racing_duplicates_are_duplicates(cli_db: str) -> None:
    engine = make_engine(cli_db, pool_size=WRITERS + 2)
    maker = make_sessionmaker(engine)
    with unit_of_work(maker) as s:
        party_id = parties_service.create_party(s, name="并发重复测试企业").id
        first = s.get_one(Party, party_id)
        capture_service.capture_document(s, document(object_event(0)), actor=first)  # the shared @context row
    barrier = threading.Barrier(WRITERS)

    def writer(_: int) -> list[list[str]]:
        seen: list[list[str]] = []
        for round_ in range(ROUNDS):
            events = [object_event(10 * round_ + n, eventID=f"urn:uuid:race-{round_}-{n}") for n in range(1, 4)]
            barrier.wait(timeout=60)
            with unit_of_work(maker) as s:
                result = capture_service.capture_document(s, document(*events), actor=s.get_one(Party, party_id))
                seen.append([o.status for o in result.outcomes])
        return seen

    with ThreadPoolExecutor(WRITERS) as pool:
        outcomes = list(pool.map(writer, range(WRITERS)))
    for round_ in range(ROUNDS):
        statuses = sorted(tuple(w[round_]) for w in outcomes)
        assert statuses == [("captured",) * 3] + [("duplicate",) * 3] * (WRITERS - 1), (round_, statuses)
    with maker() as s:
        assert s.scalar(select(func.count()).select_from(Event)) == 1 + 3 * ROUNDS
    engine.dispose()
