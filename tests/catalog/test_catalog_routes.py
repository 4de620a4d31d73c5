"""The catalog's JSON endpoints: classes, rules, elements, releases, flags."""

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.catalog.test_catalog_capture import CONTEXT, PRODUCTS, event, qty
from tests.catalog.test_catalog_versions import local_release
from tests.conftest import Credentials
from tests.support.epcis import document
from zhuisu.db.session import unit_of_work
from zhuisu.models import CatalogRelease, Party
from zhuisu.parties import masterdata
from zhuisu.parties import service as parties_service


def test_classes_and_rules(client: TestClient) -> None:
    classes = client.get("/api/v1/catalog/classes").json()
    assert [c["id"] for c in classes[:3]] == ["edible_agri", "edible_agri.meat", "edible_agri.vegetable"]
    drug = client.get("/api/v1/catalog/classes/drug.api").json()
    assert (drug["name"], drug["parent"], drug["coverage_target"]) == ("原料药", "drug", 0.98)
    assert [r["id"] for r in drug["rules"]] == ["drug.circulation", "drug.circulation.licence"]
    assert client.get("/api/v1/catalog/classes/toys").status_code == 400
    elements = client.get("/api/v1/catalog/elements").json()
    assert elements["e_waybill"]["name"] == "电子运单号"
    rules = client.get("/api/v1/catalog/rules", params={"class": "hazardous.fireworks"}).json()
    assert [(r["id"], r["elements"], r.get("interlocks")) for r in rules] == [
        ("hazardous.transport", ["e_waybill", "permit"], None),
        ("hazardous.destruction", [], ["destruction_witnessed"]),
    ]


def test_load_release(client: TestClient, creds: Credentials, admin: Credentials, session: Session) -> None:
    assert client.post("/api/v1/catalog/releases", json=local_release()).status_code == 401
    refused = client.post("/api/v1/catalog/releases", json=local_release(), headers=creds.headers)
    assert (refused.status_code, refused.json()["code"]) == (403, "admin_only")
    assert int(session.scalar(select(func.count()).select_from(CatalogRelease)) or 0) == 0
    created = client.post("/api/v1/catalog/releases", json=local_release(), headers=admin.headers)
    again = client.post("/api/v1/catalog/releases", json=local_release(), headers=admin.headers)
    changed = client.post(
        "/api/v1/catalog/releases", json=local_release(effective_from="2026-03-01"), headers=admin.headers
    )
    assert (created.status_code, created.json()["created"]) == (201, True)
    assert (again.status_code, again.json()["created"]) == (201, False)
    assert changed.status_code == 409
    assert int(session.scalar(select(func.count()).select_from(CatalogRelease)) or 0) == 1
    releases = client.get("/api/v1/catalog/releases").json()
    assert [(r["scope"], r["region"], r["version"], r["builtin"]) for r in releases] == [
        ("national", None, "2026.1", True),
        ("local", "370600", "2026.1", False),
    ]
    local = client.get("/api/v1/catalog/classes", params={"region": "370602"}).json()
    assert local[-1]["id"] == "food.pastry"


def test_flags(client: TestClient, creds: Credentials, maker: sessionmaker[Session]) -> None:
    with unit_of_work(maker) as s:
        masterdata.register_product(
            s, name="氧化镨钕", class_id="rare_earth.smelted", gtin=PRODUCTS["rare_earth.smelted"]
        )
    captured = client.post(
        "/capture",
        json=document(event("shipping", 1, quantityList=qty("rare_earth.smelted")), context=CONTEXT),
        headers=creds.headers,
    )
    assert captured.status_code == 202
    flags = client.get("/api/v1/catalog/flags", params={"class": "rare_earth"}, headers=creds.headers).json()
    assert [(f["event_id"], f["rule_id"], f["elements"]) for f in flags] == [
        (captured.json()["events"][0]["eventID"], "rare_earth.circulation", ["trade_document"])
    ]
    assert client.get("/api/v1/catalog/flags", params={"class": "drug"}, headers=creds.headers).json() == []
    assert client.get("/api/v1/catalog/flags").status_code == 401
    # another enterprise sees none of them; a regulator of the recorder's region and the admin see them
    with unit_of_work(maker) as s:
        s.get_one(Party, creds.party_id).region = "370602"
        other = parties_service.create_party(s, name="示范市乙食品有限公司")
        here = parties_service.create_party(s, name="芝罘区市场监督管理局")
        parties_service.grant(s, here, actor_role="regulator", jurisdiction="370602")
        away = parties_service.create_party(s, name="北京市市场监督管理局")
        parties_service.grant(s, away, actor_role="regulator", jurisdiction="11")
        food = parties_service.create_party(s, name="芝罘区食品监管")
        parties_service.grant(s, food, actor_role="regulator", jurisdiction="370602", mandate=["food"])
        tokens = {p.name: parties_service.issue_token(s, party=p).secret for p in (other, here, away, food)}
    seen = {
        name: len(client.get("/api/v1/catalog/flags", headers={"Authorization": f"Bearer {token}"}).json())
        for name, token in tokens.items()
    }
    assert seen == {
        "示范市乙食品有限公司": 0,
        "芝罘区市场监督管理局": 1,
        "北京市市场监督管理局": 0,
        "芝罘区食品监管": 0,
    }
