"""The full EPCIS 2.0 query language over GET /events: pattern parameters, units, master data, refusals."""

from typing import Any

import pytest
from fastapi.testclient import TestClient

from tests.conftest import Credentials
from tests.support.epcis import document, object_event, returned_events

NS = "https://ns.example.com/epcis/"
CONTEXT = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"example": NS}]


def _events() -> list[dict[str, Any]]:
    return [
        object_event(
            1,
            action="ADD",
            bizTransactionList=[{"type": "po", "bizTransaction": "urn:epcglobal:cbv:bt:0614141000005:PO-1"}],
            sourceList=[{"type": "owning_party", "source": "urn:epc:id:pgln:0614141.00000"}],
            quantityList=[{"epcClass": "urn:epc:class:lgtin:4012345.012345.998877", "quantity": 200, "uom": "KGM"}],
            ilmd={"example:bestBefore": "2026-06-01", "example:grade": "5"},
            **{"example:temperature": "4.5", "example:batch": {"example:line": "L2"}},
        ),
        object_event(
            2,
            quantityList=[{"epcClass": "urn:epc:class:lgtin:4012345.012345.998877", "quantity": 500, "uom": "GRM"}],
            sensorElementList=[
                {
                    "sensorMetadata": {"time": "2026-03-01T08:00:00Z", "deviceID": "urn:epc:id:giai:4000001.111"},
                    "sensorReport": [
                        {"type": "Temperature", "value": 26, "uom": "CEL"},
                        {"type": "Temperature", "minValue": 70, "maxValue": 80, "uom": "FAH"},
                    ],
                }
            ],
            persistentDisposition={"set": ["completeness_verified"]},
        ),
        object_event(
            3,
            disposition="in_progress",
            errorDeclaration={
                "declarationTime": "2026-03-02T00:00:00Z",
                "reason": "incorrect_data",
                "correctiveEventIDs": ["urn:uuid:404d95fc-9457-4a51-bd6a-0bba133845a8"],
            },
            readPoint={"id": "urn:epc:id:sgln:0614141.00888.1"},
            bizLocation={"id": "urn:epc:id:sgln:0614141.00888.0", "example:dock": "7"},
        ),
    ]


@pytest.fixture
def captured(client: TestClient, creds: Credentials) -> Credentials:
    response = client.post("/capture", json=document(*_events(), context=CONTEXT), headers=creds.headers)
    assert response.status_code == 202, response.text
    return creds


def _serials(client: TestClient, creds: Credentials, **params: str) -> list[str]:
    response = client.get("/events", params=params, headers=creds.headers)
    assert response.status_code == 200, response.text
    events = returned_events(response.json())
    return sorted(e["epcList"][0].rsplit(".", 1)[1] for e in events)


@pytest.mark.parametrize(
    ("_case", "params", "expected"),
    [
        ("bizTransaction by type", {"EQ_bizTransaction_po": "urn:epcglobal:cbv:bt:0614141000005:PO-1"}, ["1"]),
        ("bizTransaction other type", {"EQ_bizTransaction_inv": "urn:epcglobal:cbv:bt:0614141000005:PO-1"}, []),
        ("source by type, DL form", {"EQ_source_owning_party": "urn:epc:id:pgln:0614141.00000"}, ["1"]),
        ("extension EQ", {"EQ_example:temperature": "4.5"}, ["1"]),
        ("extension GT numeric", {"GT_example:temperature": "4"}, ["1"]),
        ("extension LT numeric", {"LT_example:temperature": "4"}, []),
        ("extension EXISTS", {"EXISTS_example:temperature": ""}, ["1"]),
        ("INNER extension", {"EQ_INNER_example:line": "L2"}, ["1"]),
        ("top level is not INNER", {"EQ_example:line": "L2"}, []),
        ("ILMD", {"EQ_ILMD_example:bestBefore": "2026-06-01"}, ["1"]),
        ("ILMD GE", {"GE_ILMD_example:grade": "5"}, ["1"]),
        ("EXISTS_ILMD", {"EXISTS_ILMD_example:grade": "true"}, ["1"]),
        ("bizLocation extension", {"EQ_bizLocation_example:dock": "7"}, ["3"]),
        ("quantity", {"GT_quantity": "300"}, ["2"]),
        ("quantity in a unit, converted", {"GE_quantity_KGM": "0.5", "LT_quantity_KGM": "1"}, ["2"]),
        ("quantity in grams", {"GE_quantity_GRM": "200000"}, ["1"]),
        ("sensor value with its unit", {"GE_value_CEL": "25"}, ["2"]),
        ("sensor value converted", {"GT_value_FAH": "78", "LT_value_FAH": "79"}, ["2"]),
        ("sensor min in Celsius", {"GE_minValue_CEL": "21", "LT_minValue_CEL": "21.2"}, ["2"]),
        ("sensor type", {"EQ_type": "Temperature"}, ["2"]),
        ("sensor device, either form", {"EQ_deviceID": "https://id.gs1.org/8004/4000001111"}, ["2"]),
        ("sensor time", {"GE_time": "2026-03-01T07:00:00Z", "LT_time": "2026-03-01T09:00:00Z"}, ["2"]),
        ("EXISTS_sensorElementList", {"EXISTS_sensorElementList": "true"}, ["2"]),
        ("persistent disposition", {"EQ_persistentDisposition_set": "completeness_verified"}, ["2"]),
        ("error reason", {"EQ_errorReason": "urn:epcglobal:cbv:er:incorrect_data"}, ["3"]),
        ("corrective event", {"EQ_correctiveEventID": "urn:uuid:404d95fc-9457-4a51-bd6a-0bba133845a8"}, ["3"]),
        ("error declaration time", {"GE_errorDeclaration_Time": "2026-03-01T00:00:00Z"}, ["3"]),
        ("the OpenAPI spelling", {"GE_errorDeclarationTime": "2026-03-01T00:00:00Z"}, ["3"]),
        ("the OpenAPI spelling, before", {"LT_errorDeclarationTime": "2026-03-01T00:00:00Z"}, []),
        ("combined with indexed ones", {"EQ_action": "ADD", "GT_quantity": "100"}, ["1"]),
    ],
)
def test_pattern_and_fixed_parameters(
    _case: str, params: dict[str, str], expected: list[str], client: TestClient, captured: Credentials
) -> None:
    assert _serials(client, captured, **params) == expected


def test_paging_is_full_when_predicates_filter(client: TestClient, creds: Credentials) -> None:
    # given: 30 events, every third with the extension
    events = [object_event(n, **({"example:flag": "y"} if n % 3 == 0 else {})) for n in range(30)]
    client.post("/capture", json=document(*events, context=CONTEXT), headers=creds.headers)
    # when
    first = client.get("/events", params={"EQ_example:flag": "y", "perPage": 4}, headers=creds.headers)
    pages = [returned_events(first.json())]
    link = first.headers.get("Link")
    while link:
        url = link.split(">")[0].lstrip("<")
        response = client.get(url, headers=creds.headers)
        pages.append(returned_events(response.json()))
        link = response.headers.get("Link")
    # then
    assert [len(p) for p in pages] == [4, 4, 2]
    assert sorted(int(e["epcList"][0].rsplit(".", 1)[1]) for p in pages for e in p) == list(range(0, 30, 3))


def test_within_descendant_and_attributes_use_master_data(client: TestClient, captured: Credentials) -> None:
    # given
    master = document(context=CONTEXT)
    master["epcisBody"]["eventList"] = []
    master["epcisHeader"] = {"epcisMasterData": {"vocabularyList": [{
        "type": "urn:epcglobal:epcis:vtype:ReadPoint",
        "vocabularyElementList": [
            {"id": "urn:epc:id:sgln:0614141.00888.0", "children": ["urn:epc:id:sgln:0614141.00888.1"],
             "attributes": [{"id": "urn:epcglobal:cbv:mda#name", "attribute": "Warehouse 8"}]},
        ],
    }]}}  # fmt: skip
    stored = client.post("/capture", json=master, headers=captured.headers)
    # then
    assert stored.status_code == 202
    assert stored.json() == {"vocabularyElements": 1}
    assert _serials(client, captured, WD_readPoint="urn:epc:id:sgln:0614141.00888.0") == ["3"]
    assert _serials(client, captured, WD_readPoint="urn:epc:id:sgln:0614141.00888.1") == ["3"]
    assert _serials(client, captured, HASATTR_bizLocation="urn:epcglobal:cbv:mda#name") == ["3"]
    assert _serials(client, captured, **{"EQ_ATTR_bizLocation_urn:epcglobal:cbv:mda#name": "Warehouse 8"}) == ["3"]
    assert _serials(client, captured, **{"EQ_ATTR_bizLocation_urn:epcglobal:cbv:mda#name": "Other"}) == []


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("EQ_nonsense", "x"),
        ("GT_quantity", "many"),
        ("GE_value_CEL", "warm"),
        ("GE_time", "yesterday"),
        ("GT_example:temperature", "warm"),
        ("HASATTR_epcList", "x"),
        ("EQ_ATTR_readPoint", "x"),
        ("EQ_bizTransaction_", "x"),
    ],
)
def test_unknown_or_malformed_parameters_are_named(
    name: str, value: str, client: TestClient, creds: Credentials
) -> None:
    response = client.get("/events", params={name: value}, headers=creds.headers)
    assert response.status_code == 400
    assert response.json()["parameter"] == name
    assert response.json()["type"] == "epcisException:QueryParameterException"
