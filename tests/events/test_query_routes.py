"""GET /events: every supported SimpleEventQuery parameter, paging, errors — on SQLite and PostgreSQL."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.conftest import Credentials
from tests.support.epcis import DATA, document, load, object_event, returned_events
from zhuisu.demo.content import SHOP, demo_document, event_id
from zhuisu.epcis.validation import validate_query_document

PIG = "urn:epc:id:sgtin:6901234.012345.1001"
PIG_DL = "https://id.gs1.org/01/06901234123456/21/1001"
PORK_1 = "urn:epc:class:lgtin:6901234.022222.L20261001"
PALLET_1 = "urn:epc:id:sscc:6901234.0000000001"


@pytest.fixture
def demo(client: TestClient, creds: Credentials) -> dict[str, Any]:
    doc = demo_document()
    response = client.post("/capture", json=doc, headers=creds.headers)
    assert response.status_code == 202
    return doc


def names(client: TestClient, creds: Credentials, params: dict[str, Any]) -> list[str]:
    """The demo events matched, as 'batch:step' in result order."""
    response = client.get("/events", params={"perPage": 1000, **params}, headers=creds.headers)
    assert response.status_code == 200, response.text
    assert validate_query_document(response.json()) == []
    labels = _labels()
    return [labels[e["eventID"]] for e in returned_events(response.json())]


def _labels() -> dict[str, str]:
    steps_ = [
        "commission",
        "inspect",
        "ship-farm",
        "receive-plant",
        "slaughter",
        "pack",
        "ship-plant",
        "receive-market",
        "sell",
    ]
    return {event_id(str(b), s): f"{b}:{s}" for b in (1, 2, 3) for s in steps_}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"eventType": "AggregationEvent"}, ["1:pack", "2:pack", "3:pack"]),
        (
            {
                "eventType": "AggregationEvent|TransformationEvent",
                "LT_eventTime": "2026-10-05T00:00:00+08:00",
            },
            ["1:slaughter", "1:pack"],
        ),
        (
            {"EQ_bizStep": "shipping", "GE_eventTime": "2026-10-08T00:00:00+08:00"},
            ["3:ship-farm", "3:ship-plant"],
        ),
        (
            {
                "EQ_bizStep": "urn:epcglobal:cbv:bizstep:receiving",
                "LT_eventTime": "2026-10-05T00:00:00+08:00",
            },
            ["1:receive-plant", "1:receive-market"],
        ),
        ({"EQ_bizStep": "https://ref.gs1.org/cbv/BizStep-retail_selling"}, ["1:sell", "2:sell", "3:sell"]),
        ({"EQ_disposition": "conformant"}, ["1:inspect", "2:inspect", "3:inspect"]),
        (
            {
                "EQ_action": "ADD",
                "GE_eventTime": "2026-10-01T00:00:00+08:00",
                "LT_eventTime": "2026-10-05T00:00:00+08:00",
            },
            ["1:pack"],
        ),
        (
            {"EQ_action": "ADD|DELETE", "LT_eventTime": "2026-10-01T00:00:00+08:00"},
            ["1:commission", "2:commission", "3:commission"],
        ),
        ({"MATCH_epc": PIG}, ["1:commission", "1:inspect", "1:ship-farm", "1:receive-plant"]),
        ({"MATCH_epc": PIG_DL}, ["1:commission", "1:inspect", "1:ship-farm", "1:receive-plant"]),
        (
            {"MATCH_anyEPC": PIG},
            ["1:commission", "1:inspect", "1:ship-farm", "1:receive-plant", "1:slaughter"],
        ),
        ({"MATCH_inputEPC": PIG}, ["1:slaughter"]),
        ({"MATCH_outputEPC": PIG}, []),
        ({"MATCH_parentID": PALLET_1}, ["1:pack"]),
        ({"MATCH_anyEPC": PALLET_1}, ["1:pack", "1:ship-plant", "1:receive-market"]),
        ({"MATCH_epcClass": PORK_1}, ["1:pack", "1:sell"]),
        ({"MATCH_outputEPCClass": PORK_1}, ["1:slaughter"]),
        ({"MATCH_anyEPCClass": PORK_1}, ["1:slaughter", "1:pack", "1:sell"]),
        (
            {"MATCH_anyEPCClass": "urn:epc:idpat:sgtin:6901234.022222.*", "EQ_bizStep": "retail_selling"},
            ["1:sell", "2:sell", "3:sell"],
        ),
        (
            {"MATCH_epc": "https://id.gs1.org/01/06901234123456/21/2*"},
            ["2:commission", "2:inspect", "2:ship-farm", "2:receive-plant"],
        ),
        ({"MATCH_epc": "urn:epc:id:sgtin:6901234.012345.3*", "EQ_bizStep": "inspecting"}, ["3:inspect"]),
        ({"EQ_readPoint": f"https://id.gs1.org/414/{SHOP['gln']}"}, ["1:sell", "2:sell", "3:sell"]),
        (
            {
                "EQ_bizLocation": "urn:epc:id:sgln:6901234.00003.0",
                "LT_eventTime": "2026-10-06T00:00:00+08:00",
            },
            ["1:receive-market"],
        ),
        ({"EXISTS_errorDeclaration": "true"}, []),
        (
            {"eventType": "TransformationEvent", "orderBy": "eventTime", "orderDirection": "DESC"},
            ["3:slaughter", "2:slaughter", "1:slaughter"],
        ),
        (
            {"EQ_bizStep": "receiving", "orderBy": "eventTime", "eventCountLimit": "2"},
            ["1:receive-plant", "1:receive-market"],
        ),
    ],
)
def test_filters(
    params: dict[str, Any], expected: list[str], demo: Any, client: TestClient, creds: Credentials
) -> None:
    assert names(client, creds, params) == expected


def _page_through(
    client: TestClient, creds: Credentials, params: dict[str, Any], between: Any = None
) -> list[list[str]]:
    pages: list[list[str]] = []
    labels = _labels()
    url: str | None = "/events"
    first = True
    while url:
        assert len(pages) < 50, "the listing does not end"
        response = client.get(url, params={**params} if first else None, headers=creds.headers)
        assert response.status_code == 200, response.text
        pages.append([labels.get(e["eventID"], e["eventID"]) for e in returned_events(response.json())])
        link = response.headers.get("Link")
        url = link[1 : link.index(">")] if link else None
        if url:
            assert response.headers["GS1-Next-Page-Token-Expires"].endswith("Z")
        first = False
        if between:
            between()
    return pages


def test_paging_returns_every_event_once(demo: Any, client: TestClient, creds: Credentials) -> None:
    pages = _page_through(client, creds, {"perPage": 4})
    assert [len(p) for p in pages] == [4, 4, 4, 4, 4, 4, 3]
    flat = [x for p in pages for x in p]
    assert flat == names(client, creds, {})
    assert len(set(flat)) == 27


def test_paging_stays_correct_while_events_are_captured(demo: Any, client: TestClient, creds: Credentials) -> None:
    # given a paged listing ordered by eventTime, and captures of events that sort before and after the cursor
    counter = iter(range(100))

    def capture_more() -> None:
        n = next(counter)
        early = object_event(n, eventTime=f"2026-01-01T00:00:{n:02d}+08:00")
        late = object_event(50 + n, eventTime=f"2027-01-01T00:00:{n:02d}+08:00")
        assert client.post("/capture", json=document(early, late), headers=creds.headers).status_code == 202

    # when
    pages = _page_through(client, creds, {"perPage": 5, "orderBy": "eventTime"}, between=capture_more)
    # then exactly the 27 events that existed when the listing began, each once, in eventTime order
    flat = [x for p in pages for x in p]
    assert flat == names(
        client,
        creds,
        {
            "orderBy": "eventTime",
            "LT_eventTime": "2026-12-01T00:00:00Z",
            "GE_eventTime": "2026-02-01T00:00:00Z",
        },
    )
    assert len(flat) == 27


def test_token_of_another_query_is_refused(demo: Any, client: TestClient, creds: Credentials) -> None:
    response = client.get("/events", params={"perPage": 2}, headers=creds.headers)
    link = response.headers["Link"]
    token = link[link.index("nextPageToken=") + len("nextPageToken=") : link.index(">")]
    other = client.get(
        "/events",
        params={"perPage": 2, "eventType": "ObjectEvent", "nextPageToken": token},
        headers=creds.headers,
    )
    assert other.status_code == 400
    assert other.json()["type"] == "epcisException:QueryParameterException"
    assert other.json()["parameter"] == "nextPageToken"
    garbage = client.get("/events", params={"nextPageToken": "%%%"}, headers=creds.headers)
    assert garbage.status_code == 400


@pytest.mark.parametrize(
    ("params", "parameter"),
    [
        ({"EQ_colour": "red"}, "EQ_colour"),
        ({"GE_eventTime": "yesterday"}, "GE_eventTime"),
        ({"GE_eventTime": "2026-01-01T00:00:00"}, "GE_eventTime"),
        ({"eventType": "ThingEvent"}, "eventType"),
        ({"EQ_action": "UPDATE"}, "EQ_action"),
        ({"orderDirection": "UP"}, "orderDirection"),
        ({"orderBy": "bizStep"}, "orderBy"),
        ({"eventCountLimit": "0"}, "eventCountLimit"),
        ({"perPage": "-1"}, "perPage"),
        ({"EXISTS_errorDeclaration": "maybe"}, "EXISTS_errorDeclaration"),
        ({"eventCountLimit": "1", "maxEventCount": "1"}, "maxEventCount"),
    ],
)
def test_bad_parameters_are_named(
    params: dict[str, str], parameter: str, client: TestClient, creds: Credentials
) -> None:
    response = client.get("/events", params=params, headers=creds.headers)
    assert response.status_code == 400
    problem = response.json()
    assert problem["type"] == "epcisException:QueryParameterException"
    assert problem["parameter"] == parameter
    assert parameter in problem["detail"]


def test_max_event_count_exceeded(demo: Any, client: TestClient, creds: Credentials) -> None:
    response = client.get("/events", params={"maxEventCount": "26"}, headers=creds.headers)
    assert response.status_code == 413
    assert response.json()["type"] == "epcisException:QueryTooLargeException"
    ok = client.get("/events", params={"maxEventCount": "27", "perPage": 100}, headers=creds.headers)
    assert len(returned_events(ok.json())) == 27


def test_error_declarations_are_found(client: TestClient, creds: Credentials) -> None:
    doc = load(DATA / "epcis/JSON/WithErrorDeclaration/ErrorDeclarationAndCorrectiveEvent.jsonld")
    assert client.post("/capture", json=doc, headers=creds.headers).status_code == 202
    response = client.get("/events", params={"EXISTS_errorDeclaration": "true"}, headers=creds.headers)
    found = returned_events(response.json())
    assert [("errorDeclaration" in e) for e in found] == [True]


def test_event_by_id_and_hash(demo: Any, client: TestClient, creds: Credentials, session: Session) -> None:
    wanted = event_id("2", "pack")
    by_id = client.get(f"/events/{wanted}", headers=creds.headers)
    assert by_id.status_code == 200
    [event] = returned_events(by_id.json())
    assert event["parentID"] == "urn:epc:id:sscc:6901234.0000000002"
    missing = client.get("/events/urn:uuid:00000000-0000-4000-8000-000000000000", headers=creds.headers)
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"


def test_query_requires_a_token(demo: Any, client: TestClient) -> None:
    assert client.get("/events").status_code == 401
