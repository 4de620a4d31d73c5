"""The JSON contracts of ``zhuisu catalog list`` and ``zhuisu coverage``, and ``zhuisu demo load`` (the demo city)."""

import json
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from zhuisu.app.cli import app
from zhuisu.demo import canteen, city, generator, hazardous
from zhuisu.demo import service as demo_service
from zhuisu.models import Certificate, Event, EventFlag, Inspection, Licence

runner = CliRunner()
#: Events of the demo's hazardous chain (``zhuisu.demo.hazardous``), captured with the planted risk anomalies.
HAZARDOUS_EVENTS = 10
#: The special equipment demo's lifecycle events (zhuisu.demo.equipment: six elevators, six cylinders).
EQUIPMENT_EVENTS = 64
#: The market's 10, the canteen's 28, the cooperative's 7, the importer's 6, the cold chain's 5, rare earth's 8.
FOOD_CHAIN_EVENTS = 10 + 28 + 7 + 6 + 5 + 8
TOPS = ["edible_agri", "food", "drug", "agri_input", "special_equipment", "hazardous", "rare_earth", "imported"]


@pytest.mark.usefixtures("cli_db")
def test_catalog_list_json() -> None:
    result = runner.invoke(app, ["catalog", "list", "--json"])
    assert result.exit_code == 0, result.output
    classes = json.loads(result.output)
    assert [c["id"] for c in classes if c["parent"] is None] == TOPS
    drug = next(c for c in classes if c["id"] == "drug")
    assert {k: drug[k] for k in ("id", "name", "parent", "level", "key", "coverage_target")} == {
        "id": "drug",
        "name": "药品",
        "parent": None,
        "level": "national",
        "key": True,
        "coverage_target": 0.98,
    }
    assert next(c for c in classes if c["id"] == "food.infant_formula")["parent"] == "food"
    assert len(classes) == 46


@pytest.mark.usefixtures("cli_db")
def test_coverage_json_empty_and_one_party() -> None:
    assert json.loads(runner.invoke(app, ["coverage", "--json"]).output) == []
    added = runner.invoke(app, ["parties", "add", "示范市医药公司", "--region", "370102", "--class", "drug"])
    assert added.exit_code == 0, added.output
    rows = json.loads(runner.invoke(app, ["coverage", "--json"]).output)
    assert [{k: r[k] for k in ("class", "region", "registered", "active", "rate", "target")} for r in rows] == [
        {"class": "drug", "region": "370102", "registered": 1, "active": 0, "rate": 0.0, "target": 0.98}
    ]


def test_demo_load_city_and_coverage_by_hand(cli_db: str, tmp_path: Path) -> None:
    # given
    events = 600
    # when
    first = runner.invoke(app, ["demo", "load", "--events", str(events)])
    second = runner.invoke(app, ["demo", "load", "--events", str(events)])
    # then: loaded once, idempotent, the token kept and printed
    assert first.exit_code == 0, first.output
    token = (tmp_path / "var" / "demo-token").read_text().strip()
    assert f"token {token}" in first.output
    assert f"示范市: {events} events captured, 0 already present, 1 refused" in first.output
    assert second.exit_code == 0, second.output
    assert f"its {events} events are already stored" in second.output
    # the demo's admin and regulators, each with a token kept beside the enterprise's, granted once
    roles = {
        r["name"]: (r["role"], r["jurisdiction"])
        for r in json.loads(runner.invoke(app, ["admin", "list", "--json"]).output)
    }
    assert {name: roles[name] for name, _, _, _ in demo_service.DEMO_ACTORS.values()} == {
        "示范市追溯节点管理员": ("admin", None),
        "示范市市场监督管理局": ("regulator", "3701"),
        "示范市历下区市场监督管理局": ("regulator", "370102"),
        "示范市农产品追溯服务平台": ("platform", None),
        "示范市食品检验检测中心": ("inspector", None),
    }
    kept = sorted(p.name for p in (tmp_path / "var").glob("demo-*token"))
    assert kept == [
        "demo-admin-token",
        "demo-canteen-token",
        "demo-coldchain-token",
        "demo-cooperative-token",
        "demo-district-regulator-token",
        "demo-importer-token",
        "demo-inspector-token",
        "demo-platform-token",
        "demo-rareearth-token",
        "demo-regulator-token",
        "demo-stall-token",
        "demo-token",
    ]
    delegated = json.loads(runner.invoke(app, ["admin", "delegations", "--json"]).output)
    assert [(d["classes"], d["revoked_at"]) for d in delegated] == [(None, None)]
    engine = create_engine(cli_db)
    with Session(engine) as s:  # the planted risk anomalies (oversight), captured after the city's events
        planted = city.risk_events(seed=1, catalog=demo_service.city_catalog(s))
    # the sectors' demos (zhuisu.demo.hazardous, .equipment, and the food, farm and import chains: .market, .canteen,
    # .farm, .imports, .coldchain, .rareearth), captured with them
    sectors = HAZARDOUS_EVENTS + EQUIPMENT_EVENTS + FOOD_CHAIN_EVENTS
    assert f"示范市: {len(planted) + sectors} risk anomalies planted (0 already present)" in first.output
    assert f"示范市: 0 risk anomalies planted ({len(planted) + sectors} already present)" in second.output
    with engine.connect() as conn:
        # the generator's events, the pork chain, the recalls' (two lots made and shipped, four confirmations) and
        # the planted unlicensed commissioning (flagged: the food wholesaler holds no food production licence;
        # every other licence was confirmed by the city's regulator)
        assert conn.scalar(select(func.count()).select_from(Event)) == 27 + 10 + events + 1 + len(planted) + sectors
        flags = conn.execute(select(EventFlag.class_id, EventFlag.elements).order_by(EventFlag.id)).all()
        assert [tuple(f) for f in flags if not f[0].startswith("hazardous")] == [
            ("rare_earth.smelted", ["batch"]),
            ("food.dairy", ["licence:sc_food_production"]),
            # the rare-earth group's second mine, producing without a quota (zhuisu.demo.rareearth)
            ("rare_earth.ore", ["quota"]),
        ]
        # the hazardous chain's two planted flags; the city's generated destructions name their witnesses
        assert [tuple(f) for f in flags if f[0].startswith("hazardous")] == [
            ("hazardous.toxic_chemical", ["interlock:destruction_witnessed"]),
            (hazardous.LAB_CLASS, ["interlock:buyer_permit"]),
        ]
        assert conn.scalar(select(func.count()).select_from(Licence).where(Licence.confirmed_at.is_(None))) == 0
        reports = conn.execute(select(Inspection.report_number, Inspection.result, Inspection.lot.is_not(None)))
        # the city's two, and the canteen's milk lots' (zhuisu.demo.canteen: one passed, one failed)
        assert sorted(reports.all()) == sorted(
            [
                ("JC2026-0101", "pass", True),
                ("JC2026-0102", "fail", True),
                (f"SPJC-2026-{canteen.PASSED_LOT}", "pass", True),
                (f"SPJC-2026-{canteen.FAILED_LOT}", "fail", True),
            ]
        )
        assert conn.execute(select(Certificate.kind, Certificate.number)).all() == [("gap", "GAP-2026-0001")]
    engine.dispose()
    # coverage, counted by hand from the generator: registered = parties per (class, district), the idle ones
    # included; active = those
    # that recorded one of the first events (the refused drug shipment's recorder records others too)
    parties = generator.demo_parties()
    recorders = {key for key, _ in generator.generate(events)} | {key for key, _ in planted}
    registered = Counter((p.product_class, p.region) for p in parties)
    registered.update((class_id.split(".")[0], region) for _, class_id, region, _ in city.IDLE_PARTIES)
    active = Counter((p.product_class, p.region) for p in parties if p.key in recorders)
    registered[("food", "370102")] += 1  # the dairy of the demo's recalls (zhuisu.demo.recall), which records
    active[("food", "370102")] += 1
    active[(city.GAP_PARTY.product_class, city.GAP_PARTY.region)] += 1  # the idle pharmacy's planted recording gap
    for p in hazardous.PARTIES:  # the hazardous chain's, all of which record but the carrier
        registered[("hazardous", hazardous.REGION)] += 1
        active[("hazardous", hazardous.REGION)] += p.key != "carrier"
    registered[("special_equipment", "370102")] += 1  # the demo's gas company (its cylinders), which records
    active[("special_equipment", "370102")] += 1
    # the food, farm and import chains' parties, each recording but the market's operator (it registers stalls):
    # the market's wholesaler, operator and two stalls, the canteen's greengrocer and the wholesale market the
    # cooperative sells to (370102); the cooperative's shop (370103); the cold chain's processor, carrier and shop
    # (370104); the cooperative (370112); the canteen and its distributor (food, 370102); the importer and its buyer
    # (imported, 370102); the rare-earth group's two mines, its separation plant and its buyer (370112)
    for cell, parties_, recording in (
        (("edible_agri", "370102"), 6, 5),
        (("edible_agri", "370103"), 1, 1),
        (("edible_agri", "370104"), 3, 3),
        (("edible_agri", "370112"), 1, 1),
        (("food", "370102"), 2, 2),
        (("imported", "370102"), 2, 2),
        (("rare_earth", "370112"), 4, 4),
    ):
        registered[cell] += parties_
        active[cell] += recording
    rows = json.loads(runner.invoke(app, ["coverage", "--json"]).output)
    assert {(r["class"], r["region"]): (r["registered"], r["active"]) for r in rows} == {
        cell: (n, active[cell]) for cell, n in registered.items()
    }
