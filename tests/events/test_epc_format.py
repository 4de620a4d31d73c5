"""GS1-EPC-Format and GS1-CBV-XML-Format on query responses, and queries in URN or Digital Link form finding the same
events — on SQLite and PostgreSQL."""

import doctest
from typing import Any

import pytest
from fastapi.testclient import TestClient
from lxml import etree

from tests.conftest import Credentials
from tests.support.epcis import document, returned_events, without_record_time
from zhuisu.epcis import formats, identifiers
from zhuisu.epcis.query import params

E1 = "urn:uuid:5f0c9a4e-0000-4000-8000-000000000001"
E2 = "urn:uuid:5f0c9a4e-0000-4000-8000-000000000002"
E3 = "urn:uuid:5f0c9a4e-0000-4000-8000-000000000003"
UNKNOWN_GCP = "https://id.gs1.org/01/02012345666665/21/1"

URN_EVENT: dict[str, Any] = {
    "type": "ObjectEvent",
    "eventID": E1,
    "eventTime": "2026-03-01T08:00:00.000+08:00",
    "eventTimeZoneOffset": "+08:00",
    "epcList": ["urn:epc:id:sgtin:6901234.012345.1001", "urn:epc:id:sscc:6901234.0000000001"],
    "action": "OBSERVE",
    "bizStep": "shipping",
    "disposition": "in_transit",
    "readPoint": {"id": "urn:epc:id:sgln:6901234.00001.0"},
    "bizLocation": {"id": "urn:epc:id:sgln:6901234.00003.7"},
    "quantityList": [{"epcClass": "urn:epc:class:lgtin:6901234.022222.L1", "quantity": 5, "uom": "KGM"}],
    "sourceList": [{"type": "owning_party", "source": "urn:epc:id:pgln:6901234.00000"}],
}
DL_EVENT: dict[str, Any] = {
    "type": "ObjectEvent",
    "eventID": E2,
    "eventTime": "2026-03-01T09:00:00.000+08:00",
    "eventTimeZoneOffset": "+08:00",
    "epcList": ["https://id.gs1.org/01/06901234123456/21/1002"],
    "action": "OBSERVE",
    "bizStep": "shipping",
    "disposition": "in_transit",
    "readPoint": {"id": "https://id.gs1.org/414/6901234000016"},
    "bizLocation": {"id": "https://trace.example.cn/p/414/6901234000030/254/7"},
    "quantityList": [{"epcClass": "https://id.gs1.org/01/06901234222227/10/L1", "quantity": 2, "uom": "KGM"}],
    "sourceList": [{"type": "owning_party", "source": "https://id.gs1.org/417/6901234000009"}],
}
UNKNOWN_EVENT: dict[str, Any] = {
    "type": "ObjectEvent",
    "eventID": E3,
    "eventTime": "2026-03-01T10:00:00.000+08:00",
    "eventTimeZoneOffset": "+08:00",
    "epcList": [UNKNOWN_GCP],
    "action": "OBSERVE",
    "bizStep": "receiving",
}


@pytest.mark.parametrize("module", [formats, params, identifiers], ids=lambda m: m.__name__)
def test_doctests(module: Any) -> None:
    result = doctest.testmod(module, report=False)
    assert (result.failed, result.attempted > 0) == (0, True)


@pytest.fixture
def captured(client: TestClient, creds: Credentials) -> None:
    response = client.post("/capture", json=document(URN_EVENT, DL_EVENT, UNKNOWN_EVENT), headers=creds.headers)
    assert response.status_code == 202, response.text


def _get(client: TestClient, creds: Credentials, path: str, params: Any = None, **headers: str) -> Any:
    return client.get(path, params=params, headers={**creds.headers, **headers})


def _events(response: Any) -> dict[str, dict[str, Any]]:
    assert response.status_code == 200, response.text
    return {e["eventID"]: without_record_time(e) for e in returned_events(response.json())}


@pytest.mark.parametrize("value", [None, "No_Preference", "Never_Translates"])
def test_events_come_back_as_captured(
    client: TestClient, creds: Credentials, captured: None, value: str | None
) -> None:
    headers = {} if value is None else {"GS1-EPC-Format": value}
    response = _get(client, creds, "/events", **headers)
    assert _events(response) == {E1: URN_EVENT, E2: DL_EVENT, E3: UNKNOWN_EVENT}
    assert response.headers["GS1-EPC-Format"] == (value or "No_Preference")
    assert "GS1-CBV-XML-Format" not in response.headers


def test_always_digital_link(client: TestClient, creds: Credentials, captured: None) -> None:
    response = _get(client, creds, "/events", **{"GS1-EPC-Format": "Always_GS1_Digital_Link"})
    assert response.headers["GS1-EPC-Format"] == "Always_GS1_Digital_Link"
    assert _events(response) == {
        E1: {
            **URN_EVENT,
            "epcList": [
                "https://id.gs1.org/01/06901234123456/21/1001",
                "https://id.gs1.org/00/069012340000000016",
            ],
            "readPoint": {"id": "https://id.gs1.org/414/6901234000016"},
            "bizLocation": {"id": "https://id.gs1.org/414/6901234000030/254/7"},
            "quantityList": [{"epcClass": "https://id.gs1.org/01/06901234222227/10/L1", "quantity": 5, "uom": "KGM"}],
            "sourceList": [{"type": "owning_party", "source": "https://id.gs1.org/417/6901234000009"}],
        },
        E2: DL_EVENT,  # already Digital Links (the resolver domain is kept)
        E3: UNKNOWN_EVENT,
    }


def test_always_epc_urn(client: TestClient, creds: Credentials, captured: None) -> None:
    response = _get(client, creds, "/events", {"EQ_bizStep": "shipping"}, **{"GS1-EPC-Format": "Always_EPC_URN"})
    assert response.headers["GS1-EPC-Format"] == "Always_EPC_URN"
    assert _events(response) == {
        E1: URN_EVENT,
        E2: {
            **DL_EVENT,
            "epcList": ["urn:epc:id:sgtin:6901234.012345.1002"],
            "readPoint": {"id": "urn:epc:id:sgln:6901234.00001.0"},
            "bizLocation": {"id": "urn:epc:id:sgln:6901234.00003.7"},
            "quantityList": [{"epcClass": "urn:epc:class:lgtin:6901234.022222.L1", "quantity": 2, "uom": "KGM"}],
            "sourceList": [{"type": "owning_party", "source": "urn:epc:id:pgln:6901234.00000"}],
        },
    }


def test_urn_refused_when_the_company_prefix_length_is_unknown(
    client: TestClient, creds: Credentials, captured: None
) -> None:
    headers = {"GS1-EPC-Format": "Always_EPC_URN", "Accept-Language": "en"}
    response = _get(client, creds, "/events", {"EQ_bizStep": "receiving"}, **headers)
    assert response.status_code == 406
    problem = response.json()
    assert (problem["type"], problem["code"], problem["identifier"], problem["header"]) == (
        "epcisException:NotAcceptableException",
        "not_acceptable",
        UNKNOWN_GCP,
        "GS1-EPC-Format",
    )
    assert problem["detail"] == (
        f"cannot give {UNKNOWN_GCP} as an EPC URN (GS1-EPC-Format: Always_EPC_URN): the GS1 Company Prefix length "
        "of GTIN 02012345666665 is not in the GS1 Company Prefix table"
    )
    zh = _get(client, creds, f"/events/{E3}", **{"GS1-EPC-Format": "Always_EPC_URN"})
    assert zh.status_code == 406
    assert zh.json()["detail"] == (
        f"无法按 GS1-EPC-Format: Always_EPC_URN 给出 {UNKNOWN_GCP} 的 EPC URN："
        "GS1 厂商识别代码长度表中没有 GTIN 02012345666665 的厂商识别代码长度"
    )
    # Any other form still serves it.
    assert _events(_get(client, creds, f"/events/{E3}", **{"GS1-EPC-Format": "Always_GS1_Digital_Link"})) == {
        E3: UNKNOWN_EVENT
    }


@pytest.mark.parametrize(
    ("header", "value"),
    [("GS1-EPC-Format", "Always_URN"), ("GS1-EPC-Format", ""), ("GS1-CBV-XML-Format", "Always_EPC_URN")],
)
@pytest.mark.parametrize("path", ["/events", f"/events/{E1}"])
def test_invalid_header_values(
    client: TestClient, creds: Credentials, captured: None, header: str, value: str, path: str
) -> None:
    response = _get(client, creds, path, **{header: value, "Accept-Language": "en"})
    assert response.status_code == 400
    problem = response.json()
    assert (problem["type"], problem["header"]) == ("epcisException:ValidationException", header)
    assert problem["detail"].startswith(f"header {header}={value!r} is invalid: expected one of No_Preference, ")


def test_event_by_id_in_either_form(client: TestClient, creds: Credentials, captured: None) -> None:
    as_urn = _events(_get(client, creds, f"/events/{E2}", **{"GS1-EPC-Format": "Always_EPC_URN"}))
    assert as_urn[E2]["epcList"] == ["urn:epc:id:sgtin:6901234.012345.1002"]
    as_dl = _events(_get(client, creds, f"/events/{E1}", **{"GS1-EPC-Format": "Always_GS1_Digital_Link"}))
    assert as_dl[E1]["epcList"] == [
        "https://id.gs1.org/01/06901234123456/21/1001",
        "https://id.gs1.org/00/069012340000000016",
    ]


def test_named_query_events_honour_the_header(client: TestClient, creds: Credentials, captured: None) -> None:
    created = client.post(
        "/queries",
        json={"name": "shipped-1002", "query": {"MATCH_epc": ["urn:epc:id:sgtin:6901234.012345.1002"]}},
        headers=creds.headers,
    )
    assert created.status_code == 201, created.text
    response = _get(client, creds, "/queries/shipped-1002/events", **{"GS1-EPC-Format": "Always_EPC_URN"})
    assert response.headers["GS1-EPC-Format"] == "Always_EPC_URN"
    assert [e["epcList"] for e in _events(response).values()] == [["urn:epc:id:sgtin:6901234.012345.1002"]]


def _xml(response: Any) -> Any:
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/xml")
    return etree.fromstring(response.content)


def _texts(root: Any, name: str) -> list[str]:
    return [e.text for e in root.iter() if etree.QName(e).localname == name]


def test_xml_identifier_forms(client: TestClient, creds: Credentials, captured: None) -> None:
    accept = {"Accept": "application/xml"}
    urns = _get(client, creds, f"/events/{E2}", **accept, **{"GS1-EPC-Format": "Always_EPC_URN"})
    root = _xml(urns)
    assert urns.headers["GS1-EPC-Format"] == "Always_EPC_URN"
    assert urns.headers["GS1-CBV-XML-Format"] == "No_Preference"
    assert _texts(root, "epc") == ["urn:epc:id:sgtin:6901234.012345.1002"]
    assert _texts(root, "epcClass") == ["urn:epc:class:lgtin:6901234.022222.L1"]
    assert _texts(root, "id") == ["urn:epc:id:sgln:6901234.00001.0", "urn:epc:id:sgln:6901234.00003.7"]
    links = _xml(_get(client, creds, f"/events/{E1}", **accept, **{"GS1-EPC-Format": "Always_GS1_Digital_Link"}))
    assert _texts(links, "epc") == [
        "https://id.gs1.org/01/06901234123456/21/1001",
        "https://id.gs1.org/00/069012340000000016",
    ]
    assert _texts(links, "source") == ["https://id.gs1.org/417/6901234000009"]


URN_FORMS = (
    "urn:epcglobal:cbv:bizstep:shipping",
    "urn:epcglobal:cbv:disp:in_transit",
    "urn:epcglobal:cbv:sdt:owning_party",
)
WEB_FORMS = (
    "https://ref.gs1.org/cbv/BizStep-shipping",
    "https://ref.gs1.org/cbv/Disp-in_transit",
    "https://ref.gs1.org/cbv/SDT-owning_party",
)


@pytest.mark.parametrize(
    ("value", "step", "disposition", "source_type"),
    [
        (None, *URN_FORMS),
        ("Always_URN", *URN_FORMS),
        ("Never_Translates", *URN_FORMS),
        ("Always_Web_URI", *WEB_FORMS),
    ],
)
def test_xml_cbv_forms(
    client: TestClient,
    creds: Credentials,
    captured: None,
    value: str | None,
    step: str,
    disposition: str,
    source_type: str,
) -> None:
    headers = {"Accept": "application/xml"} | ({} if value is None else {"GS1-CBV-XML-Format": value})
    response = _get(client, creds, "/events", {"eventType": "ObjectEvent", "EQ_bizStep": "shipping"}, **headers)
    root = _xml(response)
    assert response.headers["GS1-CBV-XML-Format"] == (value or "No_Preference")
    assert _texts(root, "bizStep") == [step, step]
    assert _texts(root, "disposition") == [disposition, disposition]
    sources = [e.get("type") for e in root.iter() if etree.QName(e).localname == "source"]
    assert sources == [source_type, source_type]


def test_cbv_xml_format_does_not_touch_json(client: TestClient, creds: Credentials, captured: None) -> None:
    response = _get(client, creds, f"/events/{E1}", **{"GS1-CBV-XML-Format": "Always_Web_URI"})
    assert _events(response) == {E1: URN_EVENT}


def _ids(client: TestClient, creds: Credentials, params: dict[str, str]) -> list[str]:
    response = _get(client, creds, "/events", params)
    assert response.status_code == 200, response.text
    return sorted(e["eventID"] for e in returned_events(response.json()))


@pytest.mark.parametrize(
    ("name", "forms", "expected"),
    [
        ("MATCH_epc", ["urn:epc:id:sgtin:6901234.012345.1001", "https://id.gs1.org/01/06901234123456/21/1001",
                       "https://shop.example.cn/x/01/06901234123456/21/1001?linkType=all"], [E1]),
        ("MATCH_epc", ["urn:epc:id:sgtin:6901234.012345.1002", "https://id.gs1.org/01/06901234123456/21/1002"], [E2]),
        ("MATCH_anyEPC", ["urn:epc:id:sscc:6901234.0000000001", "https://id.gs1.org/00/069012340000000016"], [E1]),
        ("MATCH_anyEPC", ["urn:epc:idpat:sgtin:6901234.012345.*", "urn:epc:idpat:sgtin:6901234.*.*",
                          "https://id.gs1.org/01/06901234123456/*"], [E1, E2]),
        ("MATCH_anyEPC", ["urn:epc:idpat:sscc:6901234.*", "urn:epc:idpat:sscc:*.*"], [E1]),
        ("MATCH_anyEPC", ["urn:epc:idpat:sgtin:2012345.*.*", UNKNOWN_GCP], [E3]),
        ("MATCH_epcClass", ["urn:epc:class:lgtin:6901234.022222.L1", "https://id.gs1.org/01/06901234222227/10/L1",
                            "urn:epc:idpat:sgtin:6901234.022222.*"], [E1, E2]),
        ("EQ_readPoint", ["urn:epc:id:sgln:6901234.00001.0", "https://id.gs1.org/414/6901234000016"], [E1, E2]),
        ("EQ_bizLocation", ["urn:epc:id:sgln:6901234.00003.7", "https://id.gs1.org/414/6901234000030/254/7",
                            "https://other.example/414/6901234000030/254/7"], [E1, E2]),
        ("EQ_source_owning_party", ["urn:epc:id:pgln:6901234.00000", "https://id.gs1.org/417/6901234000009"],
         [E1, E2]),
    ],
)  # fmt: skip
def test_a_query_in_either_form_finds_the_same_events(
    client: TestClient, creds: Credentials, captured: None, name: str, forms: list[str], expected: list[str]
) -> None:
    assert [_ids(client, creds, {name: form}) for form in forms] == [expected] * len(forms)


def test_capture_takes_either_form_and_checks_the_header(client: TestClient, creds: Credentials) -> None:
    bad = client.post(
        "/capture",
        json=document(URN_EVENT),
        headers={**creds.headers, "GS1-EPC-Format": "Sometimes", "Accept-Language": "en"},
    )
    assert (bad.status_code, bad.json()["header"]) == (400, "GS1-EPC-Format")
    bad_single = client.post(
        "/events", json={**URN_EVENT, "@context": document()["@context"]},
        headers={**creds.headers, "GS1-EPC-Format": "Sometimes"},
    )  # fmt: skip
    assert (bad_single.status_code, bad_single.json()["header"]) == (400, "GS1-EPC-Format")
    assert _events(_get(client, creds, "/events")) == {}
    good = client.post(
        "/capture",
        json=document(URN_EVENT, DL_EVENT),
        headers={**creds.headers, "GS1-EPC-Format": "Always_EPC_URN"},
    )
    assert good.status_code == 202, good.text
    assert _events(_get(client, creds, "/events")) == {E1: URN_EVENT, E2: DL_EVENT}
