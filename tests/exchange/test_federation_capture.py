"""Federation inside one node (both databases): what a child node's capture does here (provenance kept, events
credited to their recorders' mirrors, and only within the child's region), what the outbox queues by the catalog's
rules, and how the sender records answers and failures. The real multi-node runs are ``tests/federation``."""

import io
from datetime import timedelta
from typing import Any

import httpx
import orjson
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from tests.catalog.test_catalog_versions import local_release
from tests.conftest import Credentials
from tests.support.epcis import document, object_event
from zhuisu.capture import service as capture_service
from zhuisu.capture.service import PROVENANCE
from zhuisu.catalog import coverage
from zhuisu.catalog import service as catalog_service
from zhuisu.config import Settings
from zhuisu.db.session import unit_of_work
from zhuisu.exchange.federation import sender, service
from zhuisu.kit.time import utc_now
from zhuisu.ledger.keys import generate_key
from zhuisu.models import (
    Event,
    EventOrigin,
    FederationChild,
    FederationLink,
    FederationOutbox,
    FederationParty,
    LedgerFollowedLog,
    Party,
)
from zhuisu.oversight import evaluation
from zhuisu.parties import masterdata
from zhuisu.parties import service as parties_service

MAKER = {
    "id": "a" * 32,
    "name": "示范市甲乳业有限公司",
    "uscc": None,
    "gln": "6901234000054",
    "region": "370102",
    "party_type": "enterprise",
    "roles": ["producer"],
    "product_class": "food.dairy.local_yoghurt",
}


def _provenance(events: list[dict[str, Any]], recorder: dict[str, Any]) -> dict[str, Any]:
    return {
        e["eventID"]: {
            "node": "city-a.example/ledger",
            "nodeURL": "https://city-a.example",
            "recordTime": "2026-12-01T02:00:00.123Z",
            "recorder": recorder,
            "hash": f"ni:///sha-256;{'0' * 64}?ver=CBV2.0",
            "withheld": [],
        }
        for e in events
    }


@pytest.fixture
def node(maker: sessionmaker[Session]) -> Credentials:
    """City A's node, registered here with its region."""
    with unit_of_work(maker) as s:
        party, secret = service.add_child(s, name="示范市A追溯平台", region="370100")
        return Credentials(party.id, secret)


def _send(client: TestClient, token: str, events: list[dict[str, Any]], recorder: dict[str, Any]) -> Any:
    doc = document(*events)
    doc["epcisHeader"] = {PROVENANCE: _provenance(events, recorder)}
    headers = {"Authorization": f"Bearer {token}", "GS1-Capture-Error-Behaviour": "proceed"}
    answer = client.post("/capture", json=doc, headers=headers)
    assert answer.status_code == 202, answer.text
    return answer.json()


def test_a_childs_events_keep_their_provenance_and_are_credited_to_the_recorder(
    client: TestClient, session: Session, node: Credentials, admin: Credentials
) -> None:
    events = [object_event(1, eventID="urn:uuid:fed-1"), object_event(2, eventID="urn:uuid:fed-2")]
    answer = _send(client, node.token, events, MAKER)
    assert [o["status"] for o in answer["events"]] == ["captured", "captured"]
    recorders = session.execute(
        select(Event.event_id, Party.name, Party.id, Party.region, Party.product_class)
        .join(Party, Party.id == Event.recorder_id)
        .order_by(Event.id)
    ).all()
    # the mirror keeps the city's id, name and region; its local class is narrowed to the nearest one known here
    assert [tuple(r) for r in recorders] == [
        ("urn:uuid:fed-1", "示范市甲乳业有限公司", "a" * 32, "370102", "food.dairy"),
        ("urn:uuid:fed-2", "示范市甲乳业有限公司", "a" * 32, "370102", "food.dairy"),
    ]
    mirrored = session.scalars(select(FederationParty)).all()
    assert [(m.node, m.remote_id, m.party_id) for m in mirrored] == [("city-a.example/ledger", "a" * 32, "a" * 32)]
    origin = client.get("/exchange/origins/urn:uuid:fed-1", headers=admin.headers).json()
    assert (origin["node"], origin["recordTime"], origin["recorder"]["gln"], origin["via"]["name"]) == (
        "city-a.example/ledger",
        "2026-12-01T02:00:00.123000+00:00",
        "6901234000054",
        "示范市A追溯平台",
    )
    child = session.get_one(FederationChild, node.party_id)
    assert child.received == 2
    # the same recorder again: the same mirror, no second party
    _send(client, node.token, [object_event(3, eventID="urn:uuid:fed-3")], MAKER)
    assert session.scalar(select(Party.id).where(Party.name == "示范市甲乳业有限公司").limit(2)) == "a" * 32
    assert len(session.scalars(select(Party).where(Party.name == "示范市甲乳业有限公司")).all()) == 1


def test_provenance_from_anyone_but_a_node_is_ignored(client: TestClient, session: Session, creds: Credentials) -> None:
    event = object_event(4, eventID="urn:uuid:fed-4")
    answer = _send(client, creds.token, [event], MAKER)
    assert [o["status"] for o in answer["events"]] == ["captured"]
    assert session.scalar(select(Event.recorder_id).where(Event.event_id == "urn:uuid:fed-4")) == creds.party_id
    assert session.scalars(select(EventOrigin)).all() == []
    assert session.get(Party, "a" * 32) is None


def test_a_child_speaks_only_for_its_own_regions_parties(
    client: TestClient, session: Session, maker: sessionmaker[Session], node: Credentials
) -> None:
    with unit_of_work(maker) as s:
        beijing = parties_service.create_party(s, name="北京某食品有限公司", uscc="91110000600037341L", region="110105")
        jinan = parties_service.create_party(s, name="济南某超市", gln="6901234000078", region="370103")
        ids = (beijing.id, jinan.id)
    forged = {**MAKER, "id": "b" * 32, "name": "冒名企业", "uscc": "91110000600037341L", "gln": None}
    local = {**MAKER, "id": "c" * 32, "name": "济南某超市（市平台登记）", "gln": "6901234000078"}
    _send(client, node.token, [object_event(5, eventID="urn:uuid:fed-5")], forged)
    _send(client, node.token, [object_event(6, eventID="urn:uuid:fed-6")], local)
    credited = {e: r for e, r in session.execute(select(Event.event_id, Event.recorder_id))}
    assert credited["urn:uuid:fed-5"] != ids[0]  # never the Beijing company
    assert credited["urn:uuid:fed-6"] == ids[1]  # the Jinan supermarket both levels know
    impostor = session.get_one(Party, credited["urn:uuid:fed-5"])
    assert (impostor.name, impostor.uscc, impostor.region) == ("冒名企业", None, "370102")


def test_a_node_is_held_to_this_nodes_catalog_rules(
    client: TestClient, session: Session, maker: sessionmaker[Session], node: Credentials
) -> None:
    with unit_of_work(maker) as s:
        masterdata.register_product(s, name="纯牛奶", class_id="food.dairy", gtin="06901234567892")
    made = object_event(
        7,
        eventID="urn:uuid:fed-7",
        action="ADD",
        bizStep="commissioning",
        epcList=["https://id.gs1.org/01/06901234567892/21/1"],
    )
    answer = _send(client, node.token, [made, object_event(8, eventID="urn:uuid:fed-8")], MAKER)
    assert [(o["eventID"], o["status"]) for o in answer["events"]] == [
        ("urn:uuid:fed-7", "rejected"),
        ("urn:uuid:fed-8", "captured"),
    ]
    assert {e["code"] for e in answer["events"][0]["errors"]} == {"missing_data_element"}
    assert session.scalars(select(Event.event_id).order_by(Event.id)).all() == ["urn:uuid:fed-8"]


@pytest.fixture
def linked(maker: sessionmaker[Session], settings: Settings) -> str:
    """This node linked to a parent (nothing listens there: the sender's answers are given by the tests)."""
    _, witness_vkey = generate_key("province.example/ledger/witness")
    parent = service.NodeIdentity(
        "示范省追溯平台", "province.example/ledger", "", witness_vkey, "https://province.example"
    )
    with unit_of_work(maker) as s:
        return service.create_link(s, parent_url="https://province.example", token="zs_t", parent=parent).id


def test_the_outbox_follows_the_catalog_upward_and_withhold(
    maker: sessionmaker[Session], settings: Settings, linked: str, creds: Credentials
) -> None:
    kept_here = {"id": "food.store_bakery", "name": "门店现烤食品", "parent": "food", "upward": "none"}
    private = {"id": "food.contract", "name": "订单食品", "parent": "food", "withhold": ["bizTransactionList", "ilmd"]}
    with unit_of_work(maker) as s:
        catalog_service.load_release(s, local_release(classes=[kept_here, private], rules=[], elements={}))
        masterdata.register_product(s, name="面包", class_id="food.store_bakery", gtin="06901234000016")
        masterdata.register_product(s, name="订单米", class_id="food.contract", gtin="06901234000023")
        actor = s.get_one(Party, creds.party_id)
        # storing: no rule of the food classes asks it for anything
        stored = {"bizStep": "storing", "disposition": "in_progress"}
        bread = object_event(
            9, eventID="urn:uuid:bread", epcList=["https://id.gs1.org/01/06901234000016/21/1"], **stored
        )
        rice = object_event(
            10,
            eventID="urn:uuid:rice",
            epcList=["https://id.gs1.org/01/06901234000023/21/1"],
            **stored,
            bizTransactionList=[{"type": "po", "bizTransaction": "urn:epcglobal:cbv:bt:6901234000016:PO-1"}],
        )
        result = capture_service.capture_document(
            s, document(bread, rice, object_event(11, eventID="urn:uuid:other")), actor=actor
        )
        assert [o.status for o in result.outcomes] == ["captured"] * 3, result.outcomes
    with unit_of_work(maker) as s:
        queued = s.execute(
            select(Event.event_id, FederationOutbox.withheld)
            .select_from(FederationOutbox)
            .join(Event, Event.id == FederationOutbox.event_pk)
            .order_by(FederationOutbox.id)
        ).all()
        assert [tuple(q) for q in queued] == [("urn:uuid:rice", ["bizTransactionList", "ilmd"]), ("urn:uuid:other", [])]
    sent: list[Any] = []

    def post(url: str, token: str, body: bytes) -> tuple[int, Any]:
        doc = orjson.loads(body)
        sent.append((url, token, doc))
        outcomes = [
            {"index": i, "eventID": e["eventID"], "status": "captured", "errors": []}
            for i, e in enumerate(doc["epcisBody"]["eventList"])
        ]
        return 202, {"events": outcomes}

    [done] = sender.round_(maker, settings, post)
    assert (done.sent, done.refused, done.batches, done.error) == (2, 0, 1, "")
    [(url, token, doc)] = sent
    assert (url, token) == ("https://province.example/capture", "zs_t")
    rice_sent = doc["epcisBody"]["eventList"][0]
    assert ("bizTransactionList" in rice_sent, rice_sent["eventID"]) == (False, "urn:uuid:rice")
    provenance = doc["epcisHeader"][PROVENANCE]["urn:uuid:rice"]
    assert (provenance["withheld"], provenance["recorder"]["name"]) == (
        ["bizTransactionList", "ilmd"],
        "测试食品有限公司",
    )
    # rows the parent accepted are kept a week, then swept by a later round
    with unit_of_work(maker) as s:
        s.execute(update(FederationOutbox).values(sent_at=utc_now() - timedelta(days=8)))
        rice_pk = s.scalar(select(Event.id).where(Event.event_id == "urn:uuid:rice"))
        s.execute(update(FederationOutbox).where(FederationOutbox.event_pk == rice_pk).values(sent_at=utc_now()))
    sender.round_(maker, settings, post)
    with unit_of_work(maker, write=False) as s:
        left = s.execute(select(FederationOutbox.event_pk, FederationOutbox.state)).all()
        assert [tuple(r) for r in left] == [(rice_pk, "sent")]


def test_a_parent_that_cannot_be_reached_is_tried_again_later(
    maker: sessionmaker[Session], settings: Settings, linked: str, creds: Credentials
) -> None:
    with unit_of_work(maker) as s:
        actor = s.get_one(Party, creds.party_id)
        capture_service.capture_document(s, document(object_event(12, eventID="urn:uuid:wait")), actor=actor)

    def down(url: str, token: str, body: bytes) -> tuple[int, Any]:
        raise httpx.ConnectError("connection refused")

    before = utc_now()
    [failed] = sender.round_(maker, settings, down)
    assert (failed.sent, failed.error) == (0, "the parent cannot be reached: ConnectError: connection refused")
    with unit_of_work(maker, write=False) as s:
        link = s.get_one(FederationLink, linked)
        assert (link.failures, link.sent) == (1, 0)
        assert link.next_attempt_at is not None
        assert timedelta(seconds=1) <= link.next_attempt_at - before < timedelta(seconds=3)
        pending = s.scalars(select(FederationOutbox.state)).all()
        assert pending == ["pending"]
    [skipped] = sender.round_(maker, settings, down)  # not due yet: not even tried
    assert skipped.skipped
    refused_all = sender.round_(
        maker,
        settings,
        lambda url, token, body: (401, {"detail": "invalid token"}),
        now=utc_now() + timedelta(seconds=5),
    )
    assert refused_all[0].error == "the parent answered 401: invalid token"
    with unit_of_work(maker, write=False) as s:
        assert s.get_one(FederationLink, linked).failures == 2
        assert s.scalars(select(FederationOutbox.state)).all() == ["pending"]


def test_a_child_cannot_take_over_another_childs_log(
    client: TestClient, session: Session, maker: sessionmaker[Session], node: Credentials
) -> None:
    with unit_of_work(maker) as s:
        other_party, other_token = service.add_child(s, name="示范市B追溯平台", region="370200")
    _, vkey = generate_key("city-a.example/ledger")
    mine = client.post(
        "/exchange/link", json={"log_vkey": vkey, "base_url": "https://city-a.example"}, headers=node.headers
    )
    assert (mine.status_code, mine.json()["origin"]) == (200, "city-a.example/ledger")
    _, forged = generate_key("city-a.example/ledger")
    taken = client.post(
        "/exchange/link",
        json={"log_vkey": forged, "base_url": "https://city-b.example"},
        headers={"Authorization": f"Bearer {other_token}"},
    )
    assert (taken.status_code, taken.json()["code"]) == (409, "node_link_exists")
    followed = session.execute(select(LedgerFollowedLog.origin, LedgerFollowedLog.vkey)).all()
    assert [tuple(f) for f in followed] == [("city-a.example/ledger", vkey)]
    assert session.get_one(FederationChild, other_party.id).origin == ""


def test_the_first_claim_to_a_prefix_stands_and_regions_stay_the_childs(
    client: TestClient, session: Session, maker: sessionmaker[Session], node: Credentials
) -> None:
    with unit_of_work(maker) as s:
        _, other_token = service.add_child(s, name="示范市B追溯平台", region="370200")
    claim = [{"kind": "gs1", "prefix": "6901234"}]
    a = client.post(
        "/exchange/link",
        json={"log_vkey": generate_key("a.example/ledger")[1], "base_url": "https://a.example", "directory": claim},
        headers=node.headers,
    )
    b = client.post(
        "/exchange/link",
        json={"log_vkey": generate_key("b.example/ledger")[1], "base_url": "https://b.example", "directory": claim},
        headers={"Authorization": f"Bearer {other_token}"},
    )
    assert (a.status_code, b.status_code) == (200, 200)
    listed = client.get("/exchange/directory").json()
    assert sorted((e["kind"], e["prefix"], e["url"]) for e in listed) == [
        ("gs1", "6901234", "https://a.example"),
        ("region", "3701", "https://a.example"),
        ("region", "3702", "https://b.example"),
    ]
    # an enterprise a child describes as being in another city keeps no region here
    elsewhere = {**MAKER, "id": "d" * 32, "name": "外地企业", "gln": None, "region": "440305"}
    _send(client, node.token, [object_event(20, eventID="urn:uuid:fed-20")], elsewhere)
    assert session.get_one(Party, "d" * 32).region is None


def test_a_child_cannot_record_as_another_childs_enterprise(
    client: TestClient, session: Session, maker: sessionmaker[Session], node: Credentials
) -> None:
    with unit_of_work(maker) as s:
        other, other_token = service.add_child(s, name="示范市B追溯平台", region="370200")
    # B tells of its supermarket first
    shop = {**MAKER, "id": "e" * 32, "name": "示范市乙超市", "gln": None, "region": "370202"}
    b_doc = document(object_event(30, eventID="urn:uuid:fed-30"))
    b_doc["epcisHeader"] = {PROVENANCE: {"urn:uuid:fed-30": {"node": "city-b.example/ledger", "recorder": shop}}}
    headers = {"Authorization": f"Bearer {other_token}", "GS1-Capture-Error-Behaviour": "proceed"}
    assert client.post("/capture", json=b_doc, headers=headers).status_code == 202
    # A claims the same node and id for its own event: it stays A's node's, not B's supermarket's
    a_doc = document(object_event(31, eventID="urn:uuid:fed-31"))
    a_doc["epcisHeader"] = {PROVENANCE: {"urn:uuid:fed-31": {"node": "city-b.example/ledger", "recorder": shop}}}
    headers = {"Authorization": f"Bearer {node.token}", "GS1-Capture-Error-Behaviour": "proceed"}
    assert client.post("/capture", json=a_doc, headers=headers).status_code == 202
    credited = {e: r for e, r in session.execute(select(Event.event_id, Event.recorder_id))}
    assert (credited["urn:uuid:fed-30"], credited["urn:uuid:fed-31"]) == ("e" * 32, node.party_id)
    assert other.id != node.party_id


def _send_recorded_at(client: TestClient, token: str, event: dict[str, Any], record_time: str) -> None:
    """``event`` reported by the node ``token`` is, as recorded by MAKER at the city at ``record_time``."""
    doc = document(event)
    origin = {"node": "city-a.example/ledger", "recordTime": record_time, "recorder": MAKER}
    doc["epcisHeader"] = {PROVENANCE: {event["eventID"]: origin}}
    headers = {"Authorization": f"Bearer {token}", "GS1-Capture-Error-Behaviour": "proceed"}
    assert client.post("/capture", json=doc, headers=headers).status_code == 202


def test_timeliness_at_the_parent_is_the_recorders_not_the_federations(
    client: TestClient, session: Session, node: Credentials
) -> None:
    # recorded at the city two hours after it happened; it reaches this node months later
    event = object_event(40, eventID="urn:uuid:fed-40", eventTime="2026-03-01T08:00:00+08:00")
    _send_recorded_at(client, node.token, event, "2026-03-01T02:00:00Z")
    rows = evaluation.evaluate(session, window_days=30).enterprises
    assert [(r.name, r.events, r.median_delay_hours, r.within_24h) for r in rows] == [
        ("示范市甲乳业有限公司", 1, 2.0, 1.0)
    ]


def test_the_evaluation_ranks_the_reporting_nodes_and_names_each_rows_node(
    client: TestClient, session: Session, node: Credentials, creds: Credentials
) -> None:
    """A province's evaluation: each enterprise and region names the city node that reported it, and the nodes are
    ranked as regions are — the province's own enterprises under None (``this node``)."""
    late = object_event(41, eventID="urn:uuid:fed-41", eventTime="2026-03-01T08:00:00+08:00")
    _send_recorded_at(client, node.token, late, "2026-03-04T00:00:00Z")  # three days after it happened
    session.execute(update(Party).where(Party.id == creds.party_id).values(region="370000"))
    session.commit()
    own = object_event(42, eventID="urn:uuid:fed-42")  # recorded here, on time (its event time is "now")
    own["eventTime"] = utc_now().isoformat()
    assert client.post("/capture", json=document(own), headers=creds.headers).status_code == 202
    view = evaluation.evaluate(session, window_days=30)
    assert [(r.name, r.region, r.reported_by, r.within_24h) for r in view.enterprises] == [
        ("测试食品有限公司", "370000", None, 1.0),
        ("示范市甲乳业有限公司", "370102", "示范市A追溯平台", 0.0),
    ]
    assert [(r.region, r.reported_by) for r in view.regions] == [("370000", None), ("370102", "示范市A追溯平台")]
    assert [(r.rank, r.reported_by, r.enterprises, r.events, r.score) for r in view.nodes] == [
        (1, None, 1, 1, view.enterprises[0].score),
        (2, "示范市A追溯平台", 1, 1, view.enterprises[1].score),
    ]
    # Coverage names the same node on the row of its enterprises — also of one registered at the city outside its
    # region (its mirror here keeps no region: the region guard), which no region would attribute.
    outsider = {**MAKER, "id": "b" * 32, "name": "外市某乳业有限公司", "gln": "6901234000078", "region": "370202"}
    _send(client, node.token, [object_event(43, eventID="urn:uuid:fed-43")], outsider)
    rows = coverage.coverage(session, window_days=30)
    assert [(r.class_id, r.region, r.registered, r.active, r.reported_by) for r in rows] == [
        ("food", "", 1, 1, "示范市A追溯平台"),
        ("food", "370102", 1, 1, "示范市A追溯平台"),
    ]
    sheets = load_workbook(io.BytesIO(evaluation.to_xlsx(view))).sheetnames
    assert sheets == ["企业 Enterprises", "地区 Regions", "节点 Nodes"]
    nodes_sheet = load_workbook(io.BytesIO(evaluation.to_xlsx(view)))["节点 Nodes"]
    assert [row[-1] for row in nodes_sheet.iter_rows(values_only=True)] == [
        "上报节点 Reported by",
        "本节点 This node",
        "示范市A追溯平台",
    ]
