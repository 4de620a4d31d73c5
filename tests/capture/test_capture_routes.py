"""POST /capture and POST /events through the ASGI app, on SQLite and PostgreSQL."""

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import Credentials
from tests.support.epcis import (
    EXAMPLES,
    document,
    events_of,
    load,
    object_event,
    returned_events,
    without_record_time,
)
from zhuisu.capture import service as capture_service
from zhuisu.db import session as session_module
from zhuisu.db.session import unit_of_work
from zhuisu.epcis.hashing import event_hash
from zhuisu.epcis.validation import validate_query_document
from zhuisu.models import ApiToken, CaptureJob, Event, EventEpc
from zhuisu.parties import service as parties_service
from zhuisu.web import deps as deps_module


def count(session: Session, model: Any = Event) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_every_example_is_captured_and_read_back_equal(
    path: Path, client: TestClient, creds: Credentials, session: Session
) -> None:
    # given
    doc = load(path)
    sent = events_of(doc)
    # when
    response = client.post("/capture", json=doc, headers=creds.headers)
    # then
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["success"] is True
    assert [o["status"] for o in body["events"]] == ["captured"] * len(sent)
    assert response.headers["Location"] == f"/capture/{body['captureID']}"
    assert count(session) == len(sent)
    for outcome, original in zip(body["events"], sent, strict=True):
        got = client.get(f"/events/{quote(outcome['hash'], safe='')}", headers=creds.headers)
        assert got.status_code == 200
        assert validate_query_document(got.json()) == []
        [event] = returned_events(got.json())
        assert without_record_time(event) == original
        assert event["recordTime"].endswith("Z")


def test_query_results_of_all_examples_are_schema_valid(client: TestClient, creds: Credentials) -> None:
    for path in EXAMPLES:
        assert client.post("/capture", json=load(path), headers=creds.headers).status_code == 202
    response = client.get("/events", params={"perPage": 1000}, headers=creds.headers)
    assert response.status_code == 200
    assert validate_query_document(response.json()) == []
    assert len(returned_events(response.json())) == sum(len(events_of(load(p))) for p in EXAMPLES) - _repeats()


def _repeats() -> int:
    """Events that occur in more than one example document (same hash): stored once."""
    seen: set[str] = set()
    repeats = 0
    for path in EXAMPLES:
        doc = load(path)
        for event in events_of(doc):
            key = event.get("eventID") or event_hash(event, doc["@context"])
            h = event_hash(event, doc["@context"])
            if key in seen or h in seen:
                repeats += 1
            seen.update({key, h})
    return repeats


class TestRollback:
    def test_one_invalid_event_rejects_the_document(
        self, client: TestClient, creds: Credentials, session: Session
    ) -> None:
        doc = document(object_event(1), object_event(2, action="UPDATE"))
        response = client.post("/capture", json=doc, headers=creds.headers)
        assert response.status_code == 400
        assert response.headers["content-type"] == "application/problem+json"
        problem = response.json()
        assert problem["type"] == "epcisException:ValidationException"
        assert problem["code"] == "document_rejected"
        assert [(e["eventIndex"], e["pointer"], e["code"]) for e in problem["errors"]] == [
            (1, "/epcisBody/eventList/1/action", "unknown_action")
        ]
        assert "第 1 个事件" in problem["errors"][0]["message"] or "事件 1" in problem["errors"][0]["message"]
        assert count(session) == 0
        assert count(session, EventEpc) == 0
        job = session.get(CaptureJob, problem["captureID"])
        assert job is not None
        assert (job.running, job.success, job.captured, job.rejected) == (False, False, 0, 2)

    def test_english_messages_on_request(self, client: TestClient, creds: Credentials) -> None:
        doc = document(object_event(1, eventTime="2026-13-45T08:00:00+08:00"))
        response = client.post("/capture", json=doc, headers={**creds.headers, "Accept-Language": "en-US,en;q=0.9"})
        assert response.status_code == 400
        problem = response.json()
        assert problem["title"] == "Bad request"
        assert problem["errors"][0]["pointer"] == "/epcisBody/eventList/0/eventTime"
        assert problem["errors"][0]["code"] == "invalid_datetime"
        assert "eventTime" in problem["errors"][0]["message"]
        assert problem["errors"][0]["message"].isascii()


def test_proceed_stores_the_valid_events_and_lists_the_rejected(
    client: TestClient, creds: Credentials, session: Session
) -> None:
    doc = document(object_event(1), object_event(2, bizStep="shiping"), object_event(3))
    response = client.post("/capture", json=doc, headers={**creds.headers, "GS1-Capture-Error-Behaviour": "proceed"})
    assert response.status_code == 202
    body = response.json()
    assert [o["status"] for o in body["events"]] == ["captured", "rejected", "captured"]
    assert body["events"][1]["errors"][0]["pointer"] == "/epcisBody/eventList/1/bizStep"
    assert body["events"][1]["errors"][0]["code"] == "unknown_cbv_value"
    assert (body["success"], body["captured"], body["rejected"]) == (False, 2, 1)
    assert count(session) == 2
    job = client.get(f"/capture/{body['captureID']}", headers=creds.headers).json()
    assert (job["running"], job["success"], job["captureErrorBehaviour"]) == (False, False, "proceed")
    assert [(e["eventIndex"], e["pointer"]) for e in job["errors"]] == [(1, "/epcisBody/eventList/1/bizStep")]


def test_capture_is_idempotent(client: TestClient, creds: Credentials, session: Session) -> None:
    doc = document(object_event(1), object_event(2), object_event(1))
    first = client.post("/capture", json=doc, headers=creds.headers).json()
    assert [o["status"] for o in first["events"]] == ["captured", "captured", "duplicate"]
    second = client.post("/capture", json=doc, headers=creds.headers).json()
    assert [o["status"] for o in second["events"]] == ["duplicate"] * 3
    assert (second["captured"], second["duplicates"]) == (0, 3)
    assert count(session) == 2
    # an event whose eventID is already stored is a duplicate, even with other content
    reused = object_event(9, eventID="urn:uuid:0d8f7c1e-5b1a-4c3e-9d2a-7f6e5d4c3b2a")
    client.post("/capture", json=document(reused), headers=creds.headers)
    third = client.post(
        "/capture", json=document(object_event(10, eventID=reused["eventID"])), headers=creds.headers
    ).json()
    assert [o["status"] for o in third["events"]] == ["duplicate"]
    assert count(session) == 3


@pytest.mark.parametrize(
    ("_case", "headers"),
    [
        ("none", {}),
        ("not bearer", {"Authorization": "Basic abc"}),
        ("unknown", {"Authorization": "Bearer zs_nope"}),
    ],
)
def test_capture_without_a_valid_token_is_refused(
    _case: str, headers: dict[str, str], client: TestClient, session: Session
) -> None:
    response = client.post("/capture", json=document(object_event(1)), headers=headers)
    assert response.status_code == 401
    assert response.json()["type"] == "epcisException:SecurityException"
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="zhuisu"'
    assert count(session) == 0
    assert count(session, CaptureJob) == 0


@pytest.mark.parametrize(
    ("_case", "content", "content_type"),
    [
        ("not JSON", b"{not json", "application/json"),
        ("not a media type capture takes", b"a,b\n1,2", "text/csv"),
        ("invalid event", None, "application/ld+json"),
    ],
)
def test_a_bad_body_with_an_unknown_token_is_answered_401(
    _case: str, content: bytes | None, content_type: str, client: TestClient, session: Session
) -> None:
    """The body is read and checked before the transaction begins, but what is wrong with it is told only to a
    caller the node knows."""
    body = content if content is not None else orjson.dumps(document({"type": "ObjectEvent", "action": "ADD"}))
    headers = {"Authorization": "Bearer zs_nope", "Content-Type": content_type}
    response = client.post("/capture", content=body, headers=headers)
    assert response.status_code == 401, response.text
    assert response.json()["type"] == "epcisException:SecurityException"
    assert (count(session), count(session, CaptureJob)) == (0, 0)


def test_the_document_is_checked_before_the_write_transaction_begins(
    client: TestClient, creds: Credentials, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite the write transaction holds the database's only write lock: validating and hashing 100 events is a
    fifth of a capture, done before it begins (``capture.routes.receive_capture``)."""
    order: list[str] = []
    check, begin = capture_service.check_document, session_module.unit_of_work

    def checking(doc: Any) -> Any:
        order.append("checked")
        return check(doc)

    def beginning(maker: Any, *, write: bool = True) -> Any:
        order.append("write" if write else "read")
        return begin(maker, write=write)

    monkeypatch.setattr(capture_service, "check_document", checking)
    monkeypatch.setattr(deps_module, "unit_of_work", beginning)
    response = client.post("/capture", json=document(object_event(1), object_event(2)), headers=creds.headers)
    assert response.status_code == 202, response.text
    assert order[:2] == ["checked", "write"]
    assert order.count("checked") == 1  # not validated again inside the transaction
    assert [e["status"] for e in response.json()["events"]] == ["captured", "captured"]
    assert count(session) == 2


def test_revoked_token_is_refused(client: TestClient, creds: Credentials, session: Session, maker: Any) -> None:
    with unit_of_work(maker) as s:
        token = s.scalars(select(ApiToken).where(ApiToken.party_id == creds.party_id)).one()
        parties_service.revoke_token(s, token_id=token.id)
    response = client.post("/capture", json=document(object_event(1)), headers=creds.headers)
    assert response.status_code == 401
    assert count(session) == 0


class TestLimits:
    def test_limits_are_advertised(self, client: TestClient, creds: Credentials) -> None:
        response = client.get("/capture", headers=creds.headers)
        assert response.headers["GS1-EPCIS-Capture-Limit"] == "50000"
        assert response.headers["GS1-EPCIS-Capture-File-Size-Limit"] == str(64 * 1024 * 1024)
        assert response.headers["GS1-EPCIS-Version"] == "2.0.0"

    def test_oversized_body_is_refused_before_parsing(
        self, client: TestClient, creds: Credentials, session: Session, app: Any
    ) -> None:
        app.state.settings.capture_limit_bytes = 1000
        body = b"{" + b" " * 2000 + b"not even json"
        response = client.post(
            "/capture", content=body, headers={**creds.headers, "Content-Type": "application/ld+json"}
        )
        assert response.status_code == 413
        assert response.json()["type"] == "epcisException:CaptureLimitExceededException"
        assert count(session, CaptureJob) == 0

    def test_too_many_events_are_refused(
        self, client: TestClient, creds: Credentials, session: Session, app: Any
    ) -> None:
        app.state.settings.capture_limit_events = 2
        response = client.post("/capture", json=document(*(object_event(i) for i in range(3))), headers=creds.headers)
        assert response.status_code == 413
        assert count(session) == 0


@pytest.mark.parametrize(
    ("_case", "content", "code"),
    [
        ("empty body", b"", "empty_document"),
        ("not json", b'{"@context": [', "invalid_json"),
        ("empty object", b"{}", "document_rejected"),
    ],
)
def test_malformed_bodies(
    _case: str, content: bytes, code: str, client: TestClient, creds: Credentials, session: Session
) -> None:
    response = client.post("/capture", content=content, headers={**creds.headers, "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["code"] == code
    assert count(session) == 0


def test_unsupported_media_type(client: TestClient, creds: Credentials) -> None:
    response = client.post("/capture", content=b"<x/>", headers={**creds.headers, "Content-Type": "text/plain"})
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"


class TestSingleEvent:
    def test_created_then_conflict(self, client: TestClient, creds: Credentials, session: Session) -> None:
        event = {
            "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
            **object_event(1, eventID="urn:uuid:6f9a1c9e-1111-4a52-9a0e-2d5b0c5e6a01"),
        }
        first = client.post("/events", json=event, headers=creds.headers)
        assert first.status_code == 201
        assert first.headers["Location"] == "/events/urn:uuid:6f9a1c9e-1111-4a52-9a0e-2d5b0c5e6a01"
        again = client.post("/events", json=event, headers=creds.headers)
        assert (again.status_code, again.json()["type"]) == (409, "epcisException:ResourceAlreadyExistsException")
        assert count(session) == 1
        got = client.get(first.headers["Location"], headers=creds.headers)
        assert returned_events(got.json())[0]["eventID"] == "urn:uuid:6f9a1c9e-1111-4a52-9a0e-2d5b0c5e6a01"

    def test_invalid_event_is_refused(self, client: TestClient, creds: Credentials, session: Session) -> None:
        event = {
            "@context": ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
            **object_event(1, epcList="urn:epc:id:sgtin:6901234.012345.1"),
        }
        response = client.post("/events", json=event, headers=creds.headers)
        assert response.status_code == 400
        assert [(e["pointer"], e["code"]) for e in response.json()["errors"]] == [("/epcList", "invalid_type")]
        assert count(session) == 0


def test_unknown_capture_job_is_404(client: TestClient, creds: Credentials) -> None:
    response = client.get("/capture/nope", headers=creds.headers)
    assert response.status_code == 404
    assert response.json()["type"] == "epcisException:NoSuchNameException"


def test_a_client_record_time_is_replaced_by_the_nodes(client: TestClient, creds: Credentials) -> None:
    sent = object_event(1, recordTime="2000-01-01T00:00:00.000Z")
    body = client.post("/capture", json=document(sent), headers=creds.headers).json()
    assert body["events"][0]["status"] == "captured"
    got = client.get(f"/events/{quote(body['events'][0]['hash'], safe='')}", headers=creds.headers)
    [event] = returned_events(got.json())
    recorded = datetime.fromisoformat(event["recordTime"])
    assert timedelta(0) <= datetime.now(UTC) - recorded < timedelta(minutes=5)
    assert without_record_time(event) == without_record_time(sent)
