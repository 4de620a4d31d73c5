"""The top-level browse resources (/eventTypes, /epcs, /bizSteps, /bizLocations, /readPoints, /dispositions): each
collection, each value's sub-resources and events, paging, and the errors — on the demo pork chain."""

from typing import Any
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.conftest import Credentials
from tests.support.epcis import document, object_event, returned_events
from zhuisu.demo.content import demo_document, event_id
from zhuisu.epcis.cbv import BIZ_STEP, DISPOSITION
from zhuisu.epcis.validation import validate_query_document
from zhuisu.models import Event

CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
FARM, PLANT, MARKET, SHOP = (f"https://id.gs1.org/414/69012340000{n}" for n in ("16", "23", "30", "47"))
PIG = "urn:epc:id:sgtin:6901234.012345.1001"
PIG_DL = "https://id.gs1.org/01/06901234123456/21/1001"
PIGS = [f"https://id.gs1.org/01/06901234123456/21/{b}{n:03d}" for b in (1, 2, 3) for n in (1, 2, 3, 4)]
PALLETS = [f"https://id.gs1.org/00/0690123400000000{n}" for n in ("16", "23", "30")]
PALLET_1 = "urn:epc:id:sscc:6901234.0000000001"
SHIPPING = ["1:ship-farm", "1:ship-plant", "2:ship-farm", "2:ship-plant", "3:ship-farm", "3:ship-plant"]
PIG_1001 = ["1:commission", "1:inspect", "1:ship-farm", "1:receive-plant", "1:slaughter"]


@pytest.fixture
def demo(client: TestClient, creds: Credentials) -> dict[str, Any]:
    doc = demo_document()
    response = client.post("/capture", json=doc, headers=creds.headers)
    assert response.status_code == 202
    return doc


def get(client: TestClient, creds: Credentials, path: str, **params: Any) -> Any:
    response = client.get(path, params=params, headers=creds.headers)
    assert response.status_code == 200, response.text
    return response


def members(client: TestClient, creds: Credentials, path: str, **params: Any) -> list[str]:
    body = get(client, creds, path, **params).json()
    assert (body["@context"], body["type"]) == (CONTEXT, "Collection")
    return list(body["member"])


def labels(client: TestClient, creds: Credentials, path: str, **params: Any) -> list[str]:
    """The demo events a path returns, as 'batch:step' in record order."""
    body = get(client, creds, path, perPage=1000, **params).json()
    assert validate_query_document(body) == []
    steps = ["commission", "inspect", "ship-farm", "receive-plant", "slaughter", "pack", "ship-plant"]
    steps += ["receive-market", "sell"]
    names = {event_id(str(b), s): f"{b}:{s}" for b in (1, 2, 3) for s in steps}
    return [names[e["eventID"]] for e in returned_events(body)]


class TestCollections:
    @pytest.mark.usefixtures("demo")
    def test_event_types_are_the_five_standard_ones(self, client: TestClient, creds: Credentials) -> None:
        assert members(client, creds, "/eventTypes") == [
            "AggregationEvent",
            "AssociationEvent",
            "ObjectEvent",
            "TransactionEvent",
            "TransformationEvent",
        ]

    @pytest.mark.usefixtures("demo")
    def test_epcs_are_the_instance_identifiers_events_name(self, client: TestClient, creds: Credentials) -> None:
        # lots (quantity lists) are EPC classes, not EPCs
        assert members(client, creds, "/epcs") == PALLETS + PIGS

    @pytest.mark.usefixtures("demo")
    def test_read_points_and_business_locations(self, client: TestClient, creds: Credentials) -> None:
        assert members(client, creds, "/readPoints") == [FARM, PLANT, MARKET, SHOP]
        assert members(client, creds, "/bizLocations") == [FARM, PLANT, MARKET]

    @pytest.mark.usefixtures("demo")
    def test_standard_vocabularies_are_listed_even_unused(self, client: TestClient, creds: Credentials) -> None:
        assert members(client, creds, "/bizSteps", perPage=1000) == sorted(BIZ_STEP.words)
        assert members(client, creds, "/dispositions", perPage=1000) == sorted(DISPOSITION.words)
        assert (len(BIZ_STEP.words), len(DISPOSITION.words)) == (41, 33)

    def test_custom_values_join_the_standard_ones(self, client: TestClient, creds: Credentials) -> None:
        # given an event with a custom bizStep and disposition in URN / URI form
        step, disposition = "https://zhuisu.cn/voc/BizStep-weighing", "urn:zhuisu:disp:quarantined"
        event = object_event(1, bizStep=step, disposition=disposition)
        assert client.post("/capture", json=document(event), headers=creds.headers).status_code == 202
        # then
        steps = members(client, creds, "/bizSteps", perPage=1000)
        assert (len(steps), steps[:2], steps[-1]) == (42, ["accepting", "arriving"], "void_shipping")
        assert step in steps
        dispositions = members(client, creds, "/dispositions", perPage=1000)
        assert (len(dispositions), dispositions[-1]) == (34, disposition)

    @pytest.mark.usefixtures("demo")
    def test_identifiers_as_epc_urns_on_request(self, client: TestClient, creds: Credentials) -> None:
        headers = {**creds.headers, "GS1-EPC-Format": "Always_EPC_URN"}
        epcs = client.get("/epcs", params={"perPage": 4}, headers=headers)
        assert (epcs.json()["member"], epcs.headers["GS1-EPC-Format"]) == (
            [f"urn:epc:id:sscc:6901234.000000000{b}" for b in (1, 2, 3)] + [PIG],
            "Always_EPC_URN",
        )
        points = client.get("/bizLocations", headers=headers).json()["member"]
        assert points == [f"urn:epc:id:sgln:6901234.0000{n}.0" for n in (1, 2, 3)]

    @pytest.mark.usefixtures("demo")
    @pytest.mark.parametrize("epc_format", ["No_Preference", "Always_GS1_Digital_Link", "Never_Translates"])
    def test_identifiers_stay_canonical_otherwise(
        self, client: TestClient, creds: Credentials, epc_format: str
    ) -> None:
        response = client.get("/readPoints", headers={**creds.headers, "GS1-EPC-Format": epc_format})
        assert (response.json()["member"], response.headers["GS1-EPC-Format"]) == (
            [FARM, PLANT, MARKET, SHOP],
            epc_format,
        )

    def test_an_unknown_epc_format_is_400(self, client: TestClient, creds: Credentials) -> None:
        response = client.get("/epcs", headers={**creds.headers, "GS1-EPC-Format": "Sometimes"})
        assert (response.status_code, response.json()["header"]) == (400, "GS1-EPC-Format")

    def test_an_empty_repository_lists_no_identifiers(self, client: TestClient, creds: Credentials) -> None:
        for path in ("/epcs", "/readPoints", "/bizLocations"):
            assert members(client, creds, path) == []

    def test_collections_need_a_token(self, client: TestClient) -> None:
        response = client.get("/epcs")
        assert response.status_code == 401
        assert response.json()["type"] == "epcisException:SecurityException"


class TestPaging:
    @pytest.mark.usefixtures("demo")
    def test_pages_follow_the_link_header_to_the_end(self, client: TestClient, creds: Credentials) -> None:
        # when
        first = get(client, creds, "/epcs", perPage=4)
        pages = [first.json()["member"]]
        link = first.headers["Link"]
        while link:
            url = link.split(";")[0].strip("<>")
            page = client.get(url, headers=creds.headers)
            assert page.status_code == 200
            pages.append(page.json()["member"])
            link = page.headers.get("Link", "")
        # then
        assert [len(p) for p in pages] == [4, 4, 4, 3]
        assert [m for p in pages for m in p] == PALLETS + PIGS
        assert first.headers["Link"].startswith("</epcs?perPage=4&nextPageToken=")
        assert first.headers["Link"].endswith('>; rel="next"')
        assert first.headers["GS1-Next-Page-Token-Expires"].endswith("Z")

    @pytest.mark.usefixtures("demo")
    def test_small_vocabularies_page_too(self, client: TestClient, creds: Credentials) -> None:
        first = get(client, creds, "/bizSteps", perPage=40)
        url = first.headers["Link"].split(";")[0].strip("<>")
        second = client.get(url, headers=creds.headers)
        assert (first.json()["member"][-1], second.json()["member"]) == ("unpacking", ["void_shipping"])
        assert "Link" not in second.headers

    def test_a_last_page_has_no_link(self, client: TestClient, creds: Credentials) -> None:
        response = get(client, creds, "/eventTypes", perPage=5)
        assert ("Link" in response.headers, "GS1-Next-Page-Token-Expires" in response.headers) == (False, False)

    @pytest.mark.usefixtures("demo")
    def test_a_token_belongs_to_its_collection(self, client: TestClient, creds: Credentials) -> None:
        token = get(client, creds, "/epcs", perPage=2).headers["Link"].split("nextPageToken=")[1].split(">")[0]
        response = client.get("/readPoints", params={"nextPageToken": token}, headers=creds.headers)
        assert response.status_code == 400
        assert (response.json()["type"], response.json()["parameter"]) == (
            "epcisException:QueryParameterException",
            "nextPageToken",
        )

    @pytest.mark.parametrize(
        ("_case", "params"), [("garbage token", {"nextPageToken": "3A1550"}), ("perPage 0", {"perPage": "0"})]
    )
    def test_bad_paging_parameters_are_400(
        self, client: TestClient, creds: Credentials, _case: str, params: dict[str, str]
    ) -> None:
        response = client.get("/bizSteps", params=params, headers=creds.headers)
        assert response.status_code == 400
        assert response.json()["parameter"] == next(iter(params))

    def test_releasing_a_page_token_is_a_no_op(self, client: TestClient, creds: Credentials) -> None:
        response = client.delete("/nextPageToken/abc", headers=creds.headers)
        assert (response.status_code, response.content) == (204, b"")


class TestValueEvents:
    @pytest.mark.usefixtures("demo")
    @pytest.mark.parametrize(
        ("path", "expected"),
        [
            ("/eventTypes/AggregationEvent/events", ["1:pack", "2:pack", "3:pack"]),
            ("/bizSteps/shipping/events", SHIPPING),
            ("/bizSteps/urn:epcglobal:cbv:bizstep:retail_selling/events", ["1:sell", "2:sell", "3:sell"]),
            ("/dispositions/https://ref.gs1.org/cbv/Disp-conformant/events", ["1:inspect", "2:inspect", "3:inspect"]),
            ("/readPoints/urn:epc:id:sgln:6901234.00004.0/events", ["1:sell", "2:sell", "3:sell"]),
            (f"/bizLocations/{quote(MARKET, safe='')}/events", [f"{b}:receive-market" for b in (1, 2, 3)]),
            (f"/epcs/{PIG}/events", PIG_1001),
            (f"/epcs/{quote(PIG_DL, safe='')}/events", PIG_1001),
            (f"/epcs/{PALLET_1}/events", ["1:pack", "1:ship-plant", "1:receive-market"]),
            ("/bizSteps/holding/events", []),
        ],
    )  # fmt: skip
    def test_events_of_a_value(self, client: TestClient, creds: Credentials, path: str, expected: list[str]) -> None:
        assert labels(client, creds, path) == expected

    @pytest.mark.usefixtures("demo")
    def test_query_parameters_narrow_a_values_events(self, client: TestClient, creds: Credentials) -> None:
        assert labels(client, creds, f"/epcs/{PIG}/events", EQ_bizStep="shipping|receiving") == [
            "1:ship-farm",
            "1:receive-plant",
        ]
        assert labels(client, creds, "/readPoints/" + quote(PLANT, safe="") + "/events", eventType="ObjectEvent") == [
            "1:receive-plant",
            "1:ship-plant",
            "2:receive-plant",
            "2:ship-plant",
            "3:receive-plant",
            "3:ship-plant",
        ]

    @pytest.mark.usefixtures("demo")
    def test_events_page_with_a_link_under_the_encoded_value(self, client: TestClient, creds: Credentials) -> None:
        first = get(client, creds, f"/epcs/{PIG}/events", perPage=2)
        assert first.headers["Link"].startswith(f"</epcs/{quote(PIG_DL, safe='')}/events?perPage=2&nextPageToken=")
        seen = [e["eventID"] for e in returned_events(first.json())]
        link = first.headers["Link"]
        while link:
            page = client.get(link.split(";")[0].strip("<>"), headers=creds.headers)
            seen += [e["eventID"] for e in returned_events(page.json())]
            link = page.headers.get("Link", "")
        assert seen == [event_id("1", s) for s in ("commission", "inspect", "ship-farm", "receive-plant", "slaughter")]

    @pytest.mark.usefixtures("demo")
    def test_events_as_xml(self, client: TestClient, creds: Credentials) -> None:
        response = client.get("/bizSteps/packing/events", headers={**creds.headers, "Accept": "application/xml"})
        assert response.status_code == 200
        assert response.headers["content-type"] == "application/xml"
        assert response.text.count("<AggregationEvent>") == 3

    @pytest.mark.usefixtures("demo")
    @pytest.mark.parametrize(
        ("path", "parameter"),
        [
            ("/bizSteps/shipping/events?EQ_bizStep=receiving", "EQ_bizStep"),
            (f"/epcs/{PIG}/events?MATCH_anyEPC={PIG}", "MATCH_anyEPC"),
            ("/eventTypes/ObjectEvent/events?eventType=ObjectEvent", "eventType"),
            ("/readPoints/urn:epc:id:sgln:6901234.00004.0/events?EQ_noSuchThing=1", "EQ_noSuchThing"),
        ],
    )
    def test_a_bad_or_repeated_parameter_is_400(
        self, client: TestClient, creds: Credentials, path: str, parameter: str
    ) -> None:
        response = client.get(path, headers=creds.headers)
        assert response.status_code == 400
        assert (response.json()["type"], response.json()["parameter"]) == (
            "epcisException:QueryParameterException",
            parameter,
        )


class TestValues:
    @pytest.mark.usefixtures("demo")
    @pytest.mark.parametrize(
        "path",
        [
            "/eventTypes/TransformationEvent",
            "/bizSteps/holding",
            "/bizSteps/urn:epcglobal:cbv:bizstep:shipping",
            "/dispositions/in_transit",
            f"/epcs/{PIG}",
            f"/epcs/{quote(PIG_DL, safe='')}",
            f"/readPoints/{quote(SHOP, safe='')}",
            "/bizLocations/urn:epc:id:sgln:6901234.00001.0",
        ],
    )
    def test_a_known_value_has_its_events(self, client: TestClient, creds: Credentials, path: str) -> None:
        assert members(client, creds, path) == ["events"]

    @pytest.mark.usefixtures("demo")
    @pytest.mark.parametrize(
        "path",
        [
            "/eventTypes/FooEvent",
            "/eventTypes/FooEvent/events",
            "/bizSteps/weighing",
            "/bizSteps/https://example.org/steps/custom/events",
            "/dispositions/urn:epcglobal:cbv:disp:nonsense",
            "/epcs/urn:epc:id:sgtin:6901234.012345.9999",
            "/epcs/urn:epc:id:sgtin:6901234.012345.9999/events",
            "/epcs/urn:epc:class:lgtin:6901234.022222.L20261001/events",
            f"/readPoints/{quote(PIG_DL, safe='')}/events",
            f"/bizLocations/{quote(SHOP, safe='')}",
            "/epcs/",
        ],
    )
    def test_an_unknown_value_is_404(self, client: TestClient, creds: Credentials, session: Session, path: str) -> None:
        # when
        response = client.get(path, headers=creds.headers)
        # then
        assert response.status_code == 404
        assert response.json()["type"] == "epcisException:NoSuchNameException"
        assert session.scalar(select(func.count()).select_from(Event)) == 27

    def test_values_need_a_token(self, client: TestClient) -> None:
        assert client.get("/bizSteps/shipping/events").status_code == 401
        assert client.get("/bizSteps/shipping").status_code == 401


def test_the_root_lists_the_top_level_resources(client: TestClient) -> None:
    body = client.get("/").json()
    assert (body["@context"], body["type"]) == (CONTEXT, "Collection")
    assert body["member"] == [
        "queries",
        "capture",
        "events",
        "eventTypes",
        "epcs",
        "readPoints",
        "bizLocations",
        "dispositions",
        "bizSteps",
    ]
