"""Malformed EPC identifiers are refused with a 400 (or the import's exit code 1) naming the event, its eventID and
the field's JSON pointer, with what was expected, and nothing is stored: EPC URNs that break the EPC Tag Data
Standard grammar, GS1 Digital Links with a wrong check digit, key length or character, RFID tag URNs, identifiers of
the wrong kind for their field (``codes.epc_check``), through ``POST /capture`` (JSON-LD and XML), ``POST /events``
and ``zhuisu import``.

A refused capture keeps its failed job (``GET /capture/{id}`` says why, as for every invalid document); no event,
index row or ledger leaf is written.
"""

import json
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.conftest import Credentials
from tests.support.epcis import DATA, EXAMPLES, document, load, object_event
from zhuisu.app.cli import app as cli
from zhuisu.epcis.identifiers import refused_identifiers
from zhuisu.epcis.xml import writer
from zhuisu.models import CaptureJob, Event, EventEpc, LedgerLeaf

CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
BAD_ID = "urn:uuid:6e0c3a1c-0000-4000-8000-00000000bad1"
GOOD = "urn:epc:id:sgtin:0614141.107346.1"
_SGTIN = "a well-formed urn:epc:id:sgtin URN"
_CLASS_EXPECTED = (
    "a class-level identifier: urn:epc:class:lgtin:…, urn:epc:idpat:sgtin:….*, or a GS1 Digital Link of a GTIN "
    "alone or with a lot (/01/…/10/…)"
)


def _in_epc_list(value: str) -> tuple[dict[str, Any], str]:
    return {"epcList": [GOOD, value]}, "/epcList/1"


def _aggregation(parent: str) -> tuple[dict[str, Any], str]:
    fields = {"type": "AggregationEvent", "action": "ADD", "parentID": parent, "childEPCs": [GOOD]}
    return {**fields, "epcList": None}, "/parentID"


def _epc_class(value: str) -> tuple[dict[str, Any], str]:
    return {"epcList": [], "quantityList": [{"epcClass": value, "quantity": 2}]}, "/quantityList/0/epcClass"


#: (case, the event's fields, pointer within the event, code, expected)
CORPUS: list[tuple[str, dict[str, Any], str, str, str]] = [
    (
        "sgtin company prefix + item reference of 12 digits",
        *_in_epc_list("urn:epc:id:sgtin:0614141.10734.2017"),
        "invalid_epc_urn",
        f"{_SGTIN} (the company prefix and indicator/item reference must have 13 digits, got 12)",
    ),
    (
        "sgtin with a letter in the item reference",
        *_in_epc_list("urn:epc:id:sgtin:0614141.1O7346.2017"),
        "invalid_epc_urn",
        f"{_SGTIN} (the company prefix and indicator/item reference must be digits, got '06141411O7346')",
    ),
    (
        "sgtin serial with a character outside the EPC URN set",
        *_in_epc_list("urn:epc:id:sgtin:0614141.107346.ab~c"),
        "invalid_epc_urn",
        f"{_SGTIN} (character(s) '~' must be %-escaped or are not allowed in an EPC URN)",
    ),
    (
        "sgtin serial escaping a character outside GS1 set 82",
        *_in_epc_list("urn:epc:id:sgtin:0614141.107346.a%7E"),
        "invalid_epc_urn",
        f"{_SGTIN} ('a%7E' escapes a character outside the GS1 AI character set 82)",
    ),
    (
        "sgtin serial with a broken %-escape",
        *_in_epc_list("urn:epc:id:sgtin:0614141.107346.a%2G"),
        "invalid_uri",
        "an absolute URI, e.g. urn:epc:id:sgtin:0614141.107346.2017",
    ),
    (
        "sgtin company prefix of 5 digits",
        *_in_epc_list("urn:epc:id:sgtin:06141.10734612.1"),
        "invalid_epc_urn",
        f"{_SGTIN} (the company prefix must be 6 to 12 digits, got '06141')",
    ),
    (
        "sgtin serial of 21 characters",
        *_in_epc_list("urn:epc:id:sgtin:0614141.107346.123456789012345678901"),
        "invalid_epc_urn",
        f"{_SGTIN} (the serial may have at most 20 characters, got 21)",
    ),
    (
        "unknown scheme under urn:epc:id",
        *_in_epc_list("urn:epc:id:sgtn:0614141.107346.2017"),
        "invalid_epc_urn",
        "a scheme of the EPC Tag Data Standard (adi, bic, cpi, gdti, giai, gid, ginc, grai, gsin, gsrn, gsrnp, imovn, "
        "itip, lgtin, pgln, sgcn, sgln, sgtin, sscc, upui, usdod), got 'sgtn'",
    ),
    (
        "tag URN with filter value 8",
        *_in_epc_list("urn:epc:tag:sgtin-96:8.0614141.107346.2017"),
        "invalid_epc_urn",
        "a tag URN's filter value is one digit 0 to 7, got '8'",
    ),
    (
        "well-formed tag URN instead of the pure identity",
        *_in_epc_list("urn:epc:tag:sgtin-96:3.0614141.107346.2017"),
        "epc_tag_urn",
        "the pure identity urn:epc:id:sgtin:0614141.107346.2017, not an RFID tag URN",
    ),
    (
        "pattern URN in an EPC list",
        *_in_epc_list("urn:epc:idpat:sgtin:0614141.107346.*"),
        "wrong_identifier_kind",
        "an identifier of objects (urn:epc:id:… or a GS1 Digital Link), not a pattern",
    ),
    (
        "Digital Link with a wrong GTIN check digit",
        *_in_epc_list("https://id.gs1.org/01/10614141073465/21/x"),
        "invalid_digital_link",
        "a GS1 Digital Link with valid check digits (the check digit of GTIN 10614141073465 should be 4, got 5)",
    ),
    (
        "Digital Link with a GTIN of 15 digits",
        *_in_epc_list("https://id.gs1.org/01/106141410734644/21/x"),
        "invalid_digital_link",
        "a GS1 Digital Link whose AI (01) GTIN has the format N14, got '106141410734644'",
    ),
    (
        "Digital Link on another host with an SSCC of 17 digits",
        *_in_epc_list("https://example.com/00/10614141073464000"),
        "invalid_digital_link",
        "a GS1 Digital Link whose AI (00) SSCC has the format N18, got '10614141073464000'",
    ),
    (
        "Digital Link of a GSRN with a wrong check digit",
        *_in_epc_list("https://id.gs1.org/8018/401234500000067658"),
        "invalid_digital_link",
        "a GS1 Digital Link with valid check digits (the check digit of GSRN 401234500000067658 should be 7, got 8)",
    ),
    (
        "Digital Link serial with a character outside GS1 set 82",
        *_in_epc_list("https://id.gs1.org/01/10614141073464/21/a%7Eb"),
        "invalid_digital_link",
        "a GS1 Digital Link whose AI (21) SERIAL has the format X..20, got 'a~b'",
    ),
    (
        "Digital Link with the lot after the serial",
        *_in_epc_list("https://id.gs1.org/01/10614141073464/21/x/10/L1"),
        "invalid_digital_link",
        "a GS1 Digital Link whose qualifiers follow its key in the allowed order "
        "(Expected one of (235) as qualifier, got '10'.)",
    ),
    (
        "sscc parent of 16 digits",
        *_aggregation("urn:epc:id:sscc:0614141.123456789"),
        "invalid_epc_urn",
        "a well-formed urn:epc:id:sscc URN "
        "(the company prefix and extension/serial reference must have 17 digits, got 16)",
    ),
    (
        "sgln read point of 11 digits",
        {"readPoint": {"id": "urn:epc:id:sgln:0614141.0734.0"}},
        "/readPoint/id",
        "invalid_epc_urn",
        "a well-formed urn:epc:id:sgln URN (the company prefix and location reference must have 12 digits, got 11)",
    ),
    (
        "sgtin as a read point",
        {"readPoint": {"id": GOOD}},
        "/readPoint/id",
        "wrong_identifier_kind",
        "a location: urn:epc:id:sgln:… or a GS1 Digital Link of a GLN (/414/…, optionally /254/…)",
    ),
    (
        "business location GLN with a wrong check digit",
        {"bizLocation": {"id": "https://id.gs1.org/414/0614141073468"}},
        "/bizLocation/id",
        "invalid_digital_link",
        "a GS1 Digital Link with valid check digits (the check digit of GLN 0614141073468 should be 7, got 8)",
    ),
    (
        "lgtin class of 12 digits",
        *_epc_class("urn:epc:class:lgtin:0614141.10734.L1"),
        "invalid_epc_urn",
        "a well-formed urn:epc:class:lgtin URN "
        "(the company prefix and indicator/item reference must have 13 digits, got 12)",
    ),
    (
        "pattern with a wildcard before its last component",
        *_epc_class("urn:epc:idpat:sgtin:0614141.*.2017"),
        "invalid_epc_urn",
        "a well-formed urn:epc:idpat:sgtin URN (only patterns whose last component alone is '*' are supported)",
    ),
    (
        "serialised Digital Link as a class",
        *_epc_class("https://id.gs1.org/01/10614141073464/21/x"),
        "wrong_identifier_kind",
        _CLASS_EXPECTED,
    ),
    (
        "source PGLN with a wrong check digit",
        {"sourceList": [{"type": "owning_party", "source": "https://id.gs1.org/417/0614141073468"}]},
        "/sourceList/0/source",
        "invalid_digital_link",
        "a GS1 Digital Link with valid check digits (the check digit of PGLN 0614141073468 should be 7, got 8)",
    ),
    (
        "sgtin as a destination",
        {"destinationList": [{"type": "owning_party", "destination": GOOD}]},
        "/destinationList/0/destination",
        "wrong_identifier_kind",
        "a party or location: urn:epc:id:pgln:…, urn:epc:id:sgln:…, or a GS1 Digital Link /417/… or /414/…",
    ),
    (
        "gdti business transaction of 11 digits",
        {"bizTransactionList": [{"type": "po", "bizTransaction": "urn:epc:id:gdti:0614141.0000.1"}]},
        "/bizTransactionList/0/bizTransaction",
        "invalid_epc_urn",
        "a well-formed urn:epc:id:gdti URN (the company prefix and document type must have 12 digits, got 11)",
    ),
]
IDS = [case[0] for case in CORPUS]


def _bad_event(fields: dict[str, Any]) -> dict[str, Any]:
    event = object_event(2, eventID=BAD_ID, **fields)
    return {key: value for key, value in event.items() if value is not None}


def _rows(session: Session) -> tuple[int, int, int]:
    return tuple(  # type: ignore[return-value]
        int(session.scalar(select(func.count()).select_from(model)) or 0) for model in (Event, EventEpc, LedgerLeaf)
    )


@pytest.mark.parametrize(("_case", "fields", "at", "code", "expected"), CORPUS, ids=IDS)
def test_capture_refuses_a_malformed_identifier(
    client: TestClient,
    creds: Credentials,
    session: Session,
    _case: str,
    fields: dict[str, Any],
    at: str,
    code: str,
    expected: str,
) -> None:
    # given a document whose second event names a malformed identifier
    body = document(object_event(1), _bad_event(fields))
    before = _rows(session)
    # when
    refused = client.post("/capture", json=body, headers=creds.headers | {"Accept-Language": "en"})
    # then: 400 naming the event, its eventID, the field and what was expected; nothing stored
    problem = refused.json()
    assert (refused.status_code, problem["code"]) == (400, "document_rejected")
    pointer = "/epcisBody/eventList/1" + at
    assert [{k: e[k] for k in ("eventIndex", "eventID", "pointer", "code", "expected")} for e in problem["errors"]] == [
        {"eventIndex": 1, "eventID": BAD_ID, "pointer": pointer, "code": code, "expected": expected}
    ]
    assert problem["errors"][0]["message"].startswith("Event 1, field ")
    assert _rows(session) == before == (0, 0, 0)
    job = session.get(CaptureJob, problem["captureID"])
    assert job is not None
    assert (job.state, job.captured, job.rejected) == ("failed", 0, 2)


@pytest.mark.parametrize(("_case", "fields", "at", "code", "expected"), CORPUS[::5], ids=IDS[::5])
def test_xml_capture_refuses_a_malformed_identifier(
    client: TestClient,
    creds: Credentials,
    session: Session,
    _case: str,
    fields: dict[str, Any],
    at: str,
    code: str,
    expected: str,
) -> None:
    # given the same document as EPCIS 2.0 XML
    xml = writer.write_document(document(object_event(1), _bad_event(fields)))
    # when
    refused = client.post("/capture", content=xml, headers=creds.headers | {"Content-Type": "application/xml"})
    # then: the pointer is into the JSON-LD document the XML stands for, as for every invalid XML event
    problem = refused.json()
    assert (refused.status_code, problem["code"]) == (400, "document_rejected")
    assert [(e["eventIndex"], e["eventID"], e["pointer"], e["code"], e["expected"]) for e in problem["errors"]] == [
        (1, BAD_ID, "/epcisBody/eventList/1" + at, code, expected)
    ]
    assert _rows(session) == (0, 0, 0)


@pytest.mark.parametrize(("_case", "fields", "at", "code", "expected"), CORPUS[1::5], ids=IDS[1::5])
def test_single_event_capture_refuses_a_malformed_identifier(
    client: TestClient,
    creds: Credentials,
    session: Session,
    _case: str,
    fields: dict[str, Any],
    at: str,
    code: str,
    expected: str,
) -> None:
    # given one event with its own @context
    event = {"@context": [CONTEXT], **_bad_event(fields)}
    # when
    refused = client.post("/events", json=event, headers=creds.headers)
    # then
    problem = refused.json()
    assert (refused.status_code, problem["code"]) == (400, "event_rejected")
    assert [(e["eventIndex"], e["eventID"], e["pointer"], e["code"], e["expected"]) for e in problem["errors"]] == [
        (0, BAD_ID, at, code, expected)
    ]
    assert _rows(session) == (0, 0, 0)


@pytest.mark.parametrize(("_case", "fields", "at", "code", "expected"), CORPUS[2::9], ids=IDS[2::9])
def test_import_refuses_a_malformed_identifier(
    cli_db: str, tmp_path: Path, _case: str, fields: dict[str, Any], at: str, code: str, expected: str
) -> None:
    # given a file whose second event names a malformed identifier
    path = tmp_path / "bad.jsonld"
    path.write_text(json.dumps(document(object_event(1), _bad_event(fields))))
    # when
    done = CliRunner().invoke(cli, ["import", "--json", str(path)])
    # then: exit code 1, the event's error by pointer, every event rejected, nothing stored
    report = json.loads(done.stdout)
    assert done.exit_code == 1
    assert [e["status"] for e in report["events"]] == ["rejected", "rejected"]
    assert [(e["pointer"], e["code"], e["expected"]) for e in report["events"][1]["errors"]] == [
        ("/epcisBody/eventList/1" + at, code, expected)
    ]
    assert (report["captured"], report["rejected"]) == (0, 2)


@pytest.mark.parametrize(
    "path",
    [*EXAMPLES, *sorted((DATA / "event-hash").glob("*.jsonld"))],
    ids=lambda p: p.name,
)
def test_the_standard_documents_name_no_refused_identifier(path: Path) -> None:
    events = load(path)["epcisBody"]["eventList"]
    assert [found for i, event in enumerate(events) for found in refused_identifiers(event, f"/{i}")] == []
