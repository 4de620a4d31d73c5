"""``zhuisu risk scan --json`` and ``zhuisu risk rules --json``: their JSON contracts, on both databases."""

import json

from sqlalchemy import create_engine
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from tests.oversight.chains import capture, observe, world
from tests.trace.chains import DC, MARKET, PLANT, eid, sgtin, ship
from zhuisu.app.cli import app
from zhuisu.oversight.rules import RULES

runner = CliRunner()


def test_scan_finds_and_keeps_alerts(cli_db: str) -> None:
    engine = create_engine(cli_db)
    item = sgtin("012345", 1)
    with Session(engine) as s:
        parties = world(s)
        capture(
            s,
            parties,
            observe("s1", 1, MARKET, [item], "retail_selling", "retail_sold"),
            observe("s2", 2, MARKET, [item], "retail_selling", "retail_sold"),
            ship("lost", 3, PLANT, DC, [sgtin("012345", 2)]),
        )
        s.commit()
    engine.dispose()
    early = runner.invoke(app, ["risk", "scan", "--json", "--now", "2026-05-02T00:00:00+08:00"])
    assert early.exit_code == 0, early.output
    report = json.loads(early.stdout)
    assert report["hits"] == {rule.id: int(rule.id == "duplicate_sale") for rule in RULES}
    assert (report["total"], report["created"], report["updated"]) == (1, 0, 0)  # found at capture already
    [alert] = report["alerts"]
    assert {k: alert[k] for k in ("rule", "severity", "status", "region", "evidence", "codes")} == {
        "rule": "duplicate_sale",
        "severity": "high",
        "status": "new",
        "region": "370112",
        "evidence": sorted([eid("s1"), eid("s2")]),
        "codes": ["https://id.gs1.org/01/06901234123456/21/1"],
    }
    later = json.loads(runner.invoke(app, ["risk", "scan", "--json"]).stdout)
    assert (later["hits"]["shipped_not_received"], later["created"], len(later["alerts"])) == (1, 1, 2)
    assert [a["evidence"] for a in later["alerts"] if a["rule"] == "shipped_not_received"] == [[eid("lost")]]
    again = json.loads(runner.invoke(app, ["risk", "scan", "--json"]).stdout)
    assert (again["created"], again["updated"], len(again["alerts"])) == (0, 0, 2)
    bad = runner.invoke(app, ["risk", "scan", "--now", "yesterday"])
    assert bad.exit_code == 1


def test_rules_json(cli_db: str) -> None:
    result = runner.invoke(app, ["risk", "rules", "--json"])
    assert result.exit_code == 0, result.output
    rules = json.loads(result.output)
    assert [(r["id"], r["severity"], r["timed"]) for r in rules] == [
        ("duplicate_sale", "high", False),
        ("after_destruction", "high", False),
        ("failed_inspection_in_circulation", "high", False),
        ("mass_balance", "medium", False),
        ("shipped_not_received", "medium", True),
        ("received_not_shipped", "medium", True),
        ("licence_missing", "medium", False),
        ("temperature_excursion", "medium", False),
        ("recording_gap", "low", True),
        ("interlock", "high", False),
        ("equipment_overdue", "high", True),
        ("hazardous_receipt_unmatched", "high", False),
        ("hazardous_quantity_mismatch", "high", False),
        ("hazardous_waybill_unclosed", "high", True),
        ("hazardous_stock_difference", "high", False),
        ("farm_certificate_overused", "high", False),
        ("import_uncertified_sale", "high", False),
        ("canteen_unlicensed_supplier", "high", True),
        ("canteen_failed_lot", "high", True),
        ("rare_earth_quota_production", "high", False),
        ("rare_earth_quota_sales", "high", False),
        ("rare_earth_quota_missing", "high", False),
        ("split_view", "high", True),
    ]
    assert all(r["name_zh"] and r["explanation_zh"] and r["explanation_en"] for r in rules)
