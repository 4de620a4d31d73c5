"""/queries, /queries/{name}/events and /queries/{name}/subscriptions over HTTP."""

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import Credentials
from tests.support.epcis import document, object_event, returned_events
from zhuisu.models import NamedQuery, OutboxMessage, Subscription


def test_named_query_runs_and_stream_subscription_queues(
    client: TestClient, creds: Credentials, session: Session
) -> None:
    # given
    created = client.post(
        "/queries", json={"name": "shipped", "query": {"EQ_bizStep": ["shipping"]}}, headers=creds.headers
    )
    sub = client.post(
        "/queries/shipped/subscriptions",
        json={"dest": "http://127.0.0.1:9/hook", "signatureToken": "t", "stream": True},
        headers=creds.headers,
    )
    # when
    client.post("/capture", json=document(object_event(1), object_event(2, bizStep="receiving")), headers=creds.headers)
    events = client.get("/queries/shipped/events", headers=creds.headers)
    # then
    assert (created.status_code, sub.status_code) == (201, 201)
    assert created.headers["Location"] == "/queries/shipped"
    assert [e["bizStep"] for e in returned_events(events.json())] == ["shipping"]
    assert events.json()["epcisBody"]["queryResults"]["queryName"] == "shipped"
    [message] = session.scalars(select(OutboxMessage)).all()
    assert len(message.event_pks) == 1
    assert [q["name"] for q in client.get("/queries", headers=creds.headers).json()] == ["shipped"]


def test_bad_named_query_is_refused_and_not_stored(client: TestClient, creds: Credentials, session: Session) -> None:
    response = client.post("/queries", json={"name": "bad", "query": {"EQ_nonsense": "x"}}, headers=creds.headers)
    assert response.status_code == 400
    assert response.json()["parameter"] == "EQ_nonsense"
    assert session.scalar(select(func.count()).select_from(NamedQuery)) == 0


def test_subscription_to_unknown_query_is_404(client: TestClient, creds: Credentials, session: Session) -> None:
    response = client.post("/queries/nope/subscriptions", json={"dest": "http://x/"}, headers=creds.headers)
    assert response.status_code == 404
    assert session.scalar(select(func.count()).select_from(Subscription)) == 0


def test_delete_query_removes_its_subscriptions(client: TestClient, creds: Credentials, session: Session) -> None:
    client.post("/queries", json={"name": "all", "query": {}}, headers=creds.headers)
    client.post("/queries/all/subscriptions", json={"dest": "http://x/"}, headers=creds.headers)
    assert client.delete("/queries/all", headers=creds.headers).status_code == 204
    assert client.get("/queries/all", headers=creds.headers).status_code == 404
    assert session.scalar(select(func.count()).select_from(Subscription)) == 0
