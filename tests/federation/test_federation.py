"""City → province federation with real nodes: city A (SQLite) and city B (PostgreSQL) report to the province
(PostgreSQL), each its own process and database; a fourth node holds every event itself, as the reference.

A dairy maker in city A commissions three items and ships them to a supermarket in city B, which receives them and
sells one. At the province: every event arrives once, credited to its recorder (mirrored from the city), with its
provenance; trace and impact answer as the single node does; the cities' logs carry the province's cosignatures.
Then the province is killed while city A records a stream of events and started again: none is lost, none doubled,
in record-time order. An event the province's rules refuse is refused per event, kept in A's outbox with the
reason, and not retried; a forged token is refused; a city log that shows the province two histories raises an
alert on the province's desk.
"""

import base64
import json
import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from itertools import count
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text

from tests.conftest import create_database
from tests.federation.nodes import Node, gln, wait_for
from tests.support import pgserver
from tests.support.epcis import document
from zhuisu.ledger.checkpoint import Checkpoint
from zhuisu.ledger.cosignature import verify_cosignatures
from zhuisu.ledger.keys import parse_vkey
from zhuisu.ledger.note import sign
from zhuisu.ledger.witness import format_add_checkpoint

pytestmark = [pytest.mark.xdist_group("federation")]

A_GLN, B_GLN = gln("690123400005"), gln("690123400008")
GTIN = "06901234111118"
#: A dairy product the province registered (its rules ask a dairy commissioning for batch, dates); city A did not.
DAIRY_GTIN = "06901234567892"
ITEMS = [f"https://id.gs1.org/01/{GTIN}/21/{n}" for n in (1, 2, 3)]
#: Bread baked in A's shop: a class A's local catalog keeps at the city.
BAKERY_GTIN = "0" + gln("690123400031")
LOCAL_CATALOG = {
    "format": "zhuisu-catalog/1",
    "scope": "local",
    "region": "370100",
    "version": "2026.1",
    "effective_from": "2026-01-01",
    "title": "示范市A地方目录",
    "classes": [
        {
            "id": "food.store_bakery",
            "name": "门店现烤食品",
            "name_en": "Baked in store",
            "parent": "food",
            "upward": "none",
        }
    ],
}
_ids = count(1)


def _event(step: str, epcs: list[str], when: str, **extra: Any) -> dict[str, Any]:
    return {
        "type": "ObjectEvent",
        "eventID": f"urn:uuid:00000000-0000-4000-8000-{next(_ids):012d}",
        "eventTime": when,
        "eventTimeZoneOffset": "+08:00",
        "epcList": epcs,
        "action": "ADD" if step == "commissioning" else "OBSERVE",
        "bizStep": step,
        **extra,
    }


def _party(gln_: str) -> str:
    return f"https://id.gs1.org/417/{gln_}"


def _site(gln_: str) -> dict[str, str]:
    return {"id": f"https://id.gs1.org/414/{gln_}"}


@dataclass
class World:
    province: Node
    city_a: Node
    city_b: Node
    single: Node
    tokens: dict[str, str]
    #: The cities' node parties at the province.
    children: dict[str, str]
    #: City A's dairy maker (its id there).
    producer_a: str
    documents: dict[str, list[dict[str, Any]]]


def _chain() -> dict[str, list[dict[str, Any]]]:
    """The journey of the three items: what A records, then what B records."""
    trade = {
        "sourceList": [{"type": "owning_party", "source": _party(A_GLN)}],
        "destinationList": [{"type": "owning_party", "destination": _party(B_GLN)}],
    }
    made = _event("commissioning", ITEMS, "2026-12-01T08:00:00+08:00", bizLocation=_site(A_GLN))
    shipped = _event("shipping", ITEMS, "2026-12-01T10:00:00+08:00", bizLocation=_site(A_GLN), **trade)
    received = _event("receiving", ITEMS, "2026-12-01T15:00:00+08:00", bizLocation=_site(B_GLN), **trade)
    sold = _event(
        "retail_selling", ITEMS[:1], "2026-12-02T09:00:00+08:00", bizLocation=_site(B_GLN), disposition="retail_sold"
    )
    return {"a": [made, shipped], "b": [received, sold]}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, pg_server: pgserver.PgServer) -> Iterator[World]:
    tmp = tmp_path_factory.mktemp("federation")
    pid = os.getpid()
    province = Node("示范省追溯平台", tmp / "province", create_database(pg_server, f"fed_province_{pid}"))
    city_a = Node("示范市A追溯平台", tmp / "a", f"sqlite:///{tmp / 'a.db'}")
    city_b = Node("示范市B追溯平台", tmp / "b", create_database(pg_server, f"fed_b_{pid}"))
    single = Node("单节点", tmp / "single", f"sqlite:///{tmp / 'single.db'}")
    nodes = (province, city_a, city_b, single)
    for node in nodes:
        node.home.mkdir(parents=True)
        node.cli("db", "upgrade")
    a_at_province = province.cli_json("node", "add", city_a.name, "--region", "370100")
    b_at_province = province.cli_json("node", "add", city_b.name, "--region", "370200")
    province.cli("masterdata", "product", "示范纯牛奶", "--class", "food.dairy", "--gtin", DAIRY_GTIN)
    maker = ("示范市甲乳业有限公司", "--gln", A_GLN, "--region", "370102", "--type", "enterprise", "--role", "producer")
    shop = ("示范市乙超市", "--gln", B_GLN, "--region", "370202", "--type", "enterprise", "--role", "retailer")
    producer_a = city_a.party(*maker)
    tokens = {
        "province": province.admin(),
        "single": single.admin(),
        "a": producer_a[1],
        "b": city_b.party(*shop)[1],
        "single_a": single.party(*maker)[1],
        "single_b": single.party(*shop)[1],
        "a_node": a_at_province["token"],
        "b_node": b_at_province["token"],
        "a_admin": city_a.admin(),
    }
    try:
        for node in nodes:
            node.start()
        documents = _chain()
        for city, node in (("a", city_a), ("b", city_b)):
            if city == "a":  # A links after its first record: what it recorded before goes up too
                assert node.call("POST", "/capture", tokens["a"], json=document(documents["a"][0])).status_code == 202
                city_a.cli("node", "link", "--parent", province.url, "--token", a_at_province["token"])
            else:
                city_b.cli("node", "link", "--parent", province.url, "--token", b_at_province["token"])
            for event in documents[city]:
                assert (
                    node.call("POST", "/capture", tokens[city], json=document(event)).status_code == 202
                )  # A's first: a duplicate
                captured = single.call("POST", "/capture", tokens[f"single_{city}"], json=document(event))
                assert captured.status_code == 202, captured.text
        children = {"a": a_at_province["party_id"], "b": b_at_province["party_id"]}
        yield World(province, city_a, city_b, single, tokens, children, producer_a[0], documents)
    finally:
        for node in nodes:
            node.kill()


def _status(node: Node, token: str) -> dict[str, Any]:
    response = node.call("GET", "/exchange/status", token)
    assert response.status_code == 200, response.text
    return dict(response.json())


def _received(world: World) -> dict[str, int]:
    return {c["name"]: c["received"] for c in _status(world.province, world.tokens["province"])["children"]}


def _province_events(world: World) -> list[tuple[str, str]]:
    """(eventID, recorder's name) of every event at the province, in arrival order (straight from its database)."""
    engine = create_engine(world.province.database_url)
    try:
        with engine.connect() as c:
            rows = c.execute(
                text("SELECT e.event_id, p.name FROM events e JOIN parties p ON p.id = e.recorder_id ORDER BY e.id")
            )
            return [(str(r[0]), str(r[1])) for r in rows]
    finally:
        engine.dispose()


def test_the_cities_events_arrive_once_credited_to_their_recorders(world: World) -> None:
    wait_for(
        "the province to hold the cities' events",
        lambda: _received(world) == {world.city_a.name: 2, world.city_b.name: 2},
    )
    expected = [e["eventID"] for e in world.documents["a"] + world.documents["b"]]
    by_id = dict(_province_events(world))
    assert sorted(by_id) == sorted(expected)
    assert {by_id[e["eventID"]] for e in world.documents["a"]} == {"示范市甲乳业有限公司"}
    assert {by_id[e["eventID"]] for e in world.documents["b"]} == {"示范市乙超市"}
    wait_for("A's outbox to empty", lambda: _status(world.city_a, world.tokens["a_admin"])["links"][0]["sent"] == 2)
    [link] = _status(world.city_a, world.tokens["a_admin"])["links"]
    assert (link["outbox_depth"], link["sent"], link["refused"], link["last_error"]) == (0, 2, 0, None)


def test_enterprises_registered_in_a_city_are_known_at_the_province(world: World) -> None:
    # an enterprise that has recorded nothing yet counts in the province's coverage of A's city
    world.city_a.party("示范市丙食品厂", "--region", "370103", "--type", "enterprise", "--class", "food.rice")

    def at_province() -> list[tuple[str, str | None, str | None]]:
        parties = world.province.call("GET", "/api/v1/parties", world.tokens["province"]).json()
        return [(p["name"], p["region"], p["product_class"]) for p in parties if p["name"] == "示范市丙食品厂"]

    wait_for("the province to know the new enterprise", lambda: bool(at_province()))
    assert at_province() == [("示范市丙食品厂", "370103", "food.rice")]
    # the province's coverage counts it, and says which city reported it
    rows = world.province.call("GET", "/api/v1/coverage", world.tokens["province"], params={"region": "370103"}).json()
    assert [(r["class"], r["region"], r["registered"], r["active"], r["reported_by"]) for r in rows] == [
        ("food", "370103", 1, 0, world.city_a.name)
    ]


def test_provenance_names_the_node_record_time_and_recorder_at_origin(world: World) -> None:
    event = world.documents["a"][1]
    answer = world.city_a.call("GET", f"/events/{event['eventID']}", world.tokens["a"]).json()
    [at_origin] = answer["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    origin = world.province.call("GET", f"/exchange/origins/{event['eventID']}", world.tokens["province"]).json()
    assert origin["node"] == world.city_a.origin
    assert origin["nodeURL"] == world.city_a.url
    assert origin["recordTime"][:23] == at_origin["recordTime"][:23]
    assert (origin["recorder"]["name"], origin["recorder"]["gln"], origin["recorder"]["region"]) == (
        "示范市甲乳业有限公司",
        A_GLN,
        "370102",
    )
    assert origin["via"]["name"] == world.city_a.name
    assert origin["withheld"] == []
    here = world.city_a.call("GET", f"/exchange/origins/{event['eventID']}", world.tokens["a"]).json()
    assert (here["node"], here["via"], here["hash"]) == (world.city_a.origin, None, origin["hash"])


def _named(value: Any, names: dict[str, str]) -> Any:
    """``value`` with each party id replaced by the party's name (ids differ from node to node)."""
    if isinstance(value, dict):
        return {k: _named(v, names) for k, v in value.items()}
    if isinstance(value, list):
        return [_named(v, names) for v in value]
    return names.get(value, value) if isinstance(value, str) else value


def _names(node: Node, token: str) -> dict[str, str]:
    return {p["id"]: p["name"] for p in node.call("GET", "/api/v1/parties", token).json()}


@pytest.mark.parametrize(
    "path", [f"/trace/{ITEMS[0]}", f"/trace/{ITEMS[1]}/impact", f"/trace/{ITEMS[0]}?direction=back"]
)
def test_trace_and_impact_at_the_province_are_the_single_nodes(world: World, path: str) -> None:
    wait_for("the province to hold the cities' events", lambda: sum(_received(world).values()) >= 4)
    at_province = world.province.call("GET", path, world.tokens["province"])
    at_single = world.single.call("GET", path, world.tokens["single"])
    assert (at_province.status_code, at_single.status_code) == (200, 200)
    province = _named(at_province.json(), _names(world.province, world.tokens["province"]))
    single = _named(at_single.json(), _names(world.single, world.tokens["single"]))
    assert province == single
    assert len(province["things"]) >= 1


def test_a_recall_the_province_orders_reaches_the_holder_in_its_city(world: World) -> None:
    wait_for("the province to hold the cities' events", lambda: sum(_received(world).values()) >= 4)
    deadline = (datetime.now(UTC) + timedelta(days=7)).isoformat()
    order = {"code": ITEMS[1], "reason": "菌落总数超标", "level": 2, "deadline": deadline}
    issued = world.province.call("POST", "/recalls", world.tokens["province"], json=order)
    assert issued.status_code == 201, issued.text

    # B's worker relays it to B's supermarket, in the province's name, from B's own records
    def at_b() -> list[dict[str, Any]]:
        return list(world.city_b.call("GET", "/recalls", world.tokens["b"]).json())

    wait_for("the recall to reach city B", lambda: bool(at_b()))
    [relayed] = at_b()
    assert (relayed["code"], relayed["reason"], relayed["kind"], relayed["level"], relayed["status"]) == (
        ITEMS[1],
        "菌落总数超标",
        "ordered",
        2,
        "open",
    )
    assert relayed["issuer"]["name"] == world.province.name
    mine = world.city_b.call("GET", f"/recalls/{relayed['id']}", world.tokens["b"]).json()
    assert (mine["view"], [h["name"] for h in mine["holders"]]) == ("holder", ["示范市乙超市"])
    # city A holds none of it any more (it shipped them): nothing reaches A
    assert world.city_a.call("GET", "/recalls", world.tokens["a"]).json() == []
    # the province closes it: B's relay closes too
    closed = world.province.call(
        "POST", f"/recalls/{issued.json()['id']}/close", world.tokens["province"], json={"note": "已全部召回"}
    )
    assert closed.status_code == 200, closed.text
    wait_for("B's relay to close", lambda: at_b()[0]["status"] == "closed")


def test_a_blacklisting_at_the_province_reaches_the_enterprises_city(world: World) -> None:
    parties = world.province.call("GET", "/api/v1/parties", world.tokens["province"]).json()
    [shop] = [p["id"] for p in parties if p["name"] == "示范市乙超市"]
    entry = {
        "party": shop,
        "reason": "销售过期食品",
        "legal_basis": "《食品安全法》第一百三十四条",
        "starts_on": "2026-12-01",
    }
    listed = world.province.call("POST", "/api/v1/credit/blacklist", world.tokens["province"], json=entry)
    assert listed.status_code == 201, listed.text

    def public(node: Node) -> list[tuple[str, str, str]]:
        return [(e["name"], e["reason"], e["legal_basis"]) for e in node.call("GET", "/api/v1/portal/blacklist").json()]

    wait_for("city B to list it", lambda: bool(public(world.city_b)))
    assert public(world.city_b) == [("示范市乙超市", "销售过期食品", "《食品安全法》第一百三十四条")]
    assert public(world.city_a) == []  # not A's enterprise
    revoked = world.province.call(
        "POST",
        f"/api/v1/credit/blacklist/{listed.json()['id']}/revoke",
        world.tokens["province"],
        json={"reason": "整改完成"},
    )
    assert revoked.status_code == 200, revoked.text
    wait_for("city B to remove it", lambda: public(world.city_b) == [])


def test_the_cities_logs_carry_the_provinces_cosignature(world: World) -> None:
    witness = world.province.call("GET", "/exchange/node").json()["witness_vkey"]

    def cosigned(node: Node) -> bool:
        return bool(verify_cosignatures(node.call("GET", "/ledger/checkpoint").text, [witness]))

    wait_for("the cities' checkpoints to be cosigned", lambda: cosigned(world.city_a) and cosigned(world.city_b))
    note = world.city_a.call("GET", "/ledger/checkpoint").text
    assert note.splitlines()[0] == world.city_a.origin
    assert f"— {world.province.origin}/witness " in note
    # the product page of a thing recorded in city A says who witnessed the log its records are in
    page = world.city_a.call("GET", f"/c/{ITEMS[2]}").text
    assert (
        f"Witnessed by <strong>{world.province.name}</strong>: it countersigned the log with every record above" in page
    )


def test_an_event_the_province_refuses_is_refused_once_with_its_reason(world: World) -> None:
    item = f"https://id.gs1.org/01/{DAIRY_GTIN}/21/77"
    event = _event("commissioning", [item], "2026-12-03T08:00:00+08:00", bizLocation=_site(A_GLN))
    assert world.city_a.call("POST", "/capture", world.tokens["a"], json=document(event)).status_code == 202

    def refused() -> list[dict[str, Any]]:
        return [r for r in _status(world.city_a, world.tokens["a_admin"])["links"] if r["refused"]]

    wait_for("the province to refuse the dairy event", lambda: bool(refused()))
    time.sleep(1)  # rounds go on: a refused event is not sent again
    [link] = _status(world.city_a, world.tokens["a_admin"])["links"]
    assert (link["refused"], link["outbox_depth"], link["last_error"]) == (1, 0, None)
    assert event["eventID"] not in dict(_province_events(world))
    refusals = world.city_a.cli_json("node", "list")["refused"]
    assert [(r["eventID"], sorted({e["code"] for e in r["errors"]})) for r in refusals] == [
        (event["eventID"], ["missing_data_element"])
    ]


def test_a_code_unknown_where_it_is_asked_is_sent_to_the_node_that_holds_it(world: World, tmp_path: Path) -> None:
    # A's maker is given its GS1 company prefix after A linked: A's next round tells the province
    world.city_a.cli("codes", "issuer", world.producer_a, "--gs1-prefix", "6901234")

    def directory() -> list[tuple[str, str, str]]:
        return [(e["kind"], e["prefix"], e["url"]) for e in world.province.call("GET", "/exchange/directory").json()]

    wait_for("the province to learn A's prefix", lambda: ("gs1", "6901234", world.city_a.url) in directory())
    assert sorted(directory()) == [
        ("gs1", "6901234", world.city_a.url),
        ("region", "3701", world.city_a.url),
        ("region", "3702", world.city_b.url),
    ]
    # A's own catalog keeps a class at the city (upward: none): what A records of it stays in A
    release = tmp_path / "local.json"
    release.write_text(json.dumps(LOCAL_CATALOG, ensure_ascii=False), encoding="utf-8")
    world.city_a.cli("catalog", "load", str(release))
    world.city_a.cli("masterdata", "product", "门店现烤面包", "--class", "food.store_bakery", "--gtin", BAKERY_GTIN)
    bread = f"https://id.gs1.org/01/{BAKERY_GTIN}/21/5"
    stored = _event("storing", [bread], "2026-12-03T09:00:00+08:00", bizLocation=_site(A_GLN))
    assert world.city_a.call("POST", "/capture", world.tokens["a"], json=document(stored)).status_code == 202
    [link] = _status(world.city_a, world.tokens["a_admin"])["links"]
    assert link["outbox_depth"] == 0
    # asked in B: B sends it up, the province (which never received it) to A, by A's prefix
    path = f"/01/{BAKERY_GTIN}/21/5"
    answer = world.city_b.call("GET", path, follow_redirects=True)
    assert [(r.status_code, r.headers["location"]) for r in answer.history] == [
        (307, f"{world.province.url}{path}?zs_hops=1"),
        (307, f"{world.city_a.url}{path}?zs_hops=2"),
    ]
    assert (answer.status_code, "门店现烤面包" in answer.text) == (200, True)
    # a code nobody holds ends in a 404 after the same two hops, never in a loop
    lost = world.city_b.call("GET", f"/01/{GTIN}/21/999", follow_redirects=True)
    assert ([r.status_code for r in lost.history], lost.status_code) == ([307, 307], 404)
    # machines asking for the linkset are redirected the same way; a code B holds is answered in B
    machine = world.city_b.call("GET", path, headers={"Accept": "application/linkset+json"})
    assert (machine.status_code, machine.headers["location"]) == (307, f"{world.province.url}{path}?zs_hops=1")
    assert world.city_b.call("GET", f"/01/{GTIN}/21/1").status_code == 200


def test_forged_or_foreign_credentials_are_refused(world: World) -> None:
    before = _province_events(world)
    event = _event("shipping", ITEMS, "2026-12-03T08:00:00+08:00")
    forged = world.province.call("POST", "/capture", "zs_forged", json=document(event))
    assert (forged.status_code, forged.json()["code"]) == (401, "invalid_token")
    not_a_node = world.province.call(
        "POST", "/exchange/link", world.tokens["province"], json={"log_vkey": "x", "base_url": "http://x"}
    )
    assert (not_a_node.status_code, not_a_node.json()["code"]) == (403, "node_only")
    assert _province_events(world) == before


def test_the_province_killed_mid_stream_loses_and_doubles_nothing(world: World) -> None:
    stream = [
        [
            _event("storing", [f"https://id.gs1.org/01/{GTIN}/21/s{d}-{n}"], "2026-12-04T08:00:00+08:00")
            for n in range(25)
        ]
        for d in range(8)
    ]
    ours = {e["eventID"] for events in stream for e in events}
    sent: list[str] = []
    answers: list[int] = []

    def arrived() -> list[str]:
        """The stream's events at the province, in arrival order (the fixture's may still be arriving too)."""
        return [e for e, _ in _province_events(world) if e in ours]

    def record() -> None:
        for events in stream:
            answers.append(world.city_a.call("POST", "/capture", world.tokens["a"], json=document(*events)).status_code)
            sent.extend(e["eventID"] for e in events)
            time.sleep(0.3)

    writer = threading.Thread(target=record)
    writer.start()
    wait_for("the stream to start arriving", lambda: len(arrived()) > 0)
    world.province.kill()
    seen: list[dict[str, Any]] = []

    def failed_once() -> bool:
        seen.append(_status(world.city_a, world.tokens["a_admin"])["links"][0])
        return bool(seen[-1]["failures_in_a_row"] >= 1)

    # The delivery worker notices the parent is gone on its next attempt; how soon depends on the machine's load.
    wait_for("a delivery to fail while the province is down", failed_once, timeout=30)
    down = seen[-1]
    world.province.start()
    writer.join()
    assert answers == [202] * 8
    assert down["failures_in_a_row"] >= 1
    assert down["last_error"].startswith("the parent cannot be reached")
    wait_for("the rest of the stream", lambda: len(arrived()) >= 200, timeout=90)
    assert arrived() == sent  # each once, in the order A recorded them
    everything = [e for e, _ in _province_events(world)]
    assert len(everything) == len(set(everything))
    wait_for(
        "A's outbox to drain", lambda: _status(world.city_a, world.tokens["a_admin"])["links"][0]["outbox_depth"] == 0
    )
    [link] = _status(world.city_a, world.tokens["a_admin"])["links"]
    assert (link["outbox_depth"], link["lag_seconds"], link["failures_in_a_row"]) == (0, 0.0, 0)


def test_an_event_the_province_lacks_is_found_by_reconciliation_and_reported_again(world: World) -> None:
    """An event reported to the province that it does not hold (here: its outbox row lost at A while the
    province was down; as well a province restored from an older backup) is found by A's reconciliation — an
    EPCIS query by eventID at the province with A's node token — and reported again, once, with its provenance."""
    [before] = _status(world.city_a, world.tokens["a_admin"])["links"]
    world.province.kill()
    lost = _event("storing", [f"https://id.gs1.org/01/{GTIN}/21/lost-1"], "2026-12-04T09:00:00+08:00")
    kept = _event("storing", [f"https://id.gs1.org/01/{GTIN}/21/lost-2"], "2026-12-04T09:01:00+08:00")
    answer = world.city_a.call("POST", "/capture", world.tokens["a"], json=document(lost, kept))
    assert answer.status_code == 202, answer.text
    engine = create_engine(world.city_a.database_url)
    try:
        with engine.begin() as c:
            gone = c.execute(
                text(
                    "DELETE FROM federation_outbox WHERE event_pk = "
                    "(SELECT event_pk FROM event_keys WHERE event_id = :e)"
                ),
                {"e": lost["eventID"]},
            )
            assert gone.rowcount == 1
    finally:
        engine.dispose()
    world.province.start()
    wait_for(
        "the lost event to be found and reported again",
        lambda: lost["eventID"] in [e for e, _ in _province_events(world)],
        timeout=90,
    )
    arrived = [e for e, _ in _province_events(world)]
    assert (arrived.count(lost["eventID"]), arrived.count(kept["eventID"])) == (1, 1)
    [link] = _status(world.city_a, world.tokens["a_admin"])["links"]
    assert link["reconcile_requeued"] - before["reconcile_requeued"] == 1
    assert link["reconcile_error"] is None
    origin = world.province.call("GET", f"/exchange/origins/{lost['eventID']}", world.tokens["province"]).json()
    assert (origin["node"], origin["recorder"]["gln"], origin["via"]["name"]) == (
        world.city_a.origin,
        A_GLN,
        world.city_a.name,
    )
    # What the node may read at the province is what it reported: not B's events.
    b_event = world.documents["b"][0]["eventID"]
    asked = world.province.call(
        "GET", "/events", world.tokens["a_node"], params={"EQ_eventID": f"{lost['eventID']}|{b_event}"}
    )
    listed = asked.json()["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    assert [e["eventID"] for e in listed] == [lost["eventID"]]


def _local(region: str, class_id: str, name: str) -> dict[str, Any]:
    return {
        "format": "zhuisu-catalog/1",
        "scope": "local",
        "region": region,
        "version": "2026.9",
        "effective_from": "2026-06-01",
        "title": f"{region} 地方目录",
        "classes": [{"id": class_id, "name": name, "name_en": class_id, "parent": "food"}],
    }


def test_the_provinces_catalog_releases_reach_the_cities_they_cover(world: World, tmp_path: Path) -> None:
    releases = {
        "province": _local("370000", "food.province_snack", "全省特色小吃"),
        "district": _local("370102", "food.district_snack", "历下区特色小吃"),  # a district of city A
    }
    for key, release in releases.items():
        path = tmp_path / f"{key}.json"
        path.write_text(json.dumps(release, ensure_ascii=False), encoding="utf-8")
        world.province.cli("catalog", "load", str(path))

    def labels(node: Node) -> set[str]:
        listed = node.call("GET", "/api/v1/catalog/releases").json()
        return {f"{r['scope']}:{r['region']}:{r['version']}" for r in listed if r["version"] == "2026.9"}

    wait_for("A to take both", lambda: labels(world.city_a) == {"local:370000:2026.9", "local:370102:2026.9"})
    wait_for("B to take the province's", lambda: labels(world.city_b) == {"local:370000:2026.9"})
    time.sleep(1)  # more rounds take nothing more, and B never takes city A's district's
    assert labels(world.city_b) == {"local:370000:2026.9"}
    classes = {c["id"] for c in world.city_b.call("GET", "/api/v1/catalog/classes").json()}
    assert ("food.province_snack" in classes, "food.district_snack" in classes) == (True, False)


def test_a_city_log_showing_two_histories_raises_an_alert(world: World) -> None:
    witnessed = world.province.call("GET", "/ledger/witness/checkpoint", params={"origin": world.city_a.origin})
    assert witnessed.status_code == 200
    size = int(witnessed.text.splitlines()[1])
    forged = Checkpoint(world.city_a.origin, size, b"\x07" * 32)
    skey = (Path(world.city_a.home) / "ledger.key").read_text().strip()
    body = format_add_checkpoint(size, [], sign(forged.text(), [skey]))
    answer = world.province.call("POST", "/ledger/witness/add-checkpoint", content=body.encode())
    assert answer.status_code == 409
    alerts = world.province.call("GET", "/alerts", world.tokens["province"], params={"rule": "split_view"}).json()
    assert [(a["rule"], a["severity"], a["party_id"], a["region"]) for a in alerts] == [
        ("split_view", "high", world.children["a"], "370100")
    ]
    assert parse_vkey(world.province.call("GET", "/exchange/node").json()["log_vkey"]).name == world.province.origin
    assert base64.b64decode(forged.text().splitlines()[2]) == b"\x07" * 32
