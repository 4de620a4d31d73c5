"""Recall orders end to end through the API: issue, confirmations by EPCIS events, completion, close."""

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.recall import world
from tests.recall.world import B_SITE, C_SITE, ITEMS, LOT, PGLN
from tests.support.epcis import document
from zhuisu.models import Recall


def _holders(body: dict[str, Any]) -> list[tuple[object, ...]]:
    return [(h["party"], h["region"], h["quantity_out"], h["quantity_confirmed"], h["status"]) for h in body["holders"]]


def test_completion_moves_as_holders_confirm(client: TestClient, maker: sessionmaker[Session]) -> None:
    # given
    cast = world.build(client, maker)
    issued = client.post("/recalls", json=world.order(), headers=cast.a.headers)
    assert issued.status_code == 201, issued.json()
    recall = issued.json()
    url = f"/recalls/{recall['id']}"
    assert (recall["kind"], recall["level"], recall["status"], recall["code"]) == ("voluntary", 2, "open", LOT)
    assert recall["impact"] == {
        "things": 5,
        "quantity_out": 4.0,
        "uom": None,
        "holders": 2,
        "regions": ["110105", "370602"],
    }
    assert _holders(recall) == [
        (PGLN + world.B_PGLN, "370602", 2.0, 0.0, "pending"),
        (PGLN + world.C_PGLN, "110105", 2.0, 0.0, "pending"),
    ]
    assert recall["completion"]["percent"] == 0.0
    # when B quarantines one item
    world.capture(client, cast.b, world.event(ITEMS[:1], B_SITE, 1, disposition="non_sellable_other"))
    body = client.get(url, headers=cast.a.headers).json()
    # then
    assert _holders(body)[0][3:] == (1.0, "partial")
    assert (body["completion"]["quantity_confirmed"], body["completion"]["percent"]) == (1.0, 25.0)
    # when B returns the other, A (not a holder) "quarantines" one of C's, C destroys both of its own
    world.capture(
        client,
        cast.b,
        world.event(ITEMS[1:2], B_SITE, 2, bizStep="shipping", disposition="returned", **world.BATCH),
    )
    world.capture(client, cast.a, world.event(ITEMS[2:3], world.A_SITE, 3, disposition="recalled"))
    body = client.get(url, headers=cast.a.headers).json()
    assert body["completion"]["percent"] == 50.0
    assert [e["event_id"] for e in body["ignored"]] == ["urn:uuid:00000000-0000-4000-8000-000000000003"]
    world.capture(client, cast.c, world.event(ITEMS[2:], C_SITE, 4, bizStep="destroying", disposition="destroyed"))
    body = client.get(url, headers=cast.a.headers).json()
    assert _holders(body) == [
        (PGLN + world.B_PGLN, "370602", 2.0, 2.0, "confirmed"),
        (PGLN + world.C_PGLN, "110105", 2.0, 2.0, "confirmed"),
    ]
    assert body["completion"] | {"regions": None} == {
        "quantity_out": 4.0,
        "quantity_confirmed": 4.0,
        "ratio": 1.0,
        "percent": 100.0,
        "holders": 2,
        "holders_confirmed": 2,
        "holders_overdue": 0,
        "regions": None,
    }
    assert [(e["kind"], e["party"], e["things"]) for e in body["timeline"]] == [
        ("issued", "示范市甲乳业有限公司", 0),
        ("quarantined", "示范市乙超市", 1),
        ("returned", "示范市乙超市", 1),
        ("destroyed", "北京丙超市", 2),
    ]
    # when closed
    closed = client.post(f"{url}/close", json={"note": "全部召回"}, headers=cast.a.headers)
    assert closed.status_code == 200, closed.json()
    assert (closed.json()["status"], closed.json()["completion"]["percent"]) == ("closed", 100.0)
    again = client.post(f"{url}/close", json={}, headers=cast.a.headers)
    assert (again.status_code, again.json()["code"]) == (409, "recall_closed")


def test_a_holder_quarantines_what_it_was_told_to_recall_as_recalled(
    client: TestClient, maker: sessionmaker[Session]
) -> None:
    cast = world.build(client, maker)
    # before any recall order, B may not mark A's product recalled
    early = client.post(
        "/capture",
        json=document(world.event(ITEMS[:1], B_SITE, 1, disposition="recalled")),
        headers=cast.b.headers,
    )
    assert [e["code"] for e in early.json()["errors"]] == ["not_your_product"]
    recall_id = client.post("/recalls", json=world.order(), headers=cast.a.headers).json()["id"]
    # once the order names it as their holder, it may; not C's items, which B does not hold
    world.capture(client, cast.b, world.event(ITEMS[:2], B_SITE, 2, disposition="recalled"))
    others = client.post(
        "/capture",
        json=document(world.event(ITEMS[1:3], B_SITE, 3, disposition="recalled")),
        headers=cast.b.headers,
    )
    assert [e["code"] for e in others.json()["errors"]] == ["not_your_product"]
    body = client.get(f"/recalls/{recall_id}", headers=cast.a.headers).json()
    assert _holders(body)[0][3:] == (2.0, "confirmed")


def test_a_product_made_in_a_date_range(client: TestClient, maker: sessionmaker[Session], session: Session) -> None:
    cast = world.build(client, maker)
    # items 1–4 were made on 2026-11-01 08:00 Beijing time; the lot itself was not made here (only used)
    scope = {"product": world.GTIN, "since": "2026-11-01T00:00:00+08:00", "until": "2026-11-02T00:00:00+08:00"}
    issued = client.post("/recalls", json=world.order(code=None, **scope), headers=cast.regulator.headers)
    assert issued.status_code == 201, issued.json()
    body = issued.json()
    assert (body["kind"], body["code"], body["since"], body["until"]) == (
        "ordered",
        f"https://id.gs1.org/01/{world.GTIN}",
        "2026-10-31T16:00:00Z",
        "2026-11-01T16:00:00Z",
    )
    assert (body["impact"]["things"], body["impact"]["quantity_out"]) == (4, 4.0)
    assert [(h["party"], h["quantity_out"]) for h in body["holders"]] == [
        (PGLN + world.B_PGLN, 2.0),
        (PGLN + world.C_PGLN, 2.0),
    ]
    # nothing made the day after; a code and a product at once; a GTIN with a wrong check digit
    for fields, code in (
        ({"code": None, "product": world.GTIN, "since": "2026-11-02T00:00:00+08:00"}, "unknown_code"),
        ({"product": world.GTIN}, "invalid_request"),
        ({"code": None, "product": "06901234567893"}, "invalid_input"),
    ):
        refused = client.post("/recalls", json=world.order(**fields), headers=cast.regulator.headers)
        assert refused.status_code == 400, refused.json()
        assert refused.json()["code"] == code
    assert session.scalar(select(func.count()).select_from(Recall)) == 1


def _pack(parent: str, children: list[str], site: str, n: int, action: str = "ADD") -> dict[str, Any]:
    event = world.event([], site, n, action=action, parentID=parent, bizStep="packing", disposition="in_progress")
    event.pop("epcList")
    return event | {"type": "AggregationEvent"} | ({"childEPCs": children} if children else {})


def test_quarantining_a_case_confirms_what_is_in_it(client: TestClient, maker: sessionmaker[Session]) -> None:
    # given: B packed its two items in a case; C packed its two in another and emptied it again
    cast = world.build(client, maker)
    case_b, case_c = "https://id.gs1.org/00/069012340000001013", "https://id.gs1.org/00/069012340000001020"
    world.capture(client, cast.b, _pack(case_b, ITEMS[:2], B_SITE, 1))
    world.capture(client, cast.c, _pack(case_c, ITEMS[2:], C_SITE, 2), _pack(case_c, [], C_SITE, 3, action="DELETE"))
    recall_id = client.post("/recalls", json=world.order(), headers=cast.a.headers).json()["id"]
    # when: each quarantines its case, naming the case alone
    world.capture(client, cast.b, world.event([case_b], B_SITE, 4, disposition="recalled"))
    world.capture(client, cast.c, world.event([case_c], C_SITE, 5, disposition="recalled"))
    # then: B's two items are confirmed through its case; C's case was empty when quarantined
    body = client.get(f"/recalls/{recall_id}", headers=cast.a.headers).json()
    assert _holders(body) == [
        (PGLN + world.B_PGLN, "370602", 2.0, 2.0, "confirmed"),
        (PGLN + world.C_PGLN, "110105", 2.0, 0.0, "pending"),
    ]
    assert [(e["kind"], e["party"], e["things"], e["quantity"]) for e in body["timeline"][1:]] == [
        ("quarantined", "示范市乙超市", 2, 2.0),
    ]
    assert body["ignored"] == []
    # and C naming B's case is a non-holder's event: it counts nothing
    world.capture(client, cast.c, world.event([case_b], C_SITE, 6, disposition="recalled"))
    body = client.get(f"/recalls/{recall_id}", headers=cast.a.headers).json()
    assert [e["event_id"] for e in body["ignored"]] == ["urn:uuid:00000000-0000-4000-8000-000000000006"]
    assert body["completion"]["quantity_confirmed"] == 2.0
