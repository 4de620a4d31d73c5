"""What a producer records, on both databases through the app: mining output, separation (its REO balance checked),
sales and receipts, each one EPCIS event captured as the producer's; refused input names the field and stores
nothing; and the same through the producer's page and the desk's form (sign-in cookie and CSRF token)."""

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.sectors.rareearth.world import (
    GLN,
    ORE,
    OXIDE,
    USCC,
    World,
    count,
    lot,
    mining,
    quota,
    sale,
    separation,
    when,
)
from tests.support.signin import sign_in
from zhuisu.models import Event, RareEarthQuota


def _body(session: Session, event_id: str) -> dict[str, Any]:
    return session.scalars(select(Event.body).where(Event.event_id == event_id)).one()


def test_mining_output_is_a_commissioning_naming_the_quota(client: TestClient, world: World, session: Session) -> None:
    assert quota(client, world).status_code == 201
    response = mining(client, world, event_id="urn:uuid:10000000-0000-4000-8000-000000000001")
    assert response.status_code == 201, response.text
    assert response.json() == {
        "event_id": "urn:uuid:10000000-0000-4000-8000-000000000001",
        "status": "captured",
        "kind": "mining",
        "quota": "工信部联原〔2025〕1号",
        "reo_tonnes": 40.0,
        "input_reo_tonnes": None,
    }
    body = _body(session, "urn:uuid:10000000-0000-4000-8000-000000000001")
    code = lot(ORE, "K1")
    assert {k: body[k] for k in ("type", "action", "bizStep", "disposition", "quantityList", "ilmd", "zs:quota")} == {
        "type": "ObjectEvent",
        "action": "ADD",
        "bizStep": "commissioning",
        "disposition": "active",
        "quantityList": [{"epcClass": code, "quantity": 100, "uom": "TNE"}],
        "ilmd": {"zs:reoContent": {code: 40.0}},
        "zs:quota": "工信部联原〔2025〕1号",
    }
    assert (body["eventTime"], body["bizLocation"]) == (
        "2025-06-01T08:00:00.000+08:00",
        {"id": f"https://id.gs1.org/414/{GLN['mine_site']}"},
    )
    # the same eventID again is a duplicate, stored once
    again = mining(client, world, event_id="urn:uuid:10000000-0000-4000-8000-000000000001")
    assert (again.status_code, again.json()["status"], count(session, Event)) == (201, "duplicate", 1)


def test_separation_within_the_balance(client: TestClient, world: World, session: Session) -> None:
    # given: 100 t mined at 40 % REO (40 t REO)
    assert mining(client, world).status_code == 201
    # when: 40.2 t of REO out (0.5 % more: the tolerance)
    response = separation(
        client,
        world,
        [{"product": ORE, "lot": "K1", "quantity": 100, "uom": "TNE"}],
        [{"product": OXIDE, "lot": "Y1", "quantity": 40200, "uom": "KGM", "reo_content": 100}],
        event_id="urn:uuid:10000000-0000-4000-8000-000000000002",
    )
    # then
    assert response.status_code == 201, response.text
    assert (response.json()["reo_tonnes"], response.json()["input_reo_tonnes"], response.json()["quota"]) == (
        40.2,
        40.0,
        None,
    )
    body = _body(session, "urn:uuid:10000000-0000-4000-8000-000000000002")
    assert {k: body[k] for k in ("type", "bizStep", "inputQuantityList", "outputQuantityList", "ilmd")} == {
        "type": "TransformationEvent",
        "bizStep": "commissioning",
        "inputQuantityList": [{"epcClass": lot(ORE, "K1"), "quantity": 100, "uom": "TNE"}],
        "outputQuantityList": [{"epcClass": lot(OXIDE, "Y1"), "quantity": 40200, "uom": "KGM"}],
        "ilmd": {"zs:reoContent": {lot(OXIDE, "Y1"): 100.0}},
    }
    assert body["zs:inputReoContent"] == {lot(ORE, "K1"): 40.0}


def test_separation_out_of_balance_is_refused(client: TestClient, world: World, session: Session) -> None:
    assert mining(client, world).status_code == 201
    response = separation(
        client,
        world,
        [{"product": ORE, "lot": "K1", "quantity": 100, "uom": "TNE"}],
        [{"product": OXIDE, "lot": "Y1", "quantity": 60, "uom": "TNE", "reo_content": 99}],
    )
    assert response.status_code == 400
    assert (response.json()["field"], response.json()["detail"]) == (
        "outputs",
        "outputs：产出折稀土氧化物 59.4 吨，多于投入的 40 吨（容差 0.5%）：物料不平衡",
    )
    assert count(session, Event) == 1


@pytest.mark.parametrize(
    ("_case", "who", "fields", "field"),
    [
        ("another's site", "plant", {"site": GLN["mine_site"]}, "site"),
        ("no such site", "mine", {"site": "6900000000000"}, "site"),
        ("not an ore", "mine", {"product": OXIDE}, "product"),
        ("not registered", "mine", {"product": "06900000000000"}, "product"),
        ("a lot with a slash", "mine", {"lot": "K/1"}, "lot"),
        ("in the future", "mine", {"time": "2099-01-01T08:00:00+08:00"}, "time"),
        ("no REO content", "mine", {"reo_content": 0}, "reo_content"),
        ("more than all", "mine", {"reo_content": 101}, "reo_content"),
    ],
)
def test_refused_mining_stores_nothing(
    client: TestClient, world: World, session: Session, _case: str, who: str, fields: dict[str, Any], field: str
) -> None:
    body = {"site": GLN["mine_site"], **fields}
    response = mining(client, world, who=who, **body)
    assert response.status_code == 400, response.text
    assert field in (response.json().get("field") or str(response.json().get("errors")))
    assert count(session, Event) == 0


def test_an_input_of_unknown_content_is_refused(client: TestClient, world: World, session: Session) -> None:
    response = separation(
        client,
        world,
        [{"product": ORE, "lot": "ELSEWHERE", "quantity": 10}],
        [{"product": OXIDE, "lot": "Y1", "quantity": 1, "reo_content": 99}],
    )
    assert (response.status_code, response.json()["field"]) == (400, "inputs[0].reo_content")
    stated = separation(
        client,
        world,
        [{"product": ORE, "lot": "ELSEWHERE", "quantity": 10, "reo_content": 50}],
        [{"product": OXIDE, "lot": "Y1", "quantity": 1, "reo_content": 99}],
    )
    assert (stated.status_code, count(session, Event)) == (201, 1)


def test_a_sale_and_its_receipt(client: TestClient, world: World, session: Session) -> None:
    assert mining(client, world).status_code == 201
    goods = [{"product": ORE, "lot": "K1", "quantity": 50}]
    sold = sale(client, world, "mine", USCC["plant"], goods, event_id="urn:uuid:10000000-0000-4000-8000-000000000003")
    received = client.post(
        "/api/v1/rareearth/receipts",
        json={"site": GLN["plant_site"], "time": when(9), "seller": USCC["mine"], "goods": goods, "document": "INV-1"},
        headers=world.h("plant"),
    )
    assert (sold.status_code, received.status_code) == (201, 201), (sold.text, received.text)
    assert (sold.json()["reo_tonnes"], received.json()["reo_tonnes"]) == (20.0, 20.0)
    body = _body(session, "urn:uuid:10000000-0000-4000-8000-000000000003")
    assert {k: body[k] for k in ("bizStep", "disposition", "sourceList", "destinationList", "bizTransactionList")} == {
        "bizStep": "shipping",
        "disposition": "in_transit",
        "sourceList": [
            {"type": "owning_party", "source": f"https://id.gs1.org/417/{GLN['mine']}"},
            {"type": "location", "source": f"https://id.gs1.org/414/{GLN['mine_site']}"},
        ],
        "destinationList": [{"type": "owning_party", "destination": f"https://id.gs1.org/417/{GLN['plant']}"}],
        "bizTransactionList": [{"type": "inv", "bizTransaction": "urn:zhuisu:inv:INV-1"}],
    }
    # refused: to itself, to nobody known, an invoice number that is not ASCII
    for fields, field in (({"buyer": USCC["mine"]}, "buyer"), ({"buyer": "nobody"}, "buyer")):
        refused = sale(client, world, "mine", goods=goods, **fields)
        assert (refused.status_code, refused.json()["field"]) == (400, field)
    assert sale(client, world, "mine", USCC["plant"], goods, document="发票1").status_code == 400
    assert count(session, Event) == 3


def test_the_producer_page(client: TestClient, world: World, session: Session) -> None:
    # given: the mine's quota, the mine signed in
    assert quota(client, world, year=2026).status_code == 201
    csrf = sign_in(client, world.tokens["mine"])
    page = client.get("/console/rareearth")
    assert page.status_code == 200
    assert "工信部联原〔2025〕1号" in page.text
    # when: mining output from the form (a row of the separation form left blank but its unit)
    form = {"csrf_token": csrf, "site": GLN["mine_site"], "product": ORE, "lot": "K9", "quantity": "12",
            "uom": "TNE", "reo_content": "50"}  # fmt: skip
    done = client.post("/console/rareearth/mining", data=form, follow_redirects=False)
    # then: back to the page naming the event
    assert done.status_code == 303
    assert done.headers["location"].startswith("/console/rareearth?recorded=urn%3Auuid%3A")
    assert "urn:uuid:" in client.get(done.headers["location"]).text
    # and a separation out of balance is refused on the page, nothing stored
    bad = {
        **{"csrf_token": csrf, "site": GLN["mine_site"], "inputs-1-uom": "TNE", "outputs-0-reo_content": "99"},
        **{"inputs-0-product": ORE, "inputs-0-lot": "K9", "inputs-0-quantity": "12", "inputs-0-uom": "TNE"},
        **{"outputs-0-product": OXIDE, "outputs-0-lot": "Y9", "outputs-0-quantity": "7", "outputs-0-uom": "TNE"},
    }
    refused = client.post("/console/rareearth/separation", data=bad, follow_redirects=False)
    assert (refused.status_code, "物料不平衡" in refused.text, count(session, Event)) == (400, True, 1)
    assert client.post("/console/rareearth/mining", data={**form, "csrf_token": "x"}).status_code == 403


def test_the_desk_registers_a_quota(client: TestClient, world: World, session: Session) -> None:
    csrf = sign_in(client, world.tokens["regulator"])
    form = {"csrf_token": csrf, "party": USCC["plant"], "year": "2025", "kind": "separation", "quantity": "50",
            "uom": "TNE", "basis": "reo", "document_number": "工信部联原〔2025〕1号"}  # fmt: skip
    done = client.post("/dashboard/rareearth/quotas", data=form, follow_redirects=False)
    assert (done.status_code, done.headers["location"]) == (303, "/dashboard/rareearth?year=2025")
    desk = client.get("/dashboard/rareearth?year=2025")
    assert (desk.status_code, "示范稀土冶炼分离有限公司" in desk.text, 'id="quota-form"' in desk.text) == (
        200,
        True,
        True,
    )
    refused = client.post("/dashboard/rareearth/quotas", data={**form, "class_id": "food"})
    assert (refused.status_code, "class_id" in refused.text, count(session, RareEarthQuota)) == (400, True, 1)


def test_the_desk_shows_a_buyer_nothing(client: TestClient, world: World) -> None:
    assert quota(client, world).status_code == 201
    sign_in(client, world.tokens["buyer"])
    desk = client.get("/dashboard/rareearth?year=2025")
    assert desk.status_code == 200
    assert ("示范稀土矿业有限公司" in desk.text, 'id="quota-form"' in desk.text) == (False, False)
