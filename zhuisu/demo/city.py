"""The demo city (示范市): its master data, and the generator's events completed with the catalog's data elements.

``zhuisu.demo.generator`` (the trace domain's synthetic chain) gives about fifty parties over the eight classes and
a stream of EPCIS events per chain. This module registers those parties with their roles, catalog class, licence
and site; their products (every GTIN the generator can use, under the class of its chain); and the city's local
catalog. It then completes each event with the data elements the catalog in effect requires of it (合格证 number,
batch, expiry, electronic waybill …), deterministically, so loading twice stores nothing new.

Planted problems on top of the generator's own (a case shipped and never received, an item sold after its
destruction, a transformation putting out more than it took in, a receipt dated before its shipment):

- an inspection that failed (``non_conformant``, 检验结论 不合格) of a food chain;
- an incomplete rare-earth shipment (no batch): accepted and flagged, rare earth being configured to flag;
- an incomplete drug shipment (no batch, no expiry): refused by capture, visible in its capture job.
"""

import hashlib
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import islice
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum import ean

from zhuisu.catalog import enforcement
from zhuisu.catalog import service as catalog_service
from zhuisu.catalog.elements import prefixes
from zhuisu.catalog.rules import Catalog, Element
from zhuisu.codes import sc_licence
from zhuisu.demo import enterprises, generator
from zhuisu.models import Licence, Location, Party, Product
from zhuisu.parties import masterdata, vocabulary
from zhuisu.parties import service as parties_service

LOCAL_CATALOG = "local-370100-2026.1"
#: The sub-class each generated chain's parties and products are registered under.
SUBCLASS = {
    "edible_agri": "edible_agri.meat", "food": "food.dairy", "drug": "drug.preparation",
    "agri_input": "agri_input.pesticide", "special_equipment": "special_equipment.elevator",
    "hazardous": "hazardous.civil_explosive", "rare_earth": "rare_earth.smelted", "imported": "imported.wine",
}  # fmt: skip
#: Licence type by (class, role); the first role of a party decides.
_LICENCES = {
    ("edible_agri", "producer"): "animal_epidemic_prevention", ("food", "producer"): "sc_food_production",
    ("food", "processor"): "sc_food_production", ("edible_agri", "processor"): "sc_food_production",
    ("drug", "producer"): "drug_manufacturing", ("drug", "processor"): "drug_manufacturing",
    ("drug", "hospital"): "medical_institution", ("agri_input", "producer"): "pesticide_production",
    ("agri_input", "processor"): "pesticide_registration", ("agri_input", "retailer"): "pesticide_business",
    ("special_equipment", "processor"): "special_equipment_manufacture",
    ("special_equipment", "retailer"): "special_equipment_installation",
    ("hazardous", "producer"): "hazardous_chemical_production", ("hazardous", "processor"): "explosive_production",
    ("hazardous", "wholesaler"): "explosive_sale", ("hazardous", "retailer"): "fireworks_business",
    ("rare_earth", "producer"): "mining", ("imported", "importer"): "customs_registration",
    ("drug", "wholesaler"): "drug_distribution", ("drug", "retailer"): "drug_distribution",
    ("agri_input", "wholesaler"): "pesticide_business",
}  # fmt: skip
_ZS = generator.ZS_NS
_VOC = "https://zhuisu.cn/voc/BTT-"


@dataclass(frozen=True)
class Planted:
    """Which generated events are planted problems: left incomplete, or followed by a failed inspection."""

    incomplete: frozenset[str]
    failed_inspection_after: str


#: Enterprises registered (备案) but not tracing yet, so coverage falls short of the target in places:
#: (name, catalog class, district, role).
IDLE_PARTIES = (
    ("示范市康宁大药房", "drug.preparation", "370102", "pharmacy"),
    ("示范市第三中学食堂", "food.dairy", "370103", "canteen"),
    ("示范市东城农贸市场", "edible_agri.meat", "370115", "market"),
    ("示范市西城农贸市场", "edible_agri.vegetable", "370115", "market"),
    ("示范市安达爆破工程公司", "hazardous.civil_explosive", "370105", "user"),
    ("示范市丰收农资店", "agri_input.pesticide", "370114", "retailer"),
)


def _role_class(party: generator.DemoParty) -> str:
    return SUBCLASS.get(party.product_class, party.product_class)


def register_parties(session: Session, *, seed: int) -> dict[str, Party]:
    """The demo city's parties by generator key, with their profile, one licence and one site each, plus the
    ``IDLE_PARTIES`` (existing ones kept)."""
    out: dict[str, Party] = {}
    for n, p in enumerate(generator.demo_parties(seed), start=1):
        party = parties_service.find_party_by_identifier(session, p.uscc)
        roles = [r for r in p.roles if r in vocabulary.ROLES]
        if party is None:
            party = parties_service.create_party(
                session,
                name=p.name,
                uscc=p.uscc,
                gln=p.gln,
                region=p.region,
                party_type="enterprise",
                roles=roles,
                product_class=_role_class(p),
                address=f"示范市{p.region[-2:]}区示范路 {n} 号",
            )
        _ensure_licence(session, party, p, n)
        if session.scalar(select(Location.id).where(Location.gln == p.gln)) is None:
            masterdata.add_location(
                session, party, name=f"{p.name}主场所", gln=p.gln, region=p.region, address=party.address or ""
            )
        out[p.key] = party
    for n, (name, class_id, region, role) in enumerate(IDLE_PARTIES, start=1):
        code = _uscc(region, 900 + n)
        if parties_service.find_party_by_identifier(session, code) is None:
            parties_service.create_party(
                session,
                name=name,
                uscc=code,
                region=region,
                party_type="enterprise",
                roles=[role],
                product_class=class_id,
            )
    return out


def _uscc(region: str, n: int) -> str:
    return enterprises.uscc(region, n, kind="92")  # 92: a sole trader


def _ensure_licence(session: Session, party: Party, p: generator.DemoParty, n: int) -> None:
    if session.scalar(select(Licence.id).where(Licence.party_id == party.id)) is not None:
        return
    kind = _LICENCES.get(
        (p.product_class, p.roles[0]),
        "food_business" if p.product_class in ("edible_agri", "food", "imported") else "other",
    )
    number = _sc_number(p.region, n) if kind == "sc_food_production" else f"{kind[:2].upper()}{p.region}{n:05d}"
    masterdata.add_licence(
        session,
        party,
        licence_type=kind,
        number=number,
        issuer="示范市行政审批服务局",
        valid_from=date(2025, 1, 1),
        valid_to=date(2030, 12, 31),
    )


def _sc_number(region: str, n: int) -> str:
    # 1 食品 + 05 乳制品 + region + sequence + a check digit (not verified by the scheme)
    return sc_licence.validate(f"SC105{region}{n:04d}0")


def product_gtin(cls: str, *, tier: int, slot: int) -> str:
    """The GTIN-14 ``register_products`` gives a class's product of ``tier`` (1 raw, 2 product) and ``slot``."""
    body = f"690{generator.CLASSES.index(cls):04d}{tier}{slot:05d}"[:13]
    return (body + ean.calc_check_digit(body)).zfill(14)


def register_products(session: Session, parties: dict[str, Party]) -> int:
    """Every GTIN the generator can use (per class: tier 1 raw, tier 2 product; 97 chain slots), under the class of
    its chain, made by the chain's producer or processor. Returns how many were added."""
    existing = set(session.scalars(select(Product.gtin)))
    added = 0
    for index, cls in enumerate(generator.CLASSES):
        for tier in (1, 2):
            maker = parties[f"{cls}-{'producer' if tier == 1 else 'processor'}"]
            for slot in range(97):
                body = f"690{index:04d}{tier}{slot:05d}"[:13]
                gtin = (body + ean.calc_check_digit(body)).zfill(14)
                if gtin in existing:
                    continue
                masterdata.register_product(
                    session,
                    name=f"{maker.name}{'原料' if tier == 1 else '产品'}{slot:02d}",
                    class_id=SUBCLASS[cls],
                    producer=maker,
                    gtin=gtin,
                    spec="标准装",
                )
                added += 1
    return added


def load_local_catalog(session: Session) -> bool:
    _, created = catalog_service.load_release(session, catalog_service.example_document(LOCAL_CATALOG))
    return created


def planted(events: list[tuple[str, dict[str, Any]]]) -> Planted:
    """Choose the planted problems among the first generated events (deterministic)."""
    first_shipping: dict[str, str] = {}
    for key, event in events:
        cls = key.split("-")[0]
        if event.get("bizStep") == "shipping" and cls in ("rare_earth", "drug") and cls not in first_shipping:
            first_shipping[cls] = event["eventID"]
    inspected = next(e["eventID"] for k, e in events if k == "food-processor" and e["type"] == "TransformationEvent")
    return Planted(frozenset(first_shipping.values()), inspected)


def complete(event: dict[str, Any], catalog: Catalog, class_id: str, recorder: generator.DemoParty) -> dict[str, Any]:
    """The event with every element the catalog requires of it added, and what the hazardous sector's checks read
    (``_hazardous``) (a copy; the input is left alone)."""
    bound = prefixes(generator.CONTEXT)
    broken = enforcement.violations(catalog, event, [class_id], bound)
    hazardous = class_id.split(".")[0] == "hazardous"
    if not broken and not hazardous:
        return event
    out = {**event}
    for violation in broken:
        for element in violation.missing:
            _fill(out, element, recorder)
    return _hazardous(out) if hazardous else out


#: The witnesses the city's hazardous destructions name (``zs:witnesses``: the ``destruction_witnessed`` interlock).
WITNESSES = [{"name": "示范市应急管理局 王监督", "role": "监管人员"}, {"name": "企业安全员 李安全", "role": "企业"}]


def _hazardous(event: dict[str, Any]) -> dict[str, Any]:
    """A hazardous movement's shipping and receiving name the same electronic waybill (``waybill_number``; the
    loader creates the waybills of movements of identified goods, ``demo.hazardous.city_waybills``); a destruction
    names its two witnesses."""
    step = event.get("bizStep")
    number = waybill_number(event)
    if number is not None and step in ("shipping", "receiving"):
        entry = {"type": _VOC + "e_waybill", "bizTransaction": f"urn:zhuisu:e_waybill:{number}"}
        others = [e for e in event.get("bizTransactionList", []) if e.get("type") != entry["type"]]
        event["bizTransactionList"] = [*others, entry]
    if step == "destroying" and "zs:witnesses" not in event:
        event["zs:witnesses"] = [dict(w) for w in WITNESSES]
    return event


def waybill_number(event: dict[str, Any]) -> str | None:
    """The electronic waybill number of a generated movement, the same for its shipping and its receiving: from the
    owning parties it goes between and what it moves. None for an event that names no such parties."""

    def owner(member: str, key: str) -> str | None:
        return next((e[key] for e in event.get(member) or () if e.get("type") == "owning_party"), None)

    source, destination = owner("sourceList", "source"), owner("destinationList", "destination")
    if source is None or destination is None:
        return None
    moved = sorted([*event.get("epcList", []), *(str(q.get("epcClass")) for q in event.get("quantityList", []))])
    digest = hashlib.sha256("|".join([source, destination, *moved]).encode()).hexdigest()[:12].upper()
    return f"YD{digest}"


def _fill(event: dict[str, Any], element: Element, recorder: generator.DemoParty) -> None:
    value = _value(element.key, event, recorder)
    for locator in element.any_of:
        if "bizTransaction" in locator:
            number = hashlib.sha256(f"{event['eventID']}/{element.key}".encode()).hexdigest()[:12].upper()
            entry = {"type": locator["bizTransaction"], "bizTransaction": f"urn:zhuisu:doc:{element.key}:{number}"}
            event["bizTransactionList"] = [*event.get("bizTransactionList", []), entry]
            return
        if "extension" in locator and locator.get("ns") == _ZS:
            event[f"zs:{locator['extension']}"] = value
            return


def _value(key: str, event: dict[str, Any], recorder: generator.DemoParty) -> str:
    day = date.fromisoformat(event["eventTime"][:10])
    digest = hashlib.sha256(f"{event['eventID']}/{key}".encode()).hexdigest()[:10].upper()
    return {
        "origin": recorder.region,
        "origin_country": "FR",
        "production_date": day.isoformat(),
        "expiry": (day + timedelta(days=730)).isoformat(),
        "batch": f"B{day:%Y%m%d}{digest[:4]}",
        "inspection_result": "合格",
        "equipment_code": f"311037{recorder.gln[-3:]}{day.year}{int(digest, 16) % 10**5:05d}",
        "registration_number": "PD20262026",
        "quota": "稀土指标〔2026〕12号",
    }.get(key, f"{key}:{digest}")


def failed_inspection(after: dict[str, Any]) -> dict[str, Any]:
    """An inspection of the transformation's outputs that failed (检验结论 不合格)."""
    when = date.fromisoformat(after["eventTime"][:10]).isoformat()
    return {
        "type": "ObjectEvent",
        "eventID": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, after['eventID'] + '/failed-inspection')}",
        "eventTime": f"{when}T23:00:00.000+08:00",
        "eventTimeZoneOffset": "+08:00",
        "action": "OBSERVE",
        "epcList": after.get("outputEPCList", [])[:2],
        "bizStep": "inspecting",
        "disposition": "non_conformant",
        "readPoint": after["readPoint"],
        "bizLocation": after["bizLocation"],
        "bizTransactionList": [{"type": "testres", "bizTransaction": "urn:zhuisu:doc:report:SF-2026-0001"}],
        "zs:result": "不合格",
        "zs:inspector": "示范市食品药品检验检测中心",
        "zs:item": "菌落总数超标",
    }


def city_events(total: int, *, seed: int, catalog: Catalog) -> Iterator[tuple[str, dict[str, Any]]]:
    """The generator's events, completed, with the planted problems; (recorder key, event)."""
    parties = {p.key: p for p in generator.demo_parties(seed)}
    head = list(islice(generator.generate(total, seed), 400))
    plant = planted(head)
    for key, event in generator.generate(total, seed):
        recorder = parties[key]
        done = (
            event if event["eventID"] in plant.incomplete else complete(event, catalog, _role_class(recorder), recorder)
        )
        yield key, done
        if event["eventID"] == plant.failed_inspection_after:
            yield key, failed_inspection(event)


def batches(total: int, *, seed: int, catalog: Catalog, size: int) -> Iterator[list[tuple[str, list[dict[str, Any]]]]]:
    """The city's events in rounds of about ``size``, each round grouped by recorder (first appearance order)."""
    round_: dict[str, list[dict[str, Any]]] = {}
    count = 0
    for key, event in city_events(total, seed=seed, catalog=catalog):
        round_.setdefault(key, []).append(event)
        count += 1
        if count >= size:
            yield list(round_.items())
            round_, count = {}, 0
    if round_:
        yield list(round_.items())


# --- planted risk anomalies (oversight/rules): one of each rule the generator does not plant itself --------------
# The generator plants a case shipped and never received (shipped_not_received) and an item sold after it was
# destroyed (after_destruction) — its transformation putting out more than it took in (chain 41) is of a class
# without lots, so weighs nothing — and ``city_events`` a failed inspection of a lot shipped afterwards
# (failed_inspection_in_circulation). These add the rest.


def _gap_gln() -> str:
    return "6909999000" + "01" + ean.calc_check_digit("690999900001")


#: The idle pharmacy as a recorder of the planted recording gap (its site a GLN nobody registered).
GAP_PARTY = generator.DemoParty(
    "idle-pharmacy", IDLE_PARTIES[0][0], _uscc("370102", 901), _gap_gln(), "370102", ("pharmacy",), "drug"
)


def _risk_gtin(cls: str, tier: int = 2) -> str:
    body = f"690{generator.CLASSES.index(cls):04d}{tier}{0:05d}"[:13]
    return body + ean.calc_check_digit(body)


def _risk_event(
    party: generator.DemoParty, name: str, when: datetime, kind: str = "ObjectEvent", **fields: Any
) -> tuple[str, dict[str, Any]]:
    site = {"id": f"https://id.gs1.org/414/{party.gln}"}
    return party.key, {
        "type": kind,
        "eventID": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{generator.ZS_NS}risk/{name}')}",
        "eventTime": when.isoformat(timespec="milliseconds"),
        "eventTimeZoneOffset": "+08:00",
        **({"action": "OBSERVE"} if kind == "ObjectEvent" else {}),
        **fields,
        "readPoint": site,
        "bizLocation": site,
    }


def risk_events(*, seed: int, catalog: Catalog) -> list[tuple[str, dict[str, Any]]]:
    """The planted anomalies (recorder key, completed event), by rule:

    - ``duplicate_sale``: one drug box dispensed by a hospital, then by a pharmacy;
    - ``mass_balance``: the slaughterhouse turns 100 kg of pigs into 130 kg of meat (tolerance 2 %); and the
      edible-agri wholesaler, having received 50 kg of a meat lot from the slaughterhouse, ships 80 kg of it
      (``lot-in``, ``lot-out``: the lot's balance at the wholesaler);
    - ``licence_missing``: the dairy wholesaler, without a drug licence, records a drug box in store;
    - ``temperature_excursion``: the dairy wholesaler's store at 15 °C (dairy: 0 to 6 °C);
    - ``received_not_shipped``: a supermarket receives a pallet nobody shipped;
    - ``recording_gap``: the pharmacy registered as idle (``IDLE_PARTIES``, key ``GAP_PARTY.key``) recorded daily
      for six days, ten days before the chain, then stopped.
    """
    parties = {p.key: p for p in generator.demo_parties(seed)} | {GAP_PARTY.key: GAP_PARTY}
    start = generator.START
    drug_box = f"https://id.gs1.org/01/{_risk_gtin('drug')}/21/RISK-DUP-1"
    stored_box = f"https://id.gs1.org/01/{_risk_gtin('drug')}/21/RISK-LIC-1"
    milk = f"https://id.gs1.org/01/{_risk_gtin('food')}/21/RISK-TEMP-1"
    pallet = "https://id.gs1.org/00/069099999999000010"
    pigs = f"https://id.gs1.org/01/{_risk_gtin('edible_agri', 1)}/10/RISK-MB-IN"
    meat = f"https://id.gs1.org/01/{_risk_gtin('edible_agri')}/10/RISK-MB-OUT"
    lot_in = f"https://id.gs1.org/01/{_risk_gtin('edible_agri', 1)}/10/RISK-LOT-IN"
    lot = f"https://id.gs1.org/01/{_risk_gtin('edible_agri')}/10/RISK-LOT"
    wholesaler = parties["food-wholesaler"]
    plant, meat_trader = parties["edible_agri-processor"], parties["edible_agri-wholesaler"]
    butcher = parties["edible_agri-market-0"]

    def custody(frm: generator.DemoParty, to: generator.DemoParty) -> dict[str, Any]:
        return {
            "sourceList": [{"type": "owning_party", "source": f"https://id.gs1.org/417/{frm.gln}"}],
            "destinationList": [{"type": "owning_party", "destination": f"https://id.gs1.org/417/{to.gln}"}],
        }

    events = [
        _risk_event(parties["drug-hospital-0"], "dup-1", start + timedelta(hours=2), epcList=[drug_box],
                    bizStep="dispensing", disposition="dispensed"),
        _risk_event(parties["drug-retailer-1"], "dup-2", start + timedelta(hours=30), epcList=[drug_box],
                    bizStep="dispensing", disposition="dispensed"),
        _risk_event(parties["edible_agri-processor"], "mass-balance", start + timedelta(hours=6),
                    "TransformationEvent", inputQuantityList=[{"epcClass": pigs, "quantity": 100.0, "uom": "KGM"}],
                    outputQuantityList=[{"epcClass": meat, "quantity": 130.0, "uom": "KGM"}],
                    bizStep="commissioning", disposition="active"),
        _risk_event(parties["food-wholesaler"], "licence", start + timedelta(hours=3), epcList=[stored_box],
                    bizStep="storing", disposition="in_progress"),
        _risk_event(wholesaler, "temperature", start + timedelta(hours=4), epcList=[milk], bizStep="storing",
                    disposition="in_progress",
                    sensorElementList=[{"sensorReport": [{"type": "gs1:Temperature", "value": 15.0, "uom": "CEL"}]}]),
        _risk_event(parties["food-retailer-0"], "unshipped", start + timedelta(hours=5), epcList=[pallet],
                    bizStep="receiving", disposition="in_progress",
                    sourceList=[{"type": "owning_party", "source": f"https://id.gs1.org/417/{wholesaler.gln}"}],
                    destinationList=[{"type": "owning_party",
                                      "destination": f"https://id.gs1.org/417/{parties['food-retailer-0'].gln}"}]),
        _risk_event(plant, "lot-made", start + timedelta(hours=7), "TransformationEvent",
                    inputQuantityList=[{"epcClass": lot_in, "quantity": 60.0, "uom": "KGM"}],
                    outputQuantityList=[{"epcClass": lot, "quantity": 50.0, "uom": "KGM"}],
                    bizStep="commissioning", disposition="active"),
        _risk_event(plant, "lot-shipped", start + timedelta(hours=8), quantityList=[{"epcClass": lot,
                    "quantity": 50.0, "uom": "KGM"}], bizStep="shipping", disposition="in_transit",
                    **custody(plant, meat_trader)),
        _risk_event(meat_trader, "lot-in", start + timedelta(hours=10), quantityList=[{"epcClass": lot,
                    "quantity": 50.0, "uom": "KGM"}], bizStep="receiving", disposition="in_progress",
                    **custody(plant, meat_trader)),
        _risk_event(meat_trader, "lot-out", start + timedelta(hours=12), quantityList=[{"epcClass": lot,
                    "quantity": 80.0, "uom": "KGM"}], bizStep="shipping", disposition="in_transit",
                    **custody(meat_trader, butcher)),
        _risk_event(butcher, "lot-received", start + timedelta(hours=14), quantityList=[{"epcClass": lot,
                    "quantity": 80.0, "uom": "KGM"}], bizStep="receiving", disposition="in_progress",
                    **custody(meat_trader, butcher)),
    ] + [
        _risk_event(GAP_PARTY, f"daily-{d}", start - timedelta(days=10 - d), epcList=[pallet],
                    bizStep="storing", disposition="in_progress")
        for d in range(6)
    ]  # fmt: skip
    return [(key, complete(event, catalog, _role_class(parties[key]), parties[key])) for key, event in events]
