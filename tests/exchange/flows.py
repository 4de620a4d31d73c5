"""Set-up steps shared by the subscription tests, each in its own committed unit of work."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.exchange.receiver import TOKEN
from tests.support.epcis import document
from zhuisu.app.web import create_app
from zhuisu.capture import service as capture_service
from zhuisu.config import Settings
from zhuisu.db.session import unit_of_work
from zhuisu.exchange.subscriptions import service as subscriptions_service
from zhuisu.models import Party
from zhuisu.parties import service as parties_service


def make_party(maker: sessionmaker[Session]) -> str:
    with unit_of_work(maker) as s:
        return parties_service.create_party(s, name="订阅方", uscc="91110000600037341L").id


def owner(session: Session, party_id: str) -> Party:
    party = session.get(Party, party_id)
    assert party is not None
    return party


def named_query(
    maker: sessionmaker[Session], party_id: str, params: list[tuple[str, str]], name: str = "shipped"
) -> None:
    with unit_of_work(maker) as s:
        subscriptions_service.create_query(s, owner=owner(s, party_id), name=name, params=params)


def stream_subscription(maker: sessionmaker[Session], party_id: str, url: str, params: list[tuple[str, str]]) -> str:
    named_query(maker, party_id, params)
    with unit_of_work(maker) as s:
        return subscriptions_service.subscribe(
            s, owner=owner(s, party_id), query_name="shipped", dest=url, signature_token=TOKEN, stream=True
        ).id


def capture(maker: sessionmaker[Session], party_id: str, events: list[dict[str, Any]]) -> None:
    """Capture ``events`` in one document; all must be accepted."""
    with unit_of_work(maker) as s:
        result = capture_service.capture_document(s, document(*events), actor=owner(s, party_id))
        assert result.job.success


def live_client(maker: sessionmaker[Session], settings: Settings) -> TestClient:
    """A client of an app on ``maker``'s database (enter it with ``with`` to run the lifespan)."""
    app = create_app(settings)
    app.state.sessionmaker = maker
    return TestClient(app)
