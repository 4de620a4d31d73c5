"""The product page shows the registered inspection reports and certificates, on both databases: a report on a lot
reaches each item of it (an SGTIN whose commissioning gave it that lot); a failed lot shows red with its failed
items and no green badge; recording a report makes the stored stories of the lot's items stale."""

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import CALLBACK_HOSTS
from tests.oversight.inspections.conftest import GTIN, LOT, World, report
from tests.oversight.inspections.test_licence_rules import commissioning, licence
from tests.support.epcis import document
from zhuisu.config import Settings

ITEM = f"https://id.gs1.org/01/{GTIN}/21/1"


@pytest.fixture
def settings(engine: Engine, tmp_path: Path) -> Settings:
    return Settings(
        database_url=engine.url.render_as_string(hide_password=False),
        data_dir=tmp_path,
        subscriptions_allowed_hosts=CALLBACK_HOSTS,
        portal_rate_burst=1000,
    )


@pytest.fixture
def items(client: TestClient, world: World, maker: sessionmaker[Session]) -> None:
    """Two items of lot L1 commissioned by A (licensed), one of another lot."""
    licence(maker, world)
    other = commissioning(3) | {"ilmd": commissioning(3)["ilmd"] | {"cbvmda:lotNumber": "L2"}}
    captured = client.post(
        "/capture", json=document(commissioning(1), commissioning(2), other), headers=world.headers("A")
    )
    assert captured.status_code == 202, captured.json()


def story(client: TestClient, code: str) -> dict[str, Any]:
    response = client.get(f"/api/v1/portal/products/{code}")
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.usefixtures("items")
class TestFailedLot:
    def test_items_of_the_lot_show_it_red(self, client: TestClient, world: World) -> None:
        # given: the item's page was built and stored before the report
        assert story(client, ITEM)["latest_inspection"] is None
        # when
        recorded = client.post("/inspections", json=report(), headers=world.headers("inspector"))
        assert recorded.status_code == 201, recorded.json()
        # then: the stored story was made stale and the item shows its lot's report
        latest = story(client, ITEM)["latest_inspection"]
        assert latest == {
            "lab": "示范市检验检测中心",
            "report_number": "JC-1",
            "sample": "纯牛奶样品",
            "inspected_on": "2026-06-02",
            "result": "fail",
            "scope": "lot",
            "failed_items": [
                {"name": "菌落总数", "value": "2.0×10⁵", "unit": "CFU/g", "limit": "≤1.0×10⁵", "result": "fail"}
            ],
            "items": [
                {"name": "菌落总数", "value": "2.0×10⁵", "unit": "CFU/g", "limit": "≤1.0×10⁵", "result": "fail"},
                {"name": "大肠菌群", "value": "<10", "unit": "CFU/g", "limit": "≤10", "result": "pass"},
            ],
        }
        assert story(client, LOT)["latest_inspection"] == latest
        assert story(client, f"https://id.gs1.org/01/{GTIN}/21/3")["latest_inspection"] is None  # lot L2

    def test_zh_page_is_red_without_a_green_badge(self, client: TestClient, world: World) -> None:
        client.post("/inspections", json=report(), headers=world.headers("inspector"))
        page = client.get(f"/01/{GTIN}/21/1")
        assert page.status_code == 200
        html = page.text
        assert '<span class="badge bad" id="inspection-failed">✘ 检验不合格</span>' in html
        assert "最近检验：✘ 不合格" in html
        assert '<li class="bad">菌落总数：检测值 2.0×10⁵CFU/g，限量 ≤1.0×10⁵CFU/g</li>' in html
        assert "该批次检验不合格，请勿食用或使用。" in html
        assert 'class="badge ok"' not in html
        assert "✔ 已验证" not in html

    def test_a_later_passed_report_is_the_latest(self, client: TestClient, world: World) -> None:
        client.post("/inspections", json=report(), headers=world.headers("inspector"))
        again = report(number="JC-2", result="pass", inspected_on="2026-06-09")
        client.post("/inspections", json=again, headers=world.headers("regulator"))
        body = story(client, ITEM)
        assert [(r["report_number"], r["result"]) for r in body["inspection_reports"]] == [
            ("JC-2", "pass"),
            ("JC-1", "fail"),
        ]
        assert "最近检验：合格" in client.get(f"/01/{GTIN}/21/1").text


@pytest.mark.usefixtures("items")
def test_certificates_of_the_product(client: TestClient, world: World) -> None:
    # given: the page is stored before the certificate
    assert story(client, ITEM)["registered_certificates"] == []
    body = {"kind": "organic", "number": "OR-1", "issuer": "中绿华夏有机产品认证中心", "code": GTIN}
    client.post("/certificates", json=body | {"valid_from": "2026-01-01"}, headers=world.headers("inspector"))
    expired = body | {"kind": "haccp", "number": "H-1", "valid_from": "2020-01-01", "valid_to": "2021-01-01"}
    client.post("/certificates", json=expired, headers=world.headers("inspector"))
    # then
    assert story(client, ITEM)["registered_certificates"] == [
        {
            "kind": "organic",
            "kind_zh": "有机产品认证",
            "kind_en": "organic certification",
            "number": "OR-1",
            "issuer": "中绿华夏有机产品认证中心",
            "valid_from": "2026-01-01",
            "valid_to": None,
            "valid": True,
        },
        {
            "kind": "haccp",
            "kind_zh": "HACCP 体系认证",
            "kind_en": "HACCP certification",
            "number": "H-1",
            "issuer": "中绿华夏有机产品认证中心",
            "valid_from": "2020-01-01",
            "valid_to": "2021-01-01",
            "valid": False,
        },
    ]
    html = client.get(f"/01/{GTIN}/21/1").text
    assert '有机产品认证 <span class="code">OR-1</span>' in html


def test_lot_from_the_batch_of_the_items_commissioning(
    client: TestClient, world: World, maker: sessionmaker[Session]
) -> None:
    # given: items whose commissioning carries the batch as the catalog's zs:batch (no ILMD lot)
    licence(maker, world)
    event = commissioning(5)
    event["ilmd"] = {k: v for k, v in event["ilmd"].items() if k != "cbvmda:lotNumber"}
    event["zs:batch"] = "L1"
    context = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"zs": "https://zhuisu.cn/ns/epcis/"}]
    captured = client.post("/capture", json=document(event, context=context), headers=world.headers("A"))
    assert captured.status_code == 202, captured.json()
    # when
    client.post("/inspections", json=report(), headers=world.headers("inspector"))
    # then
    assert story(client, f"https://id.gs1.org/01/{GTIN}/21/5")["latest_inspection"]["report_number"] == "JC-1"


@pytest.mark.usefixtures("items")
def test_the_producer_with_its_confirmed_licence(
    client: TestClient, world: World, maker: sessionmaker[Session]
) -> None:
    # A holds a confirmed SC licence (``items``) and an unconfirmed one, which consumers are not shown
    licence(maker, world, confirmed=False, kind="food_business", number="JY13701020000001")
    producer = story(client, ITEM)["producer"]
    assert [(lic["kind"], lic["number"], lic["valid_to"]) for lic in producer["licences"]] == [
        ("sc_food_production", "SC10537060200011", None)
    ]
    page = client.get(f"/01/{GTIN}/21/1").text
    assert '<dd class="licence">SC10537060200011</dd>' in page
    assert "JY13701020000001" not in page
