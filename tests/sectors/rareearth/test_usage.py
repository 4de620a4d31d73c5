"""The quota used and its alerts, on both databases through the app: production and sales summed exactly (REO or
gross mass, tonnes or kilograms, the quota's scope, the Beijing calendar year), the alerts exact (rule, party,
amounts) and raised once, which rows come back to whom, the workbook's cells and the command line's JSON."""

import io
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tests.sectors.rareearth.world import ORE, ORE2, OXIDE, USCC, YEAR, World, mining, quota, sale, separation
from zhuisu.app.cli import app
from zhuisu.db.session import unit_of_work
from zhuisu.models import Alert
from zhuisu.oversight import alerts
from zhuisu.oversight.rules.base import RiskConfig
from zhuisu.parties import service as parties_service
from zhuisu.sectors.rareearth import service
from zhuisu.sectors.rareearth.schemas import QuotaCreate


def _rows(client: TestClient, world: World, who: str, year: int = YEAR) -> list[dict[str, Any]]:
    response = client.get(f"/api/v1/rareearth/usage?year={year}", headers=world.h(who))
    assert response.status_code == 200, response.text
    return list(response.json())


def _alerts(session: Session) -> list[tuple[Any, ...]]:
    found = []
    statement = select(Alert).where(Alert.rule.startswith("rare_earth")).order_by(Alert.rule, Alert.id)
    for a in session.scalars(statement):
        found.append((a.rule, a.party_id, a.class_id, a.detail_zh, a.facts, len(a.evidence)))
    return found


def test_sums_are_exact(client: TestClient, world: World, session: Session) -> None:
    # given: the mine's quota for one product, in tonnes of REO; the plant's in kilograms of gross mass
    assert quota(client, world, quantity=60, product=ORE).status_code == 201
    plant: dict[str, Any] = {
        "party": world.ids["plant"],
        "kind": "separation",
        "quantity": 35000,
        "uom": "KGM",
        "basis": "gross",
    }
    assert quota(client, world, **plant).status_code == 201
    # when: mined (two lots of the product, one just after the Beijing new year; one of another product; one the
    # year before), sold, separated and sold again
    mined: tuple[dict[str, Any], ...] = (
        {"lot": "K1", "quantity": 100, "reo_content": 40},
        {"lot": "K2", "quantity": 30000, "uom": "KGM", "reo_content": 50, "time": f"{YEAR}-06-02T08:00:00+08:00"},
        {"lot": "K3", "quantity": 2, "reo_content": 50, "time": f"{YEAR}-01-01T00:30:00+08:00"},
        {"lot": "K0", "quantity": 500, "reo_content": 40, "time": f"{YEAR - 1}-12-31T23:30:00+08:00"},
        {"product": ORE2, "lot": "L1", "quantity": 10, "reo_content": 30},
    )
    for fields in mined:
        assert mining(client, world, **fields).status_code == 201
    assert (
        sale(client, world, "mine", USCC["plant"], [{"product": ORE, "lot": "K1", "quantity": 50}]).status_code == 201
    )
    assert (
        sale(client, world, "mine", USCC["buyer"], [{"product": ORE2, "lot": "L1", "quantity": 5}]).status_code == 201
    )
    inputs = [{"product": ORE, "lot": "K1", "quantity": 50}]
    outputs = [{"product": OXIDE, "lot": "Y1", "quantity": 19, "reo_content": 99}]
    assert separation(client, world, inputs, outputs).status_code == 201
    oxide = [{"product": OXIDE, "lot": "Y1", "quantity": 10000, "uom": "KGM"}]
    assert sale(client, world, "plant", USCC["buyer"], oxide).status_code == 201
    # then
    keys = ("party", "kind", "quota", "uom", "basis", "produced", "sold", "unquoted", "used_percent", "remaining",
            "sales_percent", "production_events", "sales_events")  # fmt: skip
    assert [tuple(r[k] for k in keys) for r in _rows(client, world, "regulator")] == [
        ("示范稀土冶炼分离有限公司", "separation", 35000.0, "KGM", "gross", 19000.0, 10000.0, 0.0, 54.29, 16000.0,
         28.57, 1, 1),
        ("示范稀土矿业有限公司", "mining", 60.0, "TNE", "reo", 56.0, 20.0, 3.0, 93.33, 4.0, 33.33, 3, 1),
    ]  # fmt: skip
    assert [tuple(r[k] for k in keys) for r in _rows(client, world, "regulator", YEAR - 1)] == [
        ("示范稀土矿业有限公司", "mining", None, "TNE", "reo", 0.0, 0.0, 200.0, None, None, None, 0, 0),
    ]
    # the mine's production the year before without a quota (captured first), and outside its quota's product
    assert [(a[0], a[1], a[2], a[3], a[4]) for a in _alerts(session)] == [
        (
            "rare_earth_quota_missing",
            world.ids["mine"],
            "rare_earth.ore",
            f"{YEAR - 1} 年生产稀土矿产品 200 TNE REO，无总量控制指标",
            {"year": YEAR - 1, "kind": "mining", "amount": 200.0, "uom": "TNE", "basis": "reo"},
        ),
        (
            "rare_earth_quota_missing",
            world.ids["mine"],
            "rare_earth.ore",
            f"{YEAR} 年生产稀土矿产品 3 TNE REO，超出指标（文号 工信部联原〔2025〕1号）覆盖范围",
            {"year": YEAR, "kind": "mining", "amount": 3.0, "uom": "TNE", "basis": "reo"},
        ),
    ]


def test_alerts_once_with_their_amounts(client: TestClient, world: World, session: Session) -> None:
    # given: the mine's quota of 10 t REO; the plant's of last year only; the buyer none ever
    assert quota(client, world, quantity=10).status_code == 201
    assert quota(client, world, party=world.ids["plant"], kind="separation", year=YEAR - 1).status_code == 201
    # when: 15 t REO mined (an alert at capture), then 5 t more (the same alert, its amounts now)
    assert mining(client, world, lot="K1", quantity=30, reo_content=50).status_code == 201
    first = _alerts(session)
    assert mining(client, world, lot="K2", quantity=10, reo_content=50).status_code == 201
    # and 20 t REO sold; the plant separates without this year's quota; the buyer mines (never given a quota)
    goods = [{"product": ORE, "lot": "K1", "quantity": 30}, {"product": ORE, "lot": "K2", "quantity": 10}]
    assert sale(client, world, "mine", USCC["plant"], goods).status_code == 201
    inputs = [{"product": ORE, "lot": "K1", "quantity": 30}]
    outputs = [{"product": OXIDE, "lot": "Y1", "quantity": 12, "reo_content": 99}]
    assert separation(client, world, inputs, outputs).status_code == 201
    assert mining(client, world, who="buyer", lot="B1", quantity=5, reo_content=50).status_code == 201
    with_scan = alerts.scan(session, config=RiskConfig.of(None))
    # then
    assert [(a[0], a[4]["amount"]) for a in first] == [("rare_earth_quota_production", 15.0)]
    quota_doc = "工信部联原〔2025〕1号"
    assert _alerts(session) == [
        (
            "rare_earth_quota_missing",
            world.ids["plant"],
            "rare_earth.smelted",
            f"{YEAR} 年生产冶炼分离产品 11.88 TNE REO，无总量控制指标",
            {"year": YEAR, "kind": "separation", "amount": 11.88, "uom": "TNE", "basis": "reo"},
            1,
        ),
        (
            "rare_earth_quota_production",
            world.ids["mine"],
            "rare_earth.ore",
            f"{YEAR} 年稀土矿产品产量 20 TNE REO，超过总量控制指标 10 TNE REO（文号 {quota_doc}）10 TNE REO",
            {"year": YEAR, "kind": "mining", "quota": 10.0, "amount": 20.0, "excess": 10.0, "uom": "TNE",
             "basis": "reo", "document_number": quota_doc},
            2,
        ),
        (
            "rare_earth_quota_sales",
            world.ids["mine"],
            "rare_earth.ore",
            f"{YEAR} 年稀土矿产品销量 20 TNE REO，超过总量控制指标 10 TNE REO（文号 {quota_doc}）10 TNE REO",
            {"year": YEAR, "kind": "mining", "quota": 10.0, "amount": 20.0, "excess": 10.0, "uom": "TNE",
             "basis": "reo", "document_number": quota_doc},
            1,
        ),
    ]  # fmt: skip
    ours = {rule: n for rule, n in with_scan.hits.items() if rule.startswith("rare_earth")}
    assert ours == {"rare_earth_quota_production": 1, "rare_earth_quota_sales": 1, "rare_earth_quota_missing": 1}
    assert (with_scan.created, alerts.scan(session, config=RiskConfig.of(None)).created) == (1, 0)  # the timed
    # shipped_not_received of the sale (its receipt not recorded) is the first scan's one new alert


@pytest.mark.parametrize(
    ("who", "expected"),
    [
        ("admin", ["外市稀土矿业有限公司", "示范稀土冶炼分离有限公司", "示范稀土矿业有限公司"]),
        ("regulator", ["示范稀土冶炼分离有限公司", "示范稀土矿业有限公司"]),
        ("regulator_elsewhere", ["外市稀土矿业有限公司"]),
        ("regulator_food", []),
        ("mine", ["示范稀土矿业有限公司"]),
        ("buyer", []),
    ],
)
def test_who_sees_which_usage(client: TestClient, world: World, who: str, expected: list[str]) -> None:
    assert quota(client, world).status_code == 201
    assert quota(client, world, party=world.ids["plant"], kind="separation").status_code == 201
    assert quota(client, world, who="regulator_elsewhere", party=world.ids["far"]).status_code == 201
    assert mining(client, world).status_code == 201
    assert [r["party"] for r in _rows(client, world, who)] == expected
    xlsx = client.get(f"/api/v1/rareearth/usage.xlsx?year={YEAR}", headers=world.h(who))
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == expected


def test_nobody_signed_in_sees_nothing(client: TestClient) -> None:
    assert client.get("/api/v1/rareearth/usage").status_code == 401
    assert client.get("/api/v1/rareearth/usage.xlsx").status_code == 401


def test_the_workbook(client: TestClient, world: World) -> None:
    assert quota(client, world).status_code == 201
    assert mining(client, world).status_code == 201
    xlsx = client.get(f"/api/v1/rareearth/usage.xlsx?year={YEAR}", headers=world.h("regulator"))
    assert (xlsx.status_code, xlsx.headers["content-disposition"]) == (
        200,
        'attachment; filename="rare-earth-quotas.xlsx"',
    )
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None
    assert [list(row) for row in sheet.iter_rows(values_only=True)] == [
        ["企业 Enterprise", "地区 Region", "年度 Year", "指标类型 Quota kind", "文号 Document number", "类别 Class",
         "指标 Quota", "单位 Unit", "口径 Basis", "产量 Produced", "已用 % Used %", "剩余 Remaining", "销量 Sold",
         "销量占比 % Sales %", "无指标产量 Produced without quota"],
        ["示范稀土矿业有限公司", "370602", YEAR, "mining", "工信部联原〔2025〕1号", "rare_earth.ore", 100, "TNE", "reo",
         40, 40, 60, 0, 0, 0],
    ]  # fmt: skip


runner = CliRunner()


def test_the_command_line(cli_db: str) -> None:
    engine = create_engine(cli_db)
    with unit_of_work(sessionmaker(engine)) as s:
        mine = parties_service.create_party(s, name="示范稀土矿业有限公司", uscc=USCC["mine"], region="370602")
        body = QuotaCreate(
            party=mine.id, year=YEAR, kind="mining", quantity=100, document_number="工信部联原〔2025〕1号"
        )
        service.register_quota(s, body, actor=None)
        mine_id = mine.id
    engine.dispose()
    used = runner.invoke(app, ["rareearth", "quotas", "--year", str(YEAR), "--json"])
    listed = runner.invoke(app, ["rareearth", "list", "--history", "--json"])
    wrong = runner.invoke(app, ["rareearth", "quotas", "--year", "1999"])
    assert used.exit_code == 0, used.output
    assert json.loads(used.output) == [
        {"party_id": mine_id, "party": "示范稀土矿业有限公司", "region": "370602", "year": YEAR, "kind": "mining",
         "quota_id": json.loads(listed.output)[0]["id"], "document_number": "工信部联原〔2025〕1号",
         "class_id": "rare_earth.ore", "product": None, "quota": 100.0, "uom": "TNE", "basis": "reo", "produced": 0.0,
         "sold": 0.0, "unquoted": 0.0, "used_percent": 0.0, "remaining": 100.0, "sales_percent": 0.0,
         "production_events": 0, "sales_events": 0}
    ]  # fmt: skip
    assert [(q["revision"], q["active"]) for q in json.loads(listed.output)] == [(1, True)]
    assert (wrong.exit_code, "--year" in wrong.output) == (1, True)
