"""Concurrent captures on PostgreSQL, each in its own session and thread, still make one gap-free log."""

from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from tests.support.epcis import document, object_event
from zhuisu.capture import service as capture_service
from zhuisu.db.engine import make_engine, make_sessionmaker
from zhuisu.db.session import unit_of_work
from zhuisu.ledger import merkle, service
from zhuisu.ledger.keys import generate_key
from zhuisu.ledger.verify import verify_store
from zhuisu.models import Event, LedgerLeaf, Party
from zhuisu.parties import service as parties_service

THREADS = 6
BATCHES = 5
PER_BATCH = 20


@pytest.mark.postgres
def test_concurrent_captures_make_a_consistent_log(cli_db: str) -> None:
    engine = make_engine(cli_db, pool_size=THREADS + 2)
    maker = make_sessionmaker(engine)
    with unit_of_work(maker) as s:
        party_id = parties_service.create_party(s, name="并发测试企业", uscc="91110000600037341L").id
        party = s.get(Party, party_id)
        assert party is not None
        capture_service.capture_document(s, document(object_event(0)), actor=party)  # the shared @context row

    def worker(thread: int) -> None:
        for batch in range(BATCHES):
            first = 1 + (thread * BATCHES + batch) * PER_BATCH
            with unit_of_work(maker) as s:
                actor = s.get(Party, party_id)
                assert actor is not None
                events = [object_event(n) for n in range(first, first + PER_BATCH)]
                result = capture_service.capture_document(s, document(*events), actor=actor)
                assert result.job.captured == PER_BATCH

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(worker, range(THREADS)))

    total = 1 + THREADS * BATCHES * PER_BATCH
    with maker() as s:
        leaves = list(s.execute(select(LedgerLeaf.idx, LedgerLeaf.event_pk, LedgerLeaf.leaf).order_by(LedgerLeaf.idx)))
        event_pks = sorted(s.scalars(select(Event.id)))
        assert [row.idx for row in leaves] == list(range(total))
        assert sorted(row.event_pk for row in leaves) == event_pks
        assert service.current_root(s) == (total, merkle.root([merkle.leaf_hash(row.leaf) for row in leaves]))
        skey, vkey = generate_key("concurrency.example/ledger")
        service.make_checkpoint(s, origin="concurrency.example/ledger", skey=skey)
        report = verify_store(s, log_keys=[vkey], origin="concurrency.example/ledger")
        assert (report.ok, report.leaves, report.findings) == (True, total, [])
    engine.dispose()
