"""Callbacks reach public addresses only: loopback, private, link-local (the cloud metadata address) and names that
do not resolve are refused when the subscription is made and again at delivery, unless the admin allow-lists them."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Credentials
from tests.exchange.flows import capture, make_party, stream_subscription
from tests.exchange.receiver import Receiver
from tests.support.epcis import object_event
from zhuisu.app.web import create_app
from zhuisu.config import Settings
from zhuisu.exchange import outbound
from zhuisu.exchange.subscriptions import delivery
from zhuisu.models import DeliveryAttempt, OutboxMessage, Subscription


@pytest.fixture
def strict(settings: Settings, maker: sessionmaker[Session]) -> TestClient:
    """An app whose settings allow-list nothing, as a node starts."""
    app = create_app(settings.model_copy(update={"subscriptions_allowed_hosts": []}))
    app.state.sessionmaker = maker
    return TestClient(app)


@pytest.mark.parametrize(
    ("dest", "why"),
    [
        ("http://127.0.0.1:9/hook", "127.0.0.1 resolves to 127.0.0.1, which is not a public address"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 resolves to 169.254.169.254, which is not a"),
        ("http://10.1.2.3/hook", "10.1.2.3 resolves to 10.1.2.3, which is not a public address"),
        ("http://[::1]:8080/hook", "::1 resolves to ::1, which is not a public address"),
        ("http://localhost/hook", "localhost resolves to 127.0.0.1, which is not a public address"),
        ("https://nowhere.invalid/hook", "nowhere.invalid does not resolve"),
    ],
)
def test_subscribing_a_non_public_callback_is_refused(
    strict: TestClient, creds: Credentials, session: Session, dest: str, why: str
) -> None:
    english = {**creds.headers, "Accept-Language": "en"}
    with strict:
        assert strict.post("/queries", headers=creds.headers, json={"name": "q", "query": {}}).status_code == 201
        response = strict.post("/queries/q/subscriptions", headers=english, json={"dest": dest, "stream": True})
    problem = response.json()
    assert (response.status_code, problem["code"], problem["parameter"]) == (400, "unsafe_destination", "dest")
    assert problem["type"] == "epcisException:SubscriptionControlsException"
    assert problem["detail"].startswith(f"notifications cannot be sent there: {why}")
    assert session.scalar(select(func.count()).select_from(Subscription)) == 0


def test_delivery_refuses_what_is_no_longer_allowed(maker: sessionmaker[Session], receiver: Receiver) -> None:
    # given a subscription to a local receiver that was allowed when it was made, and a matching event
    receiver.start()
    party = make_party(maker)
    stream_subscription(maker, party, receiver.url, [("EQ_bizStep", "shipping")])
    capture(maker, party, [object_event(1, bizStep="shipping")])
    # when the worker delivers without the allowance
    done = delivery.deliver_due(maker, delivery.http_sender(timeout=2, allowed=[]))
    # then nothing reached the receiver, and the attempt is logged as refused (to be retried)
    assert (done, receiver.bodies) == (delivery.Round(0, 1), [])
    with maker() as s:
        attempt = s.scalars(select(DeliveryAttempt)).one()
        assert (attempt.ok, attempt.status_code) == (False, None)
        assert attempt.error == "refused: 127.0.0.1 resolves to 127.0.0.1, which is not a public address"
        assert s.scalars(select(OutboxMessage.delivered)).all() == [False]


def test_allow_list_takes_names_and_networks() -> None:
    assert outbound.destination_problem("http://127.0.0.1:9/hook", ["127.0.0.0/8"]) is None
    assert outbound.destination_problem("http://erp.internal/hook", ["ERP.internal"]) is None
    assert outbound.destination_problem("ftp://x/", ["x"]) == "'ftp://x/' is not an http(s) URL with a host"
