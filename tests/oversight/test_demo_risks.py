"""The demo city's planted anomalies are each found by a scan (every rule at least once, the planted evidence
exactly), and a clean generated chain gives no alert at all (no false positives), on both databases. The clean
chain of 100,000 events is measured by ``python -m bench risk`` (``make bench-risk``)."""

from collections import Counter
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuisu.demo import city, generator
from zhuisu.demo import service as demo_service
from zhuisu.kit.time import parse_iso
from zhuisu.models import Alert, Party
from zhuisu.oversight import alerts
from zhuisu.oversight.rules import RULES
from zhuisu.oversight.rules.base import RiskConfig
from zhuisu.sectors.equipment.lifecycle import CODE_URL


def load_city(session: Session, events: list[tuple[str, dict[str, Any]]]) -> dict[str, Party]:
    parties, _, _ = demo_service.prepare_city(session, seed=1)
    rounds: dict[str, list[dict[str, Any]]] = {}
    for key, event in events:
        rounds.setdefault(key, []).append(event)
    outcome = demo_service.capture_round(session, parties, list(rounds.items()))
    assert outcome.rejected <= 1  # the city's planted incomplete shipment, when among them
    return parties


def test_every_planted_anomaly_is_found(session: Session) -> None:
    catalog = demo_service.city_catalog(session)
    parties = load_city(session, list(city.city_events(2000, seed=1, catalog=catalog)))
    # the city's planted anomalies, the hazardous chain's ten events (zhuisu.demo.hazardous), the special
    # equipment's 64 (zhuisu.demo.equipment: six elevators, six cylinders), and the food, farm and import chains:
    # the market's 10, the canteen's 28 (14 shipments, 14 receipts), the 合格证 cooperative's 7, the importer's 6,
    # the cold chain's 5 and the rare-earth group's 8
    assert demo_service.plant_risks(session, parties, seed=1, catalog=catalog).captured == 17 + 10 + 64 + (
        10 + 28 + 7 + 6 + 5 + 8
    )
    report = alerts.scan(session, config=RiskConfig.of(None), trigger="test")
    assert {rule.id for rule in RULES} <= {rule for rule, n in report.hits.items() if n}
    idle = session.scalars(select(Party).where(Party.uscc == city.GAP_PARTY.uscc)).one()
    by_id = {p.id: key for key, p in parties.items()} | {idle.id: city.GAP_PARTY.key}
    planted = {key_event[1]["eventID"]: key_event for key_event in city.risk_events(seed=1, catalog=catalog)}

    def eid(name: str) -> str:
        return next(e for e, (_, ev) in planted.items() if ev["eventID"].endswith(city_id(name)))

    rows = {(a.rule, tuple(a.evidence)): by_id.get(a.party_id or "") for a in session.scalars(select(Alert))}
    for rule, names, party in (
        ("duplicate_sale", ["dup-1", "dup-2"], "drug-retailer-1"),
        ("licence_missing", ["licence"], "food-wholesaler"),
        ("temperature_excursion", ["temperature"], "food-wholesaler"),
        ("received_not_shipped", ["unshipped"], "food-retailer-0"),
        ("recording_gap", ["daily-5"], city.GAP_PARTY.key),
        ("mass_balance", ["mass-balance"], "edible_agri-processor"),
        ("mass_balance", ["lot-in", "lot-out"], "edible_agri-wholesaler"),
    ):
        evidence = tuple(sorted(eid(n) for n in names))
        assert rows.get((rule, evidence)) == party, (rule, names)
    counted = Counter(a.rule for a in session.scalars(select(Alert)))
    assert counted["after_destruction"] == 3  # chain 29: the first item sold of each of its three cases
    assert counted["failed_inspection_in_circulation"] == 1
    # the city's two planted and the market stall selling more cabbage than it bought (zhuisu.demo.market): no lot of
    # the generated chains is out of balance
    assert counted["mass_balance"] == 3
    # the food, farm and import chains' planted anomalies, each once; the city's cold chain and the logistics
    # company's truck logger (40 minutes above 4 °C) one excursion each
    assert {rule: counted[rule] for rule in SECTOR_RULES} == {
        "farm_certificate_overused": 1,
        "import_uncertified_sale": 1,
        "canteen_unlicensed_supplier": 1,
        "canteen_failed_lot": 1,
        "rare_earth_quota_production": 1,
        "rare_earth_quota_sales": 1,
        "rare_earth_quota_missing": 1,
        "temperature_excursion": 2,
    }
    # the demo fleet's: elevator 3 (maintenance), elevator 4 and cylinder 4 (inspection)
    overdue = [
        a.codes[0].removeprefix(CODE_URL)
        for a in session.scalars(select(Alert).where(Alert.rule == "equipment_overdue"))
    ]
    assert sorted(overdue) == ["231037002202000004", "311037001201900003", "311037001201900004"]
    # the hazardous chain's, each once: the city's generated hazardous movements have their waybills and its
    # destructions their witnesses (zhuisu.demo.city), so they add none
    hazardous = [
        a.rule
        for a in session.scalars(select(Alert))
        if (a.class_id or "").startswith("hazardous") and a.rule.startswith(("hazardous_", "interlock"))
    ]
    assert sorted(Counter(hazardous).items()) == [
        ("hazardous_quantity_mismatch", 1),
        ("hazardous_receipt_unmatched", 1),
        ("hazardous_stock_difference", 1),
        ("hazardous_waybill_unclosed", 1),
        ("interlock", 2),
    ]
    assert alerts.scan(session, config=RiskConfig.of(None)).created == 0


SECTOR_RULES = (
    "farm_certificate_overused",
    "import_uncertified_sale",
    "canteen_unlicensed_supplier",
    "canteen_failed_lot",
    "rare_earth_quota_production",
    "rare_earth_quota_sales",
    "rare_earth_quota_missing",
    "temperature_excursion",
)


def city_id(name: str) -> str:
    import uuid

    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"{generator.ZS_NS}risk/{name}"))


def test_a_clean_generated_chain_gives_no_alert(session: Session) -> None:
    catalog = demo_service.city_catalog(session)
    recorders = {p.key: p for p in generator.demo_parties(1)}
    events = [
        (key, city.complete(event, catalog, city._role_class(recorders[key]), recorders[key]))
        for key, event in generator.generate(1500, seed=1, clean=True)
    ]
    load_city(session, events)
    last = max(parse_iso(event["eventTime"]) for _, event in events)
    report = alerts.scan(session, config=RiskConfig.of(None), now=last)
    assert (report.hits, report.created) == ({rule.id: 0 for rule in RULES}, 0)
    later = alerts.scan(session, config=RiskConfig.of(None))  # now: every window long past
    assert (sum(later.hits.values()), session.scalars(select(Alert)).all()) == (0, [])
