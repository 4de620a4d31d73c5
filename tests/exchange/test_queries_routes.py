"""/queries, /queries/{name}/events and /queries/{name}/subscriptions over HTTP."""

import pytest
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
    client.post("/queries/all/subscriptions", json={"dest": "http://x/", "stream": True}, headers=creds.headers)
    assert client.delete("/queries/all", headers=creds.headers).status_code == 204
    assert client.get("/queries/all", headers=creds.headers).status_code == 404
    assert session.scalar(select(func.count()).select_from(Subscription)) == 0


def test_scheduled_subscription_is_listed_read_and_deleted(
    client: TestClient, creds: Credentials, session: Session
) -> None:
    # given
    client.post("/queries", json={"name": "nightly", "query": {}}, headers=creds.headers)
    body = {
        "dest": "https://client.example.com/cb", "signatureToken": "secret", "reportIfEmpty": True,
        "schedule": {"hour": "1", "minute": "5", "second": "0"}, "initialRecordTime": "2026-01-01T08:00:00+08:00",
    }  # fmt: skip
    # when
    created = client.post("/queries/nightly/subscriptions", json=body, headers=creds.headers)
    sub_id = created.json()["subscriptionID"]
    one = client.get(f"/queries/nightly/subscriptions/{sub_id}", headers=creds.headers)
    listed = client.get("/queries/nightly/subscriptions", headers=creds.headers)
    wrong_query = client.delete(f"/queries/other/subscriptions/{sub_id}", headers=creds.headers)
    deleted = client.delete(f"/queries/nightly/subscriptions/{sub_id}", headers=creds.headers)
    # then
    assert (created.status_code, one.status_code, wrong_query.status_code, deleted.status_code) == (201, 200, 404, 204)
    assert created.headers["Location"] == f"http://testserver/queries/nightly/subscriptions/{sub_id}"
    row = one.json()
    assert {k: row[k] for k in ("queryName", "dest", "stream", "schedule", "reportIfEmpty", "initialRecordTime")} == {
        "queryName": "nightly", "dest": "https://client.example.com/cb", "stream": False,
        "schedule": {"hour": "1", "minute": "5", "second": "0"}, "reportIfEmpty": True,
        "initialRecordTime": "2026-01-01T00:00:00.000Z",
    }  # fmt: skip
    assert row["nextRunAt"].endswith("T01:05:00.000Z")
    assert "signatureToken" not in row
    assert [s["subscriptionID"] for s in listed.json()] == [sub_id]
    assert session.scalar(select(func.count()).select_from(Subscription)) == 0


@pytest.mark.parametrize(
    ("_case", "body", "parameter"),
    [
        ("no stream, no schedule", {"dest": "http://x/"}, "schedule"),
        ("both", {"dest": "http://x/", "stream": True, "schedule": {"minute": "0"}}, "stream"),
        ("bad minute", {"dest": "http://x/", "schedule": {"minute": "[50-70]"}}, "schedule.minute"),
        ("unknown field", {"dest": "http://x/", "schedule": {"minutes": "5"}}, "schedule.minutes"),
        ("stream not boolean", {"dest": "http://x/", "stream": "yes"}, "stream"),
        ("bad dest", {"dest": "ftp://x/", "stream": True}, "dest"),
        ("no dest", {"stream": True}, "dest"),
        ("bad initialRecordTime", {"dest": "http://x/", "stream": True, "initialRecordTime": "yesterday"},
         "initialRecordTime"),
    ],
)  # fmt: skip
def test_invalid_subscription_is_400_naming_the_field_and_stores_nothing(
    client: TestClient, creds: Credentials, session: Session, _case: str, body: dict[str, object], parameter: str
) -> None:
    client.post("/queries", json={"name": "q", "query": {}}, headers=creds.headers)
    response = client.post("/queries/q/subscriptions", json=body, headers={**creds.headers, "Accept-Language": "en"})
    assert response.status_code == 400
    problem = response.json()
    assert (problem["type"], problem["parameter"]) == ("epcisException:SubscriptionControlsException", parameter)
    assert session.scalar(select(func.count()).select_from(Subscription)) == 0
