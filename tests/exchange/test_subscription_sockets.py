"""WebSocket subscriptions: GET /queries/{name}/events (or …/subscriptions) with Upgrade: websocket; captured events
are pushed from the durable outbox after commit, to a socket held by any server process."""

import json
from collections.abc import MutableMapping
from typing import Any

import anyio
import pytest
from anyio.streams.memory import MemoryObjectReceiveStream
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import WebSocketDenialResponse, WebSocketTestSession

from tests.conftest import Credentials
from tests.exchange.flows import live_client
from tests.exchange.receiver import epcs, wait_for
from tests.support.epcis import document, object_event
from zhuisu.config import Settings
from zhuisu.db.session import unit_of_work
from zhuisu.models import ApiToken, OutboxMessage, Subscription
from zhuisu.parties import service as parties_service

Message = MutableMapping[str, Any]


async def _next(stream: MemoryObjectReceiveStream[Message], timeout: float) -> Message:
    with anyio.fail_after(timeout):
        return await stream.receive()


def receive(ws: WebSocketTestSession, timeout: float = 20.0) -> Message:
    """The next message the server sends (fails after ``timeout`` seconds instead of hanging)."""
    return ws.portal.call(_next, ws._send_rx, timeout)


def receive_document(ws: WebSocketTestSession) -> dict[str, Any]:
    message = receive(ws)
    assert message["type"] == "websocket.send"
    return dict(json.loads(message["text"]))


def _subscriptions(maker: sessionmaker[Session]) -> int:
    with unit_of_work(maker) as s:
        return int(s.scalar(select(func.count()).select_from(Subscription)) or 0)


@pytest.fixture
def client(live_db: sessionmaker[Session], live_settings: Settings, live_creds: Credentials) -> Any:
    with live_client(live_db, live_settings) as c:
        created = c.post(
            "/queries", json={"name": "shipped", "query": {"EQ_bizStep": ["shipping"]}}, headers=live_creds.headers
        )
        assert created.status_code == 201
        yield c


def test_stream_socket_gets_each_committed_matching_capture(
    client: TestClient, live_creds: Credentials, live_db: sessionmaker[Session]
) -> None:
    with client.websocket_connect("/queries/shipped/events?stream=true", headers=live_creds.headers) as ws:
        # given: the socket is subscribed (listed like a webhook, with no dest)
        [listed] = client.get("/queries/shipped/subscriptions", headers=live_creds.headers).json()
        # when: a rolled-back capture, then a good one, then another
        bad = client.post(
            "/capture", json=document(object_event(1), object_event(2, action="X")), headers=live_creds.headers
        )
        good = client.post(
            "/capture", json=document(object_event(3), object_event(4, bizStep="receiving"), object_event(5)),
            headers=live_creds.headers,
        )  # fmt: skip
        first = receive_document(ws)
        client.post("/capture", json=document(object_event(6)), headers=live_creds.headers)
        second = receive_document(ws)
    # then: only committed, matching events, each once, in order; the subscription is gone with the socket
    assert (listed["dest"], listed["stream"], bad.status_code, good.status_code) == ("", True, 400, 202)
    assert (epcs(first), epcs(second)) == (
        [object_event(3)["epcList"][0], object_event(5)["epcList"][0]],
        [object_event(6)["epcList"][0]],
    )
    assert first["epcisBody"]["queryResults"]["subscriptionID"] == listed["subscriptionID"]
    assert wait_for(lambda: _subscriptions(live_db) == 0)


def test_capture_in_another_server_process_reaches_the_socket(
    client: TestClient, live_creds: Credentials, live_db: sessionmaker[Session], live_settings: Settings
) -> None:
    with (
        client.websocket_connect(f"/queries/shipped/subscriptions?stream=true&access_token={live_creds.token}") as ws,
        live_client(live_db, live_settings) as other,
    ):
        captured = other.post("/capture", json=document(object_event(7)), headers=live_creds.headers)
        pushed = receive_document(ws)
    assert captured.status_code == 202
    assert epcs(pushed) == [object_event(7)["epcList"][0]]


def test_scheduled_socket_reports_if_empty(client: TestClient, live_creds: Credentials) -> None:
    with client.websocket_connect(
        "/queries/shipped/events?second=*&reportIfEmpty=true", headers=live_creds.headers
    ) as ws:
        [listed] = client.get("/queries/shipped/subscriptions", headers=live_creds.headers).json()
        pushed = receive_document(ws)
    assert (listed["stream"], listed["schedule"], listed["reportIfEmpty"]) == (False, {"second": "*"}, True)
    assert (pushed["type"], epcs(pushed)) == ("EPCISQueryDocument", [])


def test_unsubscribing_closes_the_socket(client: TestClient, live_creds: Credentials) -> None:
    with client.websocket_connect("/queries/shipped/events?stream=true", headers=live_creds.headers) as ws:
        [listed] = client.get("/queries/shipped/subscriptions", headers=live_creds.headers).json()
        deleted = client.delete(
            f"/queries/shipped/subscriptions/{listed['subscriptionID']}", headers=live_creds.headers
        )
        closed = receive(ws)
    assert (deleted.status_code, closed["type"], closed["code"]) == (204, "websocket.close", 1000)


def test_revoking_the_token_closes_an_open_socket(
    client: TestClient, live_creds: Credentials, live_db: sessionmaker[Session]
) -> None:
    with client.websocket_connect("/queries/shipped/events?stream=true", headers=live_creds.headers) as ws:
        # given an open socket, when its token is revoked and a matching event is then captured
        with unit_of_work(live_db) as s:
            token_id = s.scalars(select(ApiToken.id).where(ApiToken.party_id == live_creds.party_id)).one()
            parties_service.revoke_token(s, token_id=token_id)
        closed = receive(ws)
    # then the socket is closed as a policy violation before anything is sent, and its subscription is gone
    assert (closed["type"], closed["code"], closed["reason"]) == ("websocket.close", 1008, "token revoked")
    assert _subscriptions(live_db) == 0


@pytest.mark.parametrize(
    ("_case", "path", "authenticated", "status", "code", "parameter"),
    [
        ("no token", "/queries/shipped/events?stream=true", False, 401, "not_authenticated", None),
        ("unknown query", "/queries/nope/events?stream=true", True, 404, "not_found", None),
        ("neither stream nor schedule", "/queries/shipped/events", True, 400, "invalid_subscription_controls",
         "schedule"),
        ("both", "/queries/shipped/events?stream=true&minute=5", True, 400, "invalid_subscription_controls",
         "stream"),
        ("bad schedule", "/queries/shipped/events?hour=25", True, 400, "invalid_subscription_controls",
         "schedule.hour"),
        ("bad flag", "/queries/shipped/events?stream=yes", True, 400, "invalid_subscription_controls", "stream"),
        ("bad initialRecordTime", "/queries/shipped/events?stream=true&initialRecordTime=x", True, 400,
         "invalid_subscription_controls", "initialRecordTime"),
    ],
)  # fmt: skip
def test_refused_handshake_is_a_problem_and_stores_nothing(
    client: TestClient,
    live_creds: Credentials,
    live_db: sessionmaker[Session],
    _case: str,
    path: str,
    authenticated: bool,
    status: int,
    code: str,
    parameter: str | None,
) -> None:
    headers = live_creds.headers if authenticated else {}
    with pytest.raises(WebSocketDenialResponse) as refused, client.websocket_connect(path, headers=headers):
        pass
    problem = refused.value.json()
    assert (refused.value.status_code, problem["status"], problem["code"], problem.get("parameter")) == (
        status, status, code, parameter,
    )  # fmt: skip
    assert refused.value.headers["content-type"] == "application/problem+json"
    assert _subscriptions(live_db) == 0
    with unit_of_work(live_db) as s:
        assert s.scalar(select(func.count()).select_from(OutboxMessage)) == 0
