"""What a recall publishes and who sees it: the notice on the product page of every thing it reached (the cached
story made stale), the lanes of the recall list and detail (exact ids and holder lines), refused orders with
nothing written, and overdue holders."""

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.recall import world
from tests.recall.world import B_SITE, GTIN, ITEMS, LOT, PGLN
from zhuisu.kit.time import utc_now
from zhuisu.models import AuditEntry, PortalStory, Recall, RecallHolder, RecallThing
from zhuisu.recall import completion


def _counts(session: Session) -> tuple[int, int, int, int]:
    issued = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "recall_issued")
    return (
        int(session.scalar(select(func.count()).select_from(Recall)) or 0),
        int(session.scalar(select(func.count()).select_from(RecallHolder)) or 0),
        int(session.scalar(select(func.count()).select_from(RecallThing)) or 0),
        int(session.scalar(issued) or 0),
    )


def _issue(client: TestClient, who: world.Credentials, **fields: Any) -> dict[str, Any]:
    response = client.post("/recalls", json=world.order(**fields), headers=who.headers)
    assert response.status_code == 201, response.json()
    return dict(response.json())


def test_the_notice_shows_on_every_product_page_it_reached(
    client: TestClient, maker: sessionmaker[Session], session: Session
) -> None:
    cast = world.build(client, maker)
    item = ITEMS[3].removeprefix("https://id.gs1.org")
    before = client.get(f"/api/v1/portal/products{item}").json()
    assert (before["recalled"], before["recall_notices"]) == (False, [])
    assert session.scalar(select(PortalStory.stale).where(PortalStory.code == ITEMS[3])) is False
    # when the brand owner recalls the lot
    recall = _issue(client, cast.a, reason="菌落总数超标", advice="请停止食用并联系购买处退货")
    # then the item's cached story is stale, and built again with the notice
    session.expire_all()
    assert session.scalar(select(PortalStory.stale).where(PortalStory.code == ITEMS[3])) is True
    story = client.get(f"/api/v1/portal/products{item}").json()
    assert story["recalled"] is True
    assert [
        (n["id"], n["kind"], n["level"], n["status"], n["code"], n["reason"], n["advice"], n["issuer"])
        for n in story["recall_notices"]
    ] == [
        (
            recall["id"],
            "voluntary",
            2,
            "open",
            LOT,
            "菌落总数超标",
            "请停止食用并联系购买处退货",
            "示范市甲乳业有限公司",
        )
    ]
    page = client.get(f"/01/{GTIN}/21/4")
    assert page.status_code == 200
    text = page.text
    assert "召回公告 · 主动召回 · 二级" in text
    assert "原因：菌落总数超标" in text
    assert "消费者须知：请停止食用并联系购买处退货" in text
    assert "Recall notice · voluntary recall · level 2" in client.get(f"/01/{GTIN}/21/4", params={"lang": "en"}).text
    # a closed recall's notice says so, and the product is no longer shown as under recall
    assert client.post(f"/recalls/{recall['id']}/close", headers=cast.a.headers).status_code == 200
    story = client.get(f"/api/v1/portal/products{item}").json()
    assert (story["recalled"], [n["status"] for n in story["recall_notices"]]) == (False, ["closed"])
    assert "召回已结束" in client.get(f"/01/{GTIN}/21/4", params={"lang": "zh"}).text


def test_lanes(client: TestClient, maker: sessionmaker[Session], session: Session) -> None:
    cast = world.build(client, maker)
    voluntary = _issue(client, cast.a)["id"]
    ordered = _issue(client, cast.regulator, code=ITEMS[0], level=1)["id"]

    def listed(who: world.Credentials) -> list[str]:
        response = client.get("/recalls", headers=who.headers)
        assert response.status_code == 200, response.json()
        return [r["id"] for r in response.json()]

    newest_first = [ordered, voluntary]
    assert {
        key: listed(getattr(cast, key))
        for key in ("a", "b", "c", "d", "regulator", "regulator_elsewhere", "regulator_no_mandate", "admin")
    } == {
        "a": newest_first,  # the owner
        "b": newest_first,  # a holder of both
        "c": [voluntary],  # a holder of the lot's items 3 and 4 only
        "d": [],
        "regulator": newest_first,
        "regulator_elsewhere": [],
        "regulator_no_mandate": [],
        "admin": newest_first,
    }
    # the ordered recall is the regulator's (ordered, level 1); B sees only its own line of the lot's recall
    read = client.get(f"/recalls/{ordered}", headers=cast.a.headers).json()
    assert (read["kind"], read["level"], read["issuer"]["id"], read["view"]) == (
        "ordered",
        1,
        cast.regulator.party_id,
        "all",
    )
    mine = client.get(f"/recalls/{voluntary}", headers=cast.b.headers).json()
    assert mine["view"] == "holder"
    assert [(h["party"], h["quantity_out"]) for h in mine["holders"]] == [(PGLN + world.B_PGLN, 2.0)]
    assert (mine["impact"]["things"], mine["impact"]["quantity_out"], mine["impact"]["regions"]) == (2, 2.0, ["370602"])
    assert mine["ignored"] == []
    # others' recalls do not exist for them; a holder neither closes nor downloads the report
    for who, url in (
        (cast.d, f"/recalls/{voluntary}"),
        (cast.regulator_elsewhere, f"/recalls/{voluntary}"),
        (cast.c, f"/recalls/{ordered}"),
    ):
        response = client.get(url, headers=who.headers)
        assert (response.status_code, response.json()["code"]) == (404, "recall_not_found")
    for url in (f"/recalls/{voluntary}/close", f"/recalls/{voluntary}/report.xlsx"):
        response = client.request("POST" if url.endswith("close") else "GET", url, headers=cast.b.headers)
        assert (response.status_code, response.json()["code"]) == (403, "not_your_recall")
    for who in (cast.d, cast.regulator_elsewhere):  # nor do others (404), and nothing of the recall changed
        response = client.post(f"/recalls/{voluntary}/close", headers=who.headers)
        assert (response.status_code, response.json()["code"]) == (404, "recall_not_found")
    session.expire_all()
    closed = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "recall_closed")
    recall = session.get_one(Recall, voluntary)
    assert (recall.status, recall.closed_at, recall.final, session.scalar(closed)) == ("open", None, None, 0)


@pytest.mark.parametrize(
    ("_case", "who", "fields", "status", "code"),
    [
        ("unknown code", "a", {"code": f"https://id.gs1.org/01/{GTIN}/10/NOPE"}, 400, "unknown_code"),
        ("unrelated enterprise", "d", {}, 403, "not_your_product"),
        ("a holder", "b", {}, 403, "not_your_product"),
        ("regulator elsewhere", "regulator_elsewhere", {}, 403, "not_your_product"),
        ("regulator without the mandate", "regulator_no_mandate", {}, 403, "not_your_product"),
        ("the owner ordering", "a", {"kind": "ordered"}, 400, "invalid_input"),
        ("a deadline past", "a", {"deadline": "2026-01-01T00:00:00+08:00"}, 400, "invalid_input"),
        ("a deadline without its offset", "a", {"deadline": "2099-01-01T00:00:00"}, 400, None),
        ("a code nobody could read", "a", {"code": "  "}, 400, None),
        ("no such level", "a", {"level": 4}, 400, None),
    ],
)
def test_refused_orders_write_nothing(
    client: TestClient,
    maker: sessionmaker[Session],
    session: Session,
    _case: str,
    who: str,
    fields: dict[str, Any],
    status: int,
    code: str | None,
) -> None:
    cast = world.build(client, maker)
    response = client.post("/recalls", json=world.order(**fields), headers=getattr(cast, who).headers)
    assert response.status_code == status, response.json()
    if code:
        assert response.json()["code"] == code
    assert _counts(session) == (0, 0, 0, 0)
    story = client.get(f"/api/v1/portal/products{ITEMS[0].removeprefix('https://id.gs1.org')}").json()
    assert story["recall_notices"] == []


def test_a_holder_that_has_not_confirmed_by_the_deadline_is_overdue(
    client: TestClient, maker: sessionmaker[Session], session: Session
) -> None:
    cast = world.build(client, maker)
    recall_id = _issue(client, cast.a)["id"]
    world.capture(client, cast.b, world.event(ITEMS[:1], B_SITE, 1, disposition="non_sellable_other"))
    recall = session.get_one(Recall, recall_id)
    later = completion.read(session, recall, view="all", reader=None, now=recall.deadline + timedelta(seconds=1))
    assert [(h.name, h.quantity_confirmed, h.status) for h in later.holders] == [
        ("示范市乙超市", 1.0, "overdue"),
        ("北京丙超市", 0.0, "overdue"),
    ]
    assert (later.completion.holders_overdue, later.completion.percent) == (2, 25.0)
    now = completion.read(session, recall, view="all", reader=None, now=utc_now())
    assert [h.status for h in now.holders] == ["partial", "pending"]
