"""POST /capture with EPCIS XML bodies, XML query results, asynchronous capture jobs."""

from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import Credentials
from tests.support.epcis import document, load, object_event
from zhuisu.epcis.hashing import event_hash
from zhuisu.epcis.xml import reader, writer
from zhuisu.models import CaptureJob, Event

DATA = Path(__file__).parent.parent / "data"
XML_WITH_EVENTS = [
    p
    for p in sorted((DATA / "epcis" / "XML").rglob("*.xml"))
    if reader.read_document(p.read_bytes())["epcisBody"]["eventList"]
]
HASH_XML = sorted((DATA / "event-hash").glob("*.xml"))
V12 = Path(__file__).parent.parent / "xml" / "data" / "epcis12-mixed.xml"
ATTRIBUTES_XML = Path(__file__).parent.parent / "xml" / "data" / "extension-attributes.xml"
EX, EX2 = "https://ns.example.com/epcis/", "https://ns.example.com/other/"


def count(session: Session, model: Any = Event) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _xml_headers(creds: Credentials, media: str = "application/xml") -> dict[str, str]:
    return {**creds.headers, "Content-Type": media}


@pytest.mark.parametrize("path", XML_WITH_EVENTS + HASH_XML + [V12], ids=lambda p: p.name)
def test_every_xml_document_with_events_is_captured(
    path: Path, client: TestClient, creds: Credentials, session: Session
) -> None:
    # given
    doc = reader.read_document(path.read_bytes())
    expected = [event_hash(e, doc["@context"]) for e in doc["epcisBody"]["eventList"]]
    # when
    response = client.post("/capture", content=path.read_bytes(), headers=_xml_headers(creds))
    # then
    assert response.status_code == 202, response.text
    outcomes = response.json()["events"]
    assert [o["hash"] for o in outcomes] == expected
    assert {o["status"] for o in outcomes} <= {"captured", "duplicate"}
    assert count(session) == len(set(expected))


@pytest.mark.parametrize("path", HASH_XML, ids=lambda p: p.stem)
def test_xml_and_json_ld_of_the_same_events_are_stored_once(
    path: Path, client: TestClient, creds: Credentials, session: Session
) -> None:
    # given
    first = client.post("/capture", content=path.read_bytes(), headers=_xml_headers(creds, "text/xml"))
    stored = count(session)
    # when
    second = client.post("/capture", json=load(path.with_suffix(".jsonld")), headers=creds.headers)
    # then
    assert first.status_code == second.status_code == 202
    assert [o["status"] for o in second.json()["events"]] == ["duplicate"] * len(second.json()["events"])
    assert [o["hash"] for o in second.json()["events"]] == [o["hash"] for o in first.json()["events"]]
    assert count(session) == stored


def test_malformed_xml_is_refused_and_nothing_is_stored(
    client: TestClient, creds: Credentials, session: Session
) -> None:
    response = client.post("/capture", content=b"<EPCISDocument><oops>", headers=_xml_headers(creds))
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_xml"
    assert count(session) == 0
    assert count(session, CaptureJob) == 0


def test_strict_mode_refuses_xml_that_breaks_the_xsd(
    client: TestClient, creds: Credentials, session: Session, settings: Any
) -> None:
    # given
    client.app.state.settings = settings.model_copy(update={"capture_xml_strict": True})  # type: ignore[attr-defined]
    body = (Path(__file__).parent.parent / "xml" / "data" / "lenient-2.0.xml").read_bytes()
    # when
    response = client.post("/capture", content=body, headers=_xml_headers(creds))
    # then
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_xml"
    assert count(session) == 0


def test_invalid_event_in_xml_rejects_the_document(client: TestClient, creds: Credentials, session: Session) -> None:
    doc = document(object_event(1), object_event(2, action="SHOUT"))
    response = client.post("/capture", content=writer.write_document(doc), headers=_xml_headers(creds))
    assert response.status_code == 400
    assert response.json()["code"] == "document_rejected"
    assert count(session) == 0


def test_query_results_as_xml(client: TestClient, creds: Credentials) -> None:
    # given
    path = DATA / "event-hash" / "epcisDocWithVariousEventTypes.xml"
    sent = reader.read_document(path.read_bytes())
    client.post("/capture", content=path.read_bytes(), headers=_xml_headers(creds))
    # when
    response = client.get("/events", params={"perPage": 100}, headers={**creds.headers, "Accept": "application/xml"})
    # then
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("application/xml")
    back = reader.read_document(response.content)
    events = back["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert [event_hash(e, back["@context"]) for e in events] == [
        event_hash(e, sent["@context"]) for e in sent["epcisBody"]["eventList"]
    ]


def test_one_event_as_xml(client: TestClient, creds: Credentials) -> None:
    client.post("/capture", json=document(object_event(7)), headers=creds.headers)
    expected = event_hash(object_event(7))
    response = client.get(f"/events/{quote(expected, safe='')}", headers={**creds.headers, "Accept": "text/xml"})
    assert response.status_code == 200
    back = reader.read_document(response.content)
    [event] = back["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert event_hash(event) == expected


def test_large_document_is_captured_in_the_background(
    client: TestClient, creds: Credentials, session: Session, settings: Any
) -> None:
    # given
    client.app.state.settings = settings.model_copy(update={"capture_async_min_events": 3})  # type: ignore[attr-defined]
    doc = document(*(object_event(n) for n in range(5)))
    # when
    response = client.post("/capture", json=doc, headers=creds.headers)
    status = client.get(response.headers["Location"], headers=creds.headers)
    # then
    assert response.status_code == 202
    assert response.json()["running"] is True
    assert response.json()["eventCount"] == 5
    assert status.json()["running"] is False
    assert status.json()["success"] is True
    assert status.json()["captured"] == 5
    assert count(session) == 5


def test_background_capture_records_rejections(
    client: TestClient, creds: Credentials, session: Session, settings: Any
) -> None:
    client.app.state.settings = settings.model_copy(update={"capture_async_min_events": 2})  # type: ignore[attr-defined]
    doc = document(object_event(1), object_event(2, action="SHOUT"))
    response = client.post("/capture", json=doc, headers=creds.headers)
    status = client.get(response.headers["Location"], headers=creds.headers).json()
    assert response.status_code == 202
    assert (status["running"], status["success"], status["captured"], status["rejected"]) == (False, False, 0, 2)
    pointers = [(e["eventIndex"], e["pointer"]) for e in status["errors"]][:2]
    assert pointers == [(0, ""), (1, "/epcisBody/eventList/1/action")]
    assert count(session) == 0


def test_extension_attributes_are_kept_in_json_ld_and_in_xml(
    client: TestClient, creds: Credentials, session: Session
) -> None:
    # given
    captured = client.post("/capture", content=ATTRIBUTES_XML.read_bytes(), headers=_xml_headers(creds))
    [outcome] = captured.json()["events"]
    url = f"/events/{quote(outcome['hash'], safe='')}"
    # when
    as_json = client.get(url, headers=creds.headers)
    as_xml = client.get(url, headers={**creds.headers, "Accept": "application/xml"})
    # then
    assert (captured.status_code, outcome["status"], count(session)) == (202, "captured", 1)
    back = as_json.json()
    [event] = back["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert event["example:weight"] == {
        "example:unit": "KGM", "scale": "2", "#attributes": ["example:unit", "scale"], "#text": "12.5",
    }  # fmt: skip
    assert event["example:box"] == {
        "ex2:id": "BOX-1",
        "#attributes": ["ex2:id"],
        "example:label": {"lang": "zh", "#attributes": ["lang"], "#text": "箱"},
        "example:seal": {"ex2:kind": "lead", "#attributes": ["ex2:kind"]},
    }
    assert event["ilmd"]["example:lot"]["#attributes"] == ["example:grade", "batch"]
    assert event_hash(event, back["@context"]) == outcome["hash"]
    root = reader.parse(as_xml.content)
    found = {
        (str(e.tag), tuple(e.attrib.items()), (e.text or "").strip())
        for e in root.iter()
        if isinstance(e.tag, str) and str(e.tag).startswith("{https://ns.example.com/")
    }
    assert found == {
        (f"{{{EX}}}lot", ((f"{{{EX}}}grade", "A"), ("batch", "B-2")), "LOT-9"),
        (f"{{{EX}}}weight", ((f"{{{EX}}}unit", "KGM"), ("scale", "2")), "12.5"),
        (f"{{{EX}}}box", ((f"{{{EX2}}}id", "BOX-1"),), ""),
        (f"{{{EX}}}label", (("lang", "zh"),), "箱"),
        (f"{{{EX}}}seal", ((f"{{{EX2}}}kind", "lead"),), ""),
        (f"{{{EX}}}flag", ((f"{{{EX}}}flag", "outer"),), ""),
        (f"{{{EX}}}flag", (), "inner"),
        (f"{{{EX}}}origin", (), "line-3"),
    }


@pytest.mark.parametrize(
    ("_case", "params", "found"),
    [
        ("element text, attributes aside", {"EQ_example:weight": "12.5"}, 1),
        ("attribute as an inner field", {"EQ_INNER_example:unit": "KGM"}, 1),
        ("attribute of a nested element", {"EQ_INNER_ex2:kind": "lead"}, 1),
        ("wrong attribute value", {"EQ_INNER_example:unit": "GRM"}, 0),
        ("ilmd element with attributes", {"EQ_ILMD_example:lot": "LOT-9"}, 1),
    ],
)
def test_extension_attributes_are_queried(
    _case: str, params: dict[str, str], found: int, client: TestClient, creds: Credentials
) -> None:
    client.post("/capture", content=ATTRIBUTES_XML.read_bytes(), headers=_xml_headers(creds))
    response = client.get("/events", params=params, headers=creds.headers)
    assert response.status_code == 200, response.text
    assert len(response.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]) == found
