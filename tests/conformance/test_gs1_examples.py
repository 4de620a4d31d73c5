"""The GS1 EPCIS 2.0 example documents (tests/data/epcis, see its SOURCE.md) through the real app, on both databases.

Every example is captured with ``POST /capture`` as its own media type (JSON-LD as ``application/ld+json``, XML as
``application/xml``) and must be accepted with exactly its events stored; none breaks a rule of the standard, so
the table of refused examples (``REFUSED``) is empty, and a test keeps it honest. The XML and JSON-LD examples that
describe the same events must give the same CBV 2.0 event hashes, event by event; the pairs that look alike but
are not the same data are listed in ``NOT_THE_SAME_DATA`` with what differs, and a test shows that difference is
the only one.
"""

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import Credentials
from zhuisu.epcis.hashing import event_hash
from zhuisu.epcis.xml import reader
from zhuisu.models import Event, VocabularyElement

EPCIS = Path(__file__).parent.parent / "data" / "epcis"
JSON_EXAMPLES = sorted((EPCIS / "JSON").rglob("*.jsonld"))
XML_EXAMPLES = sorted((EPCIS / "XML").rglob("*.xml"))
#: The project's shared reference material (../shared beside the checkout), where the examples were copied from.
SHARED = Path(__file__).resolve().parents[3] / "shared"
MEDIA = {".jsonld": "application/ld+json", ".xml": "application/xml"}

#: Each example's event count and how many distinct events (by event hash) it stores.
EVENTS: dict[str, tuple[int, int]] = {
    "JSON/AssociationEvent/AssociationEvent-a.jsonld": (1, 1),
    "JSON/AssociationEvent/AssociationEvent-b.jsonld": (1, 1),
    "JSON/AssociationEvent/AssociationEvent-c.jsonld": (1, 1),
    "JSON/AssociationEvent/AssociationEvent-d.jsonld": (1, 1),
    "JSON/Example_9.6.1-ObjectEvent-with-pseudo-SBDH-headers.jsonld": (2, 2),
    "JSON/Example_9.6.1-ObjectEvent.jsonld": (2, 2),
    "JSON/Example_9.6.1-with-comment.jsonld": (2, 2),
    "JSON/Example_9.6.2-ObjectEvent.jsonld": (1, 1),
    "JSON/Example_9.6.3-AggregationEvent.jsonld": (1, 1),
    "JSON/Example_9.6.4-TransformationEvent.jsonld": (1, 1),
    "JSON/WithDigitalLinkID/Example_9.6.1-ObjectEventWithDigitalLink.jsonld": (2, 2),
    "JSON/WithDigitalLinkID/Example_9.6.2-ObjectEventWithDigitalLink.jsonld": (1, 1),
    "JSON/WithDigitalLinkID/Example_9.6.3-AggregationEventWithDigitalLink.jsonld": (1, 1),
    "JSON/WithDigitalLinkID/Example_9.6.4-TransformationEventWithDigitalLink.jsonld": (1, 1),
    "JSON/WithErrorDeclaration/ErrorDeclarationAndCorrectiveEvent.jsonld": (2, 2),
    "JSON/WithErrorDeclaration/Example_9.6.1-ObjectEvent-with-error-declaration.jsonld": (2, 2),
    "JSON/WithSensorData/SensorDataExample1.jsonld": (1, 1),
    "JSON/WithSensorData/SensorDataExample2.jsonld": (1, 1),
    "JSON/WithSensorData/SensorDataExample3.jsonld": (1, 1),
    "JSON/WithSensorData/SensorDataExample4.jsonld": (1, 1),
    "JSON/WithSensorData/SensorDataExample5.jsonld": (1, 1),
    "JSON/WithSensorData/SensorDataExample6.jsonld": (1, 1),
    "JSON/WithSensorData/SensorDataExample7.jsonld": (1, 1),
    "JSON/WithSensorData/SensorDataExample8.jsonld": (1, 1),
    "XML/AssociationEvent/AssociationEventExamples.xml": (8, 7),
    "XML/CBV/CBV-11.1-2020-06-16a.xml": (1, 1),
    "XML/CBV/CBV-11.2-2020-06-16a.xml": (1, 1),
    "XML/CBV/CBV-11.3-2020-06-16a.xml": (1, 1),
    "XML/Example-PersistentDisposition.xml": (2, 2),
    "XML/Example-TransactionEvent-2020_07_03y.xml": (2, 2),
    "XML/Example_9.6.1-ObjectEvent-2020_06_18a.xml": (2, 2),
    "XML/Mimasu/Example1.xml": (2, 2),
    "XML/Mimasu/Example2.xml": (1, 1),
    "XML/WithExtension/AggregationEvent.xml": (1, 1),
    "XML/WithExtension/AssociationEvent.xml": (1, 1),
    "XML/WithExtension/ObjectEvent.xml": (2, 2),
    "XML/WithExtension/TransactionEvent.xml": (1, 1),
    "XML/WithExtension/TransformationEvent.xml": (1, 1),
}

#: The one example without events: an ``EPCISMasterDataDocument`` of three ReadPoint vocabulary elements.
MASTER_DATA = "XML/CBV/CBV-11.4-2020-06-16a.xml"

#: Examples that break a rule of the standard: name → (the rule, the error code the app answers with). None does.
REFUSED: dict[str, tuple[str, str]] = {}


_SLASH = (
    'the XML declares xmlns:example="http://ns.example.com/epcis", the JSON-LD "example": '
    '"http://ns.example.com/epcis/" (a trailing slash): example:myField is a different IRI in each'
)
_ASSOCIATIONS = "XML/AssociationEvent/AssociationEventExamples.xml"
_OBJECT_961 = "JSON/Example_9.6.1-ObjectEvent.jsonld"
#: XML/JSON-LD examples describing the same events: (JSON-LD, XML, JSON-LD event index → XML event index, None or
#: why they are not the same data). Found by content (type and eventTime); the JSON-LD examples of AssociationEvent
#: e–h are not in the shared selection, so XML events 4–7 have no pair.
PAIRS: list[tuple[str, str, dict[int, int], str | None]] = [
    ("JSON/AssociationEvent/AssociationEvent-a.jsonld", _ASSOCIATIONS, {0: 0}, None),
    ("JSON/AssociationEvent/AssociationEvent-b.jsonld", _ASSOCIATIONS, {0: 1}, None),
    ("JSON/AssociationEvent/AssociationEvent-c.jsonld", _ASSOCIATIONS, {0: 2}, None),
    ("JSON/AssociationEvent/AssociationEvent-d.jsonld", _ASSOCIATIONS, {0: 3}, None),
    (_OBJECT_961, "XML/Example_9.6.1-ObjectEvent-2020_06_18a.xml", {0: 0}, None),
    (_OBJECT_961, "XML/Example_9.6.1-ObjectEvent-2020_06_18a.xml", {1: 1}, _SLASH),
    (_OBJECT_961, "XML/Mimasu/Example1.xml", {0: 0}, None),
    (_OBJECT_961, "XML/Mimasu/Example1.xml", {1: 1}, _SLASH),
    ("JSON/Example_9.6.2-ObjectEvent.jsonld", "XML/Mimasu/Example2.xml", {0: 0}, _SLASH),
    (
        "JSON/Example_9.6.3-AggregationEvent.jsonld",
        "XML/WithExtension/AggregationEvent.xml",
        {0: 0},
        _SLASH + "; the XML also has an example:extension element the JSON-LD has not",
    ),
]
SAME = [pytest.param(j, x, m, id=f"{j}~{x}~{m}") for j, x, m, why in PAIRS if why is None]
NOT_SAME = [pytest.param(j, x, m, why, id=f"{j}~{x}~{m}") for j, x, m, why in PAIRS if why is not None]


def _name(path: Path) -> str:
    return path.relative_to(EPCIS).as_posix()


def _hashes(json_name: str, xml_name: str, pairs: dict[int, int]) -> tuple[list[str], list[str]]:
    """The event hashes of the paired events: the JSON-LD example's, and the XML example's as the app reads it."""
    doc = json.loads((EPCIS / json_name).read_text(encoding="utf-8"))
    xml = reader.read_document((EPCIS / xml_name).read_bytes())
    json_events, xml_events = doc["epcisBody"]["eventList"], xml["epcisBody"]["eventList"]
    return (
        [event_hash(json_events[j], doc["@context"]) for j in pairs],
        [event_hash(xml_events[x], xml["@context"]) for x in pairs.values()],
    )


def _count(session: Session, model: Any = Event) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _capture(client: TestClient, creds: Credentials, path: Path) -> Any:
    headers = {**creds.headers, "Content-Type": MEDIA[path.suffix]}
    return client.post("/capture", content=path.read_bytes(), headers=headers)


def test_every_example_is_listed() -> None:
    assert sorted([*EVENTS, MASTER_DATA]) == [_name(p) for p in JSON_EXAMPLES + XML_EXAMPLES]


def test_every_example_of_the_shared_material_is_copied() -> None:
    shared = SHARED / "epcis"
    if not shared.is_dir():
        pytest.skip("the shared reference material is not on this machine")
    copied = {_name(p) for p in JSON_EXAMPLES + XML_EXAMPLES}
    originals = {p.relative_to(shared).as_posix() for d in ("JSON", "XML") for p in (shared / d).rglob("*.*")}
    assert originals == copied


@pytest.mark.parametrize("path", [p for p in JSON_EXAMPLES + XML_EXAMPLES if _name(p) in EVENTS], ids=_name)
def test_example_is_accepted_with_all_its_events(
    path: Path, client: TestClient, creds: Credentials, session: Session
) -> None:
    # given
    total, distinct = EVENTS[_name(path)]
    # when
    response = _capture(client, creds, path)
    # then
    assert response.status_code == 202, response.text
    outcomes = response.json()["events"]
    assert len(outcomes) == total
    assert sorted(o["status"] for o in outcomes) == ["captured"] * distinct + ["duplicate"] * (total - distinct)
    assert _count(session) == distinct


def test_master_data_example_is_accepted_with_its_vocabulary(
    client: TestClient, creds: Credentials, session: Session
) -> None:
    # when
    response = _capture(client, creds, EPCIS / MASTER_DATA)
    # then
    assert response.status_code == 202, response.text
    assert response.json() == {"vocabularyElements": 3}
    stored = session.scalars(select(VocabularyElement).order_by(VocabularyElement.element_id)).all()
    assert [(v.vocabulary_type, v.element_id) for v in stored] == [
        ("urn:epcglobal:epcis:vtype:ReadPoint", "https://id.gs1.org/414/0614141003006"),
        ("urn:epcglobal:epcis:vtype:ReadPoint", "https://id.gs1.org/414/0614141003006/254/1"),
        ("urn:epcglobal:epcis:vtype:ReadPoint", "https://id.gs1.org/414/0614141003006/254/2"),
    ]  # urn:epc:id:sgln:0614141.00300.{0,1,2} in their canonical (Digital Link) form
    assert _count(session) == 0


def test_no_example_is_refused() -> None:
    assert REFUSED == {}


@pytest.mark.parametrize(("json_name", "xml_name", "pairs"), SAME)
def test_xml_and_json_ld_of_the_same_events_give_the_same_hashes(
    json_name: str, xml_name: str, pairs: dict[int, int]
) -> None:
    from_json, from_xml = _hashes(json_name, xml_name, pairs)
    assert from_xml == from_json


@pytest.mark.parametrize(("json_name", "xml_name", "pairs", "why"), NOT_SAME)
def test_look_alike_pairs_differ_only_by_what_is_listed(
    json_name: str, xml_name: str, pairs: dict[int, int], why: str
) -> None:
    # given: the XML as it is, and the XML with the JSON-LD's namespace and without the keys the JSON-LD has not
    doc = json.loads((EPCIS / json_name).read_text(encoding="utf-8"))
    xml = reader.read_document((EPCIS / xml_name).read_bytes())
    assert xml["@context"][1] == {"example": "http://ns.example.com/epcis"}, why
    aligned = [*xml["@context"][:1], {"example": "http://ns.example.com/epcis/"}]
    # when
    from_json, from_xml = _hashes(json_name, xml_name, pairs)
    json_events = [doc["epcisBody"]["eventList"][j] for j in pairs]
    xml_events = [xml["epcisBody"]["eventList"][x] for x in pairs.values()]
    trimmed = [{k: v for k, v in x.items() if k in j} for j, x in zip(json_events, xml_events, strict=True)]
    # then
    assert all(a != b for a, b in zip(from_xml, from_json, strict=True))
    assert [event_hash(e, aligned) for e in trimmed] == from_json


def test_event_hash_vectors_are_the_shared_ones() -> None:
    """The vectors themselves are checked by tests/epcis/test_hashing.py and tests/xml/test_xml_bindings.py."""
    shared = SHARED / "vectors" / "event-hash" / "examples"
    if not shared.is_dir():
        pytest.skip("the shared reference material is not on this machine")
    copied = EPCIS.parent / "event-hash"
    for original in shared.iterdir():
        assert (copied / original.name).read_bytes() == original.read_bytes(), original.name


@pytest.mark.parametrize(("json_name", "xml_name", "pairs"), SAME)
def test_the_json_ld_of_a_captured_xml_pair_is_a_duplicate(
    json_name: str, xml_name: str, pairs: dict[int, int], client: TestClient, creds: Credentials, session: Session
) -> None:
    # given
    first = _capture(client, creds, EPCIS / xml_name)
    stored = _count(session)
    # when
    second = _capture(client, creds, EPCIS / json_name)
    # then
    assert (first.status_code, second.status_code) == (202, 202)
    xml_outcomes, json_outcomes = first.json()["events"], second.json()["events"]
    assert [json_outcomes[j]["status"] for j in pairs] == ["duplicate"] * len(pairs)
    assert [json_outcomes[j]["hash"] for j in pairs] == [xml_outcomes[x]["hash"] for x in pairs.values()]
    assert _count(session) == stored + len(json_outcomes) - len(pairs)
