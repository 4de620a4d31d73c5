"""EPCIS XML ↔ JSON-LD: the GS1 hash vectors, the GS1 examples, round trips, EPCIS 1.2 and lenient documents."""

import json
from pathlib import Path
from typing import Any

import pytest
from epcis_event_hash_generator import xml_to_py
from epcis_event_hash_generator.hash_generator import derive_prehashes_from_events
from lxml import etree

from zhuisu.epcis.hashing import event_hash, prehash
from zhuisu.epcis.validation import validate_document, validate_query_document
from zhuisu.epcis.xml import reader, schema, writer
from zhuisu.epcis.xml.errors import InvalidXml

DATA = Path(__file__).parent.parent / "data"
HERE = Path(__file__).parent / "data"
HASH_XML = sorted((DATA / "event-hash").glob("*.xml"))
EXAMPLE_XML = sorted((DATA / "epcis" / "XML").rglob("*.xml"))
JSON_DOCS = sorted((DATA / "epcis" / "JSON").rglob("*.jsonld")) + sorted((DATA / "event-hash").glob("*.jsonld"))


ATTRIBUTES_XML = HERE / "extension-attributes.xml"
EX = "https://ns.example.com/epcis/"
EX2 = "https://ns.example.com/other/"


def _hashes(doc: dict[str, Any]) -> list[str]:
    return [event_hash(e, doc["@context"]) for e in doc["epcisBody"]["eventList"]]


def _load(path: Path) -> dict[str, Any]:
    return dict(json.loads(path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("path", HASH_XML, ids=lambda p: p.stem)
def test_hash_vectors_reproduce_their_expected_hashes(path: Path) -> None:
    doc = reader.read_document(path.read_bytes())
    assert _hashes(doc) == path.with_suffix(".hashes").read_text(encoding="utf-8").split()


@pytest.mark.parametrize("path", HASH_XML, ids=lambda p: p.stem)
def test_hash_vectors_xml_and_json_ld_give_the_same_hashes(path: Path) -> None:
    assert _hashes(reader.read_document(path.read_bytes())) == _hashes(_load(path.with_suffix(".jsonld")))


def test_every_gs1_example_is_read() -> None:
    counts = {p.name: len(reader.read_document(p.read_bytes())["epcisBody"]["eventList"]) for p in EXAMPLE_XML}
    assert counts == {
        "AssociationEventExamples.xml": 8, "CBV-11.1-2020-06-16a.xml": 1, "CBV-11.2-2020-06-16a.xml": 1,
        "CBV-11.3-2020-06-16a.xml": 1, "CBV-11.4-2020-06-16a.xml": 0, "Example-PersistentDisposition.xml": 2,
        "Example-TransactionEvent-2020_07_03y.xml": 2, "Example_9.6.1-ObjectEvent-2020_06_18a.xml": 2,
        "Example1.xml": 1 + 1, "Example2.xml": 1, "AggregationEvent.xml": 1, "AssociationEvent.xml": 1,
        "ObjectEvent.xml": 2, "TransactionEvent.xml": 1, "TransformationEvent.xml": 1,
    }  # fmt: skip


@pytest.mark.parametrize("path", EXAMPLE_XML, ids=lambda p: p.name)
def test_gs1_examples_are_xsd_valid_and_convert_to_valid_json_ld(path: Path) -> None:
    root = reader.parse(path.read_bytes())
    doc = reader.read_document(root)
    assert schema.xsd_errors(root) == []
    if doc["epcisBody"]["eventList"]:
        assert validate_document(doc) == []


@pytest.mark.parametrize("path", EXAMPLE_XML, ids=lambda p: p.name)
def test_xml_round_trip_keeps_every_event(path: Path) -> None:
    doc = reader.read_document(path.read_bytes())
    written = writer.write_document(doc)
    back = reader.read_document(written)
    assert schema.xsd_errors(reader.parse(written)) == []
    assert back["epcisBody"] == doc["epcisBody"]
    assert back.get("epcisHeader") == doc.get("epcisHeader")


@pytest.mark.parametrize("path", JSON_DOCS, ids=lambda p: p.name)
def test_json_ld_to_xml_and_back_gives_the_same_hashes(path: Path) -> None:
    doc = _load(path)
    written = writer.write_document(doc)
    back = reader.read_document(written)
    assert schema.xsd_errors(reader.parse(written)) == []
    assert _hashes(back) == _hashes(doc)
    assert validate_document(back) == []


def test_epcis_1_2_document_is_read_as_its_json_ld_pair() -> None:
    doc = reader.read_document((HERE / "epcis12-mixed.xml").read_bytes())
    expected = _load(HERE / "epcis12-mixed.jsonld")
    assert doc == expected
    assert validate_document(doc) == []
    assert [e["type"] for e in doc["epcisBody"]["eventList"]] == [
        "ObjectEvent", "AggregationEvent", "ObjectEvent", "TransactionEvent", "TransformationEvent",
    ]  # fmt: skip


def test_epcis_1_2_quantity_event_becomes_an_object_event_with_a_quantity_list() -> None:
    doc = reader.read_document((HERE / "epcis12-mixed.xml").read_bytes())
    quantity = doc["epcisBody"]["eventList"][2]
    assert quantity["quantityList"] == [{"epcClass": "urn:epc:idpat:sgtin:0614141.107346.*", "quantity": 47}]
    assert quantity["action"] == "OBSERVE"


def test_lenient_document_has_the_hash_of_the_strict_one() -> None:
    lenient = reader.read_document((HERE / "lenient-2.0.xml").read_bytes())
    strict = _load(DATA / "event-hash" / "epcisDocWithSingleEvent.jsonld")
    assert _hashes(lenient) == _hashes(strict)
    assert schema.xsd_errors(reader.parse((HERE / "lenient-2.0.xml").read_bytes())) != []


@pytest.mark.parametrize(
    ("_case", "prefix"),
    [("default namespace for extensions", None), ("odd prefix", "zz"), ("https as prefix", "https")],
)
def test_extension_prefixes_do_not_change_the_hash(_case: str, prefix: str | None) -> None:
    ns = "https://ns.example.com/epcis/"
    declaration = f'xmlns="{ns}"' if prefix is None else f'xmlns:{prefix}="{ns}"'
    tag = "myField" if prefix is None else f"{prefix}:myField"
    xml = f"""<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0"
        creationDate="2020-01-01T00:00:00Z"><EPCISBody xmlns=""><EventList><ObjectEvent {declaration}>
        <eventTime xmlns="">2020-01-01T00:00:00Z</eventTime><eventTimeZoneOffset xmlns="">+00:00</eventTimeZoneOffset>
        <action xmlns="">OBSERVE</action><epcList xmlns=""><epc>urn:epc:id:sscc:4012345.0000000333</epc></epcList>
        <{tag}>7</{tag}></ObjectEvent></EventList></EPCISBody></epcis:EPCISDocument>"""
    doc = reader.read_document(xml.encode())
    reference = {
        "type": "ObjectEvent", "eventTime": "2020-01-01T00:00:00Z", "eventTimeZoneOffset": "+00:00",
        "action": "OBSERVE", "epcList": ["urn:epc:id:sscc:4012345.0000000333"], "example:myField": "7",
    }  # fmt: skip
    assert _hashes(doc) == [event_hash(reference, {"example": ns})]
    assert validate_document(doc) == []


def test_query_document_is_read_and_written() -> None:
    events = reader.read_document((DATA / "event-hash" / "epcisDocWithVariousEventTypes.xml").read_bytes())
    written = writer.query_document("MyQuery", events["epcisBody"]["eventList"], events["@context"])
    back = reader.read_document(written)
    assert schema.xsd_errors(reader.parse(written)) == []
    assert back["type"] == "EPCISQueryDocument"
    assert back["epcisBody"]["queryResults"]["queryName"] == "MyQuery"
    assert back["epcisBody"]["queryResults"]["resultsBody"]["eventList"] == events["epcisBody"]["eventList"]
    assert validate_query_document(back) == []
    assert reader.as_capture_document(back)["epcisBody"]["eventList"] == events["epcisBody"]["eventList"]


def test_master_data_document_becomes_header_master_data() -> None:
    doc = reader.read_document((DATA / "epcis" / "XML" / "CBV" / "CBV-11.4-2020-06-16a.xml").read_bytes())
    vocabularies = doc["epcisHeader"]["epcisMasterData"]["vocabularyList"]
    assert vocabularies[0]["type"] == "urn:epcglobal:epcis:vtype:ReadPoint"
    assert vocabularies[0]["vocabularyElementList"][1] == {
        "id": "urn:epc:id:sgln:0614141.00300.1",
        "attributes": [
            {"id": "urn:epcglobal:cbv:mda:site", "attribute": "0614141003006"},
            {"id": "urn:epcglobal:cbv:mda:ssd", "attribute": "Line #1 at Manufacturing Plant 1"},
        ],
    }


def test_a_bare_doctype_is_read() -> None:
    head = b'<?xml version="1.0"?>\n<!DOCTYPE epcis:EPCISDocument>\n'
    root = b'<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0" '
    rest = b'creationDate="2026-01-01T00:00:00Z"><EPCISBody><EventList/></EPCISBody></epcis:EPCISDocument>'
    assert reader.read_document(head + root + rest)["epcisBody"] == {"eventList": []}


@pytest.mark.parametrize(
    ("_case", "body", "code"),
    [
        ("not xml", b"{not xml", "invalid_xml"),
        ("entity refused", b'<!DOCTYPE d [<!ENTITY x "y">]><EPCISDocument>&x;</EPCISDocument>', "invalid_xml"),
        ("declarations refused", b"<!DOCTYPE d [<!ELEMENT d ANY>]><EPCISDocument/>", "invalid_xml"),
        ("external dtd refused", b'<!DOCTYPE d SYSTEM "http://evil.example/x.dtd"><EPCISDocument/>', "invalid_xml"),
        ("public dtd refused", b'<!DOCTYPE d PUBLIC "-//x//y" "x.dtd"><EPCISDocument/>', "invalid_xml"),
        ("other root", b"<html/>", "invalid_xml"),
    ],
)
def test_bad_xml_is_refused(_case: str, body: bytes, code: str) -> None:
    with pytest.raises(InvalidXml) as caught:
        reader.read_document(body)
    assert caught.value.code == code


class TestExtensionAttributes:
    """XML attributes of user extension elements: read, hashed and written as ``zhuisu.epcis.xml.reader`` says."""

    def test_read_as_keys_of_their_element(self) -> None:
        doc = reader.read_document(ATTRIBUTES_XML.read_bytes())
        [event] = doc["epcisBody"]["eventList"]
        assert doc["@context"][1] == {"example": EX, "ex2": EX2}
        assert event["ilmd"] == {
            "example:lot": {
                "example:grade": "A", "batch": "B-2", "#attributes": ["example:grade", "batch"], "#text": "LOT-9",
            },
        }  # fmt: skip
        assert event["example:weight"] == {
            "example:unit": "KGM", "scale": "2", "#attributes": ["example:unit", "scale"], "#text": "12.5",
        }  # fmt: skip
        assert event["example:box"] == {
            "ex2:id": "BOX-1",
            "#attributes": ["ex2:id"],
            "example:label": {"lang": "zh", "#attributes": ["lang"], "#text": "箱"},
            "example:seal": {"ex2:kind": "lead", "#attributes": ["ex2:kind"]},
        }
        assert event["example:flag"] == {"example:flag": ["outer", "inner"], "#attributes": ["example:flag"]}
        assert event["example:origin"] == "line-3"  # on the event, a standard element: a key like an element
        assert validate_document(doc) == []

    def test_hash_is_the_reference_implementations_reading_of_the_xml(self) -> None:
        body = ATTRIBUTES_XML.read_bytes()
        doc = reader.read_document(body)
        reference = list(derive_prehashes_from_events(xml_to_py.event_list_from_epcis_document_str(body.decode())))
        assert [prehash(e, doc["@context"]) for e in doc["epcisBody"]["eventList"]] == reference
        assert _hashes(doc) == [
            "ni:///sha-256;20376ce9ad81beacf7c983e19b7c8b7b2734304a75a3d9ce21d3f50e0ae8ad8e?ver=CBV2.0"
        ]

    def test_gs1_example_with_attributes_hashes_them(self) -> None:
        doc = reader.read_document((DATA / "epcis" / "XML" / "WithExtension" / "TransformationEvent.xml").read_bytes())
        [event] = doc["epcisBody"]["eventList"]
        assert event["example2:furtherData"] == {
            "example2:assemblyLine": "2", "example2:workingShift": "1",
            "#attributes": ["example2:assemblyLine", "example2:workingShift"],
        }  # fmt: skip
        assert event["errorDeclaration"]["example:field"] == {
            "example:furtherData": "abcd1234", "#attributes": ["example:furtherData"],
        }  # fmt: skip
        assert (
            "{http://ns.example.com/epcis-2}furtherData{http://ns.example.com/epcis-2}assemblyLine=2"
            "{http://ns.example.com/epcis-2}workingShift=1"
        ) in prehash(event, doc["@context"])

    def test_xml_to_json_ld_to_xml_gives_back_every_attribute(self) -> None:
        # given
        original = reader.parse(ATTRIBUTES_XML.read_bytes())
        # when
        written = reader.parse(writer.write_document(reader.read_document(original)))
        # then
        assert schema.xsd_errors(written) == []
        assert _attributes_of(written) == [a for a in _attributes_of(original) if a[0] != "ObjectEvent"]
        assert _attributes_of(written) == [
            (f"{{{EX}}}lot", [(f"{{{EX}}}grade", "A"), ("batch", "B-2")], "LOT-9"),
            (f"{{{EX}}}weight", [(f"{{{EX}}}unit", "KGM"), ("scale", "2")], "12.5"),
            (f"{{{EX}}}box", [(f"{{{EX2}}}id", "BOX-1")], ""),
            (f"{{{EX}}}label", [("lang", "zh")], "箱"),
            (f"{{{EX}}}seal", [(f"{{{EX2}}}kind", "lead")], ""),
            (f"{{{EX}}}flag", [(f"{{{EX}}}flag", "outer")], ""),
        ]
        [origin] = written.iter(f"{{{EX}}}origin")
        assert (origin.text, dict(origin.attrib)) == ("line-3", {})
        assert reader.read_document(written)["epcisBody"] == reader.read_document(original)["epcisBody"]

    def test_master_data_attribute_id_is_not_an_extension_attribute(self) -> None:
        doc = reader.read_document((DATA / "epcis" / "XML" / "CBV" / "CBV-11.4-2020-06-16a.xml").read_bytes())
        for vocabulary in doc["epcisHeader"]["epcisMasterData"]["vocabularyList"]:
            for element in vocabulary["vocabularyElementList"]:
                assert all(isinstance(a["attribute"], str) for a in element.get("attributes", []))


def _attributes_of(root: Any) -> list[tuple[str, list[tuple[str, str]], str]]:
    """(tag, attributes in order, stripped text) of every element under the event list that has attributes."""
    return [
        (str(e.tag), list(e.attrib.items()), (e.text or "").strip())
        for e in root.iter()
        if isinstance(e.tag, str) and e.attrib and etree.QName(e).localname not in ("EPCISDocument", "bizTransaction")
    ]
