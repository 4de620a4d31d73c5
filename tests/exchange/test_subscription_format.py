"""A subscription's ``epcFormat``: GS1-EPC-Format given when subscribing (webhook POST or WebSocket handshake) is
stored, returned, and applied to every notification — signed over the bytes actually sent."""

import hashlib
import hmac
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.testclient import WebSocketDenialResponse

from tests.conftest import Credentials
from tests.exchange.flows import live_client
from tests.exchange.receiver import TOKEN
from tests.exchange.test_subscription_sockets import receive_document
from tests.support.epcis import document, returned_events, without_record_time
from zhuisu.capture.service import utc_now
from zhuisu.config import Settings
from zhuisu.db.session import unit_of_work
from zhuisu.exchange.subscriptions import delivery
from zhuisu.models import Subscription

HOOK = "http://127.0.0.1:9/hook"
UNKNOWN_GCP = "https://id.gs1.org/01/02012345666665/21/1"
URN_EVENT: dict[str, Any] = {
    "type": "ObjectEvent",
    "eventID": "urn:uuid:5f0c9a4e-0000-4000-8000-000000000011",
    "eventTime": "2026-03-01T08:00:00.000+08:00",
    "eventTimeZoneOffset": "+08:00",
    "epcList": ["urn:epc:id:sgtin:6901234.012345.1001"],
    "action": "OBSERVE",
    "bizStep": "shipping",
    "readPoint": {"id": "urn:epc:id:sgln:6901234.00001.0"},
    "quantityList": [{"epcClass": "urn:epc:class:lgtin:6901234.022222.L1", "quantity": 5, "uom": "KGM"}],
}
DL_EVENT: dict[str, Any] = {
    "type": "ObjectEvent",
    "eventID": "urn:uuid:5f0c9a4e-0000-4000-8000-000000000012",
    "eventTime": "2026-03-01T09:00:00.000+08:00",
    "eventTimeZoneOffset": "+08:00",
    "epcList": ["https://id.gs1.org/01/06901234123456/21/1002", UNKNOWN_GCP],
    "action": "OBSERVE",
    "bizStep": "shipping",
    "readPoint": {"id": "https://id.gs1.org/414/6901234000016"},
    "sourceList": [{"type": "owning_party", "source": "https://id.gs1.org/417/6901234000009"}],
}
AS_URNS = [
    {**URN_EVENT},
    {
        **DL_EVENT,
        # the identifier without a URN form (company prefix length unknown) goes out as captured
        "epcList": ["urn:epc:id:sgtin:6901234.012345.1002", UNKNOWN_GCP],
        "readPoint": {"id": "urn:epc:id:sgln:6901234.00001.0"},
        "sourceList": [{"type": "owning_party", "source": "urn:epc:id:pgln:6901234.00000"}],
    },
]
AS_DIGITAL_LINKS = [
    {
        **URN_EVENT,
        "epcList": ["https://id.gs1.org/01/06901234123456/21/1001"],
        "readPoint": {"id": "https://id.gs1.org/414/6901234000016"},
        "quantityList": [{"epcClass": "https://id.gs1.org/01/06901234222227/10/L1", "quantity": 5, "uom": "KGM"}],
    },
    {**DL_EVENT},
]
Sent = list[tuple[bytes, dict[str, str]]]


def _subscribe(client: TestClient, creds: Credentials, **headers: str) -> Any:
    client.post("/queries", json={"name": "shipped", "query": {"EQ_bizStep": ["shipping"]}}, headers=creds.headers)
    body = {"dest": HOOK, "signatureToken": TOKEN, "stream": True}
    return client.post("/queries/shipped/subscriptions", json=body, headers={**creds.headers, **headers})


def _deliver(client: TestClient, creds: Credentials, maker: sessionmaker[Session]) -> Sent:
    """Capture both events, run a delivery round; the (body, headers) sent."""
    captured = client.post("/capture", json=document(URN_EVENT, DL_EVENT), headers=creds.headers)
    assert captured.status_code == 202, captured.text
    sent: Sent = []

    def send(url: str, body: bytes, headers: dict[str, str]) -> int:
        sent.append((body, headers))
        return 204

    assert delivery.deliver_due(maker, send, now=utc_now()) == delivery.Round(1, 0)
    return sent


def _events(body: bytes) -> list[dict[str, Any]]:
    return [without_record_time(e) for e in returned_events(json.loads(body))]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Always_EPC_URN", AS_URNS),
        ("Always_GS1_Digital_Link", AS_DIGITAL_LINKS),
        ("Never_Translates", [URN_EVENT, DL_EVENT]),
        (None, [URN_EVENT, DL_EVENT]),
    ],
)
def test_webhook_notifications_are_in_the_subscription_epc_format(
    client: TestClient,
    creds: Credentials,
    maker: sessionmaker[Session],
    value: str | None,
    expected: list[dict[str, Any]],
) -> None:
    # given: a subscription made with (or without) GS1-EPC-Format
    created = _subscribe(client, creds, **({} if value is None else {"GS1-EPC-Format": value}))
    stored = value or "No_Preference"
    listed = client.get("/queries/shipped/subscriptions", headers=creds.headers).json()
    # when: events captured with URNs and with Digital Links are delivered
    [(body, headers)] = _deliver(client, creds, maker)
    # then: the identifiers are in that form, the header says so, and the signature is over the bytes sent
    assert (created.status_code, created.json()["epcFormat"], [s["epcFormat"] for s in listed]) == (
        201, stored, [stored],
    )  # fmt: skip
    assert _events(body) == expected
    assert headers["GS1-EPC-Format"] == stored
    assert headers["GS1-Signature"] == "sha256=" + hmac.new(TOKEN.encode(), body, hashlib.sha256).hexdigest()


def test_unknown_epc_format_is_refused_and_nothing_stored(
    client: TestClient, creds: Credentials, session: Session
) -> None:
    response = _subscribe(client, creds, **{"GS1-EPC-Format": "Always_Barcodes", "Accept-Language": "en"})
    problem = response.json()
    assert (response.status_code, problem["header"]) == (400, "GS1-EPC-Format")
    assert problem["detail"] == (
        "header GS1-EPC-Format='Always_Barcodes' is invalid: expected one of No_Preference, "
        "Always_GS1_Digital_Link, Always_EPC_URN, Never_Translates"
    )
    assert session.scalar(select(func.count()).select_from(Subscription)) == 0


def test_cbv_xml_format_does_not_apply_to_json_notifications(
    client: TestClient, creds: Credentials, maker: sessionmaker[Session]
) -> None:
    created = _subscribe(client, creds, **{"GS1-EPC-Format": "Always_EPC_URN", "GS1-CBV-XML-Format": "Always_URN"})
    [(body, _)] = _deliver(client, creds, maker)
    assert created.status_code == 201
    assert [e["bizStep"] for e in _events(body)] == ["shipping", "shipping"]


def test_websocket_subscription_epc_format(
    live_db: sessionmaker[Session], live_settings: Settings, live_creds: Credentials
) -> None:
    with live_client(live_db, live_settings) as client:
        client.post(
            "/queries", json={"name": "shipped", "query": {"EQ_bizStep": ["shipping"]}}, headers=live_creds.headers
        )
        # an unknown value refuses the handshake with 400 naming the header, storing nothing
        bad = {**live_creds.headers, "GS1-EPC-Format": "urn"}
        with (
            pytest.raises(WebSocketDenialResponse) as refused,
            client.websocket_connect("/queries/shipped/events?stream=true", headers=bad),
        ):
            pass  # pragma: no cover
        with unit_of_work(live_db) as s:
            assert s.scalar(select(func.count()).select_from(Subscription)) == 0
        good = {**live_creds.headers, "GS1-EPC-Format": "Always_EPC_URN"}
        with client.websocket_connect("/queries/shipped/events?stream=true", headers=good) as ws:
            [listed] = client.get("/queries/shipped/subscriptions", headers=live_creds.headers).json()
            client.post("/capture", json=document(URN_EVENT, DL_EVENT), headers=live_creds.headers)
            received = receive_document(ws)
    assert (refused.value.status_code, refused.value.json()["header"]) == (400, "GS1-EPC-Format")
    assert listed["epcFormat"] == "Always_EPC_URN"
    assert [without_record_time(e) for e in returned_events(received)] == AS_URNS
