"""What the ledger's tests share: a hand-built chain captured on the test's database."""

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.trace import chains
from tests.trace.test_trace_service import capture
from zhuisu.config import Settings
from zhuisu.ledger import keystore
from zhuisu.portal.service import LedgerKey


@pytest.fixture
def chain(maker: sessionmaker[Session], settings: Settings) -> LedgerKey:
    """The pork chain of ``tests.trace.chains`` (28 events: transformations, one shared transformationID,
    aggregations, custody), captured and signed; the log's origin and key."""
    with maker() as s, s.begin():
        capture(s, chains.pork_chain())
    return LedgerKey(keystore.log_origin(settings), keystore.log_key(settings).vkey)
