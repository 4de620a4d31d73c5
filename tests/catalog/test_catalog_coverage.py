"""Coverage per class and region, against a hand count on a small fixture."""

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.catalog.test_catalog_capture import PRODUCTS, dl
from tests.conftest import Credentials
from tests.support.epcis import document, object_event
from zhuisu.capture import service as capture_service
from zhuisu.catalog.coverage import coverage
from zhuisu.db.session import unit_of_work
from zhuisu.kit.time import utc_now
from zhuisu.models import Party
from zhuisu.parties import masterdata
from zhuisu.parties import service as parties_service

#: name → (class, region, events it records)
PARTIES: dict[str, tuple[str | None, str, int]] = {
    "药企甲": ("drug.preparation", "370602", 2),
    "药企乙": ("drug.api", "370602", 1),
    "药店丙": ("drug", "370602", 0),
    "药店丁": ("drug.preparation", "370613", 0),
    "乳企戊": ("food.dairy", "370602", 1),
    "粮企己": ("food.rice", "370602", 0),
    "无类别": (None, "370602", 3),
    "外市药企": ("drug.preparation", "110101", 1),
}


def load_fixture(maker: sessionmaker[Session]) -> dict[str, Party]:
    made: dict[str, Party] = {}
    with unit_of_work(maker) as s:
        n = 0
        for name, (class_id, region, events) in PARTIES.items():
            party = parties_service.create_party(s, name=name, product_class=class_id, region=region)
            made[name] = party
            if name == "乳企戊":
                masterdata.register_product(
                    s, name="酸奶", class_id="food.dairy", producer=party, gtin=PRODUCTS["food.dairy"]
                )
                masterdata.register_product(
                    s, name="奶粉", class_id="food.infant_formula", producer=party, gtin=PRODUCTS["edible_agri.meat"]
                )
            batch: list[dict[str, Any]] = []
            for _ in range(events):
                n += 1
                batch.append(object_event(n, epcList=[f"urn:example:thing:{n}"]))
            if name == "乳企戊":
                inspected = object_event(99, bizStep="inspecting", quantityList=[{"epcClass": dl("food.dairy")}])
                del inspected["epcList"]
                batch = [inspected]
            if batch:
                result = capture_service.capture_document(s, document(*batch), actor=party)
                assert result.count("captured") == len(batch)
    return made


def test_matches_hand_count(session: Session, maker: sessionmaker[Session]) -> None:
    # given
    load_fixture(maker)
    # when
    rows = [r.to_json() for r in coverage(session, window_days=30)]
    # then: by hand — drug/370602: 3 registered, 甲 and 乙 active; drug/370613: 丁 idle; food/370602: 戊 (dairy)
    # active, 己 idle; 外市药企 in 110101 active; 无类别 is not registered under any class.
    assert [
        (r["class"], r["region"], r["registered"], r["active"], r["rate"], r["target"], r["met"]) for r in rows
    ] == [
        ("food", "370602", 2, 1, 0.5, 0.6, False),
        ("drug", "110101", 1, 1, 1.0, 0.98, True),
        ("drug", "370602", 3, 2, 0.6667, 0.98, False),
        ("drug", "370613", 1, 0, 0.0, 0.98, False),
    ]
    first = rows[0]
    assert (first["class"], first["region"], first["products_registered"], first["products_active"]) == (
        "food",
        "370602",
        2,
        1,
    )


def test_window_and_region(session: Session, maker: sessionmaker[Session]) -> None:
    load_fixture(maker)
    later = [r.to_json() for r in coverage(session, window_days=30, at=utc_now() + timedelta(days=31))]
    assert [(r["class"], r["region"], r["active"]) for r in later] == [
        ("food", "370602", 0),
        ("drug", "110101", 0),
        ("drug", "370602", 0),
        ("drug", "370613", 0),
    ]
    city = [r.to_json() for r in coverage(session, window_days=30, region_prefix="3706")]
    assert [(r["class"], r["region"]) for r in city] == [("food", "370602"), ("drug", "370602"), ("drug", "370613")]


def test_route(client: TestClient, creds: Credentials, admin: Credentials, maker: sessionmaker[Session]) -> None:
    load_fixture(maker)
    assert client.get("/api/v1/coverage", params={"region": "370613"}).status_code == 401
    refused = client.get("/api/v1/coverage", params={"region": "370613"}, headers=creds.headers)
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")
    response = client.get("/api/v1/coverage", params={"region": "370613"}, headers=admin.headers)
    assert response.status_code == 200
    assert response.json() == [
        {
            "class": "drug",
            "region": "370613",
            "registered": 1,
            "active": 0,
            "rate": 0.0,
            "target": 0.98,
            "met": False,
            "class_name": "药品",
            "products_registered": 0,
            "products_active": 0,
            "class_name_en": "Drugs",
            "reported_by": None,
        }
    ]


def test_route_keeps_a_regulator_in_its_jurisdiction(maker: sessionmaker[Session], client: TestClient) -> None:
    load_fixture(maker)
    with unit_of_work(maker) as s:
        regulator = parties_service.create_party(s, name="示范市芝罘区市场监督管理局")
        parties_service.grant(s, regulator, actor_role="regulator", jurisdiction="370602")
        headers = {"Authorization": f"Bearer {parties_service.issue_token(s, party=regulator).secret}"}
    outside = client.get("/api/v1/coverage", params={"region": "370613"}, headers=headers).json()
    assert sorted({(r["class"], r["region"]) for r in outside}) == [("drug", "370602"), ("food", "370602")]
