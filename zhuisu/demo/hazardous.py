"""The demo's hazardous chemical chain (危险化学品, ``zhuisu.sectors.hazardous``), recorded through the services the
pages and the API use, with each of the sector's alerts planted once; and the electronic waybills of the demo
city's generated hazardous movements (``city_waybills``).

The chain, all in 示范市历下区 (370102, the district regulator's jurisdiction), times relative to now:

- 示范市历下精细化工有限公司 (producer) makes sodium cyanide (氰化钠, a highly toxic chemical) and perchloric acid
  for laboratories (高氯酸, an explosive precursor reagent) and sends 200 kg and 25 kg to the distributor under
  waybill ``HZ-DEMO-01`` (received in full);
- 示范市泉城危化品经营有限公司 (distributor, warehouse 危化品仓库) holds a toxic chemicals purchase permit (limit
  1,000 kg) and a hazardous chemicals business licence; it sells 50 kg (``HZ-DEMO-02``, **48 kg received**: a
  quantity mismatch) and 20 kg (``HZ-DEMO-03``, **shipped, never received**: not closed when its window ended) to the
  buyer; **destroys 5 kg with no witness** (stored, flagged ``interlock:destruction_witnessed``); sells 2.5 kg of
  perchloric acid to the buyer's agent at the counter, **the buyer holding no permit of that class** (stored, flagged
  ``interlock:buyer_permit``: see ``LOCAL_CATALOG``); plans ``HZ-DEMO-05`` (cancelled by the carrier) and
  ``HZ-DEMO-04`` (tomorrow, planned); then **counts 120 kg where the books say 125 kg**;
- 示范市危货运输有限公司 (carrier, road dangerous goods transport permit) with its driver and escort carries them;
- 示范市历下电镀有限公司 (buyer) holds a toxic chemicals purchase permit (limit 100 kg) and registered its agent by
  name; it **records a receipt of 10 kg naming the cancelled waybill** (a receipt without a matching waybill).

Alerts: ``hazardous_quantity_mismatch``, ``hazardous_receipt_unmatched`` and ``hazardous_stock_difference`` at
capture, ``hazardous_waybill_unclosed`` at the next scan, and two ``interlock`` alerts (the destruction, the sale).

Idempotent: fixed eventIDs (events already stored are counted as duplicates and not sent again), parties found by
name, permits and waybills by number.
"""

import uuid
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuisu.capture import service as capture_service
from zhuisu.catalog import service as catalog_service
from zhuisu.config import get_settings
from zhuisu.db.engine import node_settings
from zhuisu.demo import city, enterprises, generator
from zhuisu.demo.enterprises import DemoParty
from zhuisu.kit.time import BEIJING, parse_iso, utc_now
from zhuisu.models import Event, Party, Product
from zhuisu.oversight.inspections import service as inspections_service
from zhuisu.parties import masterdata
from zhuisu.parties import service as parties_service
from zhuisu.sectors.hazardous import service as hazardous_service
from zhuisu.sectors.hazardous.schemas import (
    CrewMember,
    Goods,
    IdentityCreate,
    PermitCreate,
    WaybillCancel,
    WaybillCreate,
)

REGION = "370102"
#: The company prefix of the demo\'s GLNs and GTINs.
PREFIX = "690888"
_gln = partial(enterprises.gln, PREFIX)
_gtin = partial(enterprises.gtin, PREFIX)
_uscc = partial(enterprises.uscc, REGION)
#: The authority confirming the chain's licences: the demo city's regulator (``demo.service.DEMO_ACTORS``).
AUTHORITY = ("示范市市场监督管理局", "3701", "370100")
ISSUER = "示范市应急管理局"
BTT = "https://zhuisu.cn/voc/BTT-"
SOURCE = "zhuisu demo load (危险品)"
#: The district's local catalog: perchloric acid and other explosive precursors sold as laboratory reagents in small
#: packs form a class of their own whose sales are flagged (stored, for the regulator to follow up) rather than
#: refused — the national sale rule's interlocks apply to it unchanged (``docs/hazardous.md``, "The demo").
LAB_CLASS = "hazardous.explosive_precursor.lab_reagent"
LOCAL_CATALOG: dict[str, Any] = {
    "format": "zhuisu-catalog/1",
    "scope": "local",
    "region": REGION,
    "version": "2026.1",
    "effective_from": "2026-01-01",
    "title": "示范市历下区危险化学品管理试点目录（地方补充）",
    "title_en": "Lixia district hazardous chemicals pilot (additions to the national catalog)",
    "classes": [
        {
            "id": LAB_CLASS,
            "name": "实验室用易制爆试剂（小包装）",
            "name_en": "Explosive precursor laboratory reagents (small packs)",
            "parent": "hazardous.explosive_precursor",
            "key": True,
            "enforcement": "flag",
        }
    ],
    "elements": {},
    "rules": [],
}


#: The chain's parties (all registered in ``REGION`` under a hazardous class; the carrier records no event).
PARTIES = (
    DemoParty("producer", "示范市历下精细化工有限公司", _uscc(8801), _gln(1), "生产厂区", _gln(11), "producer",
              "hazardous.toxic_chemical"),
    DemoParty("distributor", "示范市泉城危化品经营有限公司", _uscc(8802), _gln(2), "危化品仓库", _gln(12),
              "wholesaler", "hazardous.toxic_chemical"),
    DemoParty("carrier", "示范市危货运输有限公司", _uscc(8803), _gln(3), "停车场", _gln(13), "logistics", "hazardous"),
    DemoParty("buyer", "示范市历下电镀有限公司", _uscc(8804), _gln(4), "电镀车间库房", _gln(14), "user",
              "hazardous.toxic_chemical"),
)  # fmt: skip
CYANIDE, PERCHLORIC = _gtin(1), _gtin(2)
#: (key of the holder, licence type, number, quantity limit in KGM or None). Numbers in ASCII: events name them in
#: URIs (``urn:zhuisu:permit:{number}``).
LICENCES = (
    ("producer", "hazardous_chemical_production", "WHSC-370102-2026-0101", None),
    ("distributor", "hazardous_chemical_business", "WHJY-370102-2026-0001", None),
    ("distributor", "toxic_chemical_purchase", "GM-370102-2026-0001", 1000.0),
    ("carrier", "dangerous_goods_transport", "DLYS-370102-000001", None),
    ("buyer", "toxic_chemical_purchase", "GM-370102-2026-0002", 100.0),
)
#: The agents registered by name (实名) for the distributor and the buyer: (key, name, resident ID number).
AGENTS = (("distributor", "赵经办", "370102198503150018"), ("buyer", "钱采购", "370102199007080027"))
DRIVER = CrewMember(name="孙师傅", qualification="鲁370102000123", qualification_valid_to=date(2030, 12, 31))
ESCORT = CrewMember(name="李押运", qualification="鲁370102000456", qualification_valid_to=date(2030, 12, 31))
PLATE = "鲁AD1234"
#: The waybill the carrier cancels (a receipt naming it is unmatched), and why.
CANCELLED = ("HZ-DEMO-05", "车辆故障，改期承运")


def plant(session: Session) -> tuple[int, int]:
    """Record the demo's hazardous chemical chain with its planted anomalies; idempotent. (captured, duplicates)."""
    catalog_service.load_release(session, LOCAL_CATALOG)
    found = {p.key: _party(session, p) for p in PARTIES}
    _products(session, found["producer"])
    permits = _licences(session, found)
    ids = _identities(session, found)
    t0 = _start(session)
    tally = [0, 0]

    def capture(key: str, *events: dict[str, Any]) -> None:
        captured, duplicates = _capture(session, found[key], events)
        tally[0] += captured
        tally[1] += duplicates

    def waybill(
        number: str, frm: str, to: str, goods: Sequence[tuple[str, float]], start: datetime, hours: int
    ) -> None:
        route = (found[frm], found[to], _by_key(frm).site_gln, _by_key(to).site_gln)
        _waybill(session, number, route, found["carrier"], goods, (start, start + timedelta(hours=hours)))

    producer, distributor, buyer = (_by_key(k) for k in ("producer", "distributor", "buyer"))
    lot_c, lot_p = f"https://id.gs1.org/01/{CYANIDE}/10/QH2601", f"https://id.gs1.org/01/{PERCHLORIC}/10/GL2601"
    # made at the producer, then 200 kg and 25 kg to the distributor (received in full)
    capture("producer", _event("made", t0, "commissioning", producer, [(lot_c, 500), (lot_p, 100)], action="ADD"))
    waybill("HZ-DEMO-01", "producer", "distributor", [(lot_c, 200), (lot_p, 25)], t0 + timedelta(hours=1), 8)
    sold_to_distributor = _sale(distributor, ids["distributor"], [permits["GM-370102-2026-0001"], permits["JY"]])
    capture("producer", _event("w1-shipped", t0 + timedelta(hours=2), "shipping", producer,
                               [(lot_c, 200), (lot_p, 25)], **_custody(producer, distributor, "HZ-DEMO-01"),
                               **sold_to_distributor))  # fmt: skip
    capture("distributor", _event("w1-received", t0 + timedelta(hours=6), "receiving", distributor,
                                  [(lot_c, 200), (lot_p, 25)],
                                  **_custody(producer, distributor, "HZ-DEMO-01")))  # fmt: skip
    # two sales to the buyer: 50 kg of which 48 arrive; 20 kg that never arrive
    day = t0 + timedelta(days=1)
    waybill("HZ-DEMO-02", "distributor", "buyer", [(lot_c, 50)], day, 6)
    waybill("HZ-DEMO-03", "distributor", "buyer", [(lot_c, 20)], day + timedelta(hours=2), 6)
    sold_to_buyer = _sale(buyer, ids["buyer"], [permits["GM-370102-2026-0002"]])
    capture("distributor",
            _event("w2-shipped", day + timedelta(hours=1), "shipping", distributor, [(lot_c, 50)],
                   **_custody(distributor, buyer, "HZ-DEMO-02"), **sold_to_buyer),
            _event("w3-shipped", day + timedelta(hours=3), "shipping", distributor, [(lot_c, 20)],
                   **_custody(distributor, buyer, "HZ-DEMO-03"), **sold_to_buyer))  # fmt: skip
    capture("buyer", _event("w2-received", day + timedelta(hours=4), "receiving", buyer, [(lot_c, 48)],
                            **_custody(distributor, buyer, "HZ-DEMO-02")))  # fmt: skip
    # 5 kg of a damaged drum of an older lot destroyed with no witness; perchloric acid sold at the counter to the
    # buyer's agent, naming no permit (the buyer holds only a toxic chemicals one)
    old_lot = f"https://id.gs1.org/01/{CYANIDE}/10/QH2512"
    capture("distributor",
            _event("destroyed", day + timedelta(hours=10), "destroying", distributor, [(old_lot, 5)],
                   action="DELETE", disposition="destroyed"),
            _event("counter-sale", t0 + timedelta(days=2), "retail_selling", distributor, [(lot_p, 2.5)],
                   disposition="retail_sold", **_custody(distributor, buyer, None),
                   **_sale(buyer, ids["buyer"], [])))  # fmt: skip
    # a waybill the carrier cancels, yet the buyer records a receipt naming it
    later = t0 + timedelta(days=2)
    waybill(CANCELLED[0], "distributor", "buyer", [(lot_c, 10)], later, 6)
    _cancel(session, CANCELLED[0], found["carrier"])
    capture("buyer", _event("w5-received", later + timedelta(hours=3), "receiving", buyer, [(lot_c, 10)],
                            **_custody(distributor, buyer, CANCELLED[0])))  # fmt: skip
    # the distributor's count: 120 kg, where the books say 200 − 50 − 20 − 5 = 125
    capture("distributor", _event("counted", later + timedelta(hours=5), "stock_taking", distributor,
                                  [(lot_c, 120)], disposition="in_progress"))  # fmt: skip
    # and one planned for tomorrow
    tomorrow = (utc_now() + timedelta(days=1)).astimezone(BEIJING).replace(minute=0, second=0, microsecond=0)
    waybill("HZ-DEMO-04", "distributor", "buyer", [(lot_c, 10)], tomorrow, 6)
    return tally[0], tally[1]


def _by_key(key: str) -> DemoParty:
    return next(p for p in PARTIES if p.key == key)


def _start(session: Session) -> datetime:
    """Three days before now, on the hour (Beijing) — or, once the chain is stored, the time its first event gave
    it, so a second run builds the same events."""
    first = session.scalar(select(Event.event_time).where(Event.event_id == _event_id("made")))
    if first is not None:
        return first.astimezone(BEIJING)
    return (utc_now() - timedelta(days=3)).astimezone(BEIJING).replace(minute=0, second=0, microsecond=0)


def authority(session: Session) -> Party:
    """The regulator that confirms the demo's hazardous licences (created as ``demo.service.demo_actor`` would)."""
    name, jurisdiction, region = AUTHORITY
    found = parties_service.find_party_by_name(session, name)
    if found is None:
        found = parties_service.create_party(session, name=name, region=region, party_type="government")
        parties_service.grant(session, found, actor_role="regulator", jurisdiction=jurisdiction)
    return found


def _party(session: Session, p: DemoParty) -> Party:
    return enterprises.register(
        session, p, region=REGION, product_class=p.class_id, address=f"示范市历下区化工路 {PARTIES.index(p) + 1} 号"
    )


def carrier(session: Session) -> Party:
    """The carrier (found by name, else registered with its confirmed road dangerous goods transport permit)."""
    found = _party(session, _by_key("carrier"))
    _licences(session, {"carrier": found})
    return found


def _products(session: Session, producer: Party) -> None:
    known = set(session.scalars(select(Product.gtin).where(Product.gtin.in_([CYANIDE, PERCHLORIC]))))
    for gtin, name, class_id in (
        (CYANIDE, "氰化钠（工业级，25 kg 桶装）", "hazardous.toxic_chemical"),
        (PERCHLORIC, "高氯酸（分析纯，500 mL 瓶装）", LAB_CLASS),
    ):
        if gtin not in known:
            masterdata.register_product(session, name=name, class_id=class_id, producer=producer, gtin=gtin)


def _licences(session: Session, parties: dict[str, Party]) -> dict[str, str]:
    """The licences of ``parties`` (``LICENCES``), registered and confirmed once: number (and ``JY`` for the
    distributor's business licence) → number."""
    regulator = authority(session)
    out: dict[str, str] = {}
    for key, kind, number, limit in LICENCES:
        if key not in parties:
            continue
        holder = parties[key]
        held = {x.number: x for x in masterdata.list_licences(session, party=holder)}
        licence = held.get(number)
        if licence is None:
            body = PermitCreate(
                party=holder.id,
                licence_type=kind,
                number=number,
                issuer="示范市交通运输局" if kind == "dangerous_goods_transport" else ISSUER,
                valid_from=date(2026, 1, 1),
                valid_to=date(2030, 12, 31),
                quantity_limit=limit,
                quantity_unit="KGM" if limit else None,
            )
            hazardous_service.register_permit(session, body, actor=None)
            held = {x.number: x for x in masterdata.list_licences(session, party=holder)}
            licence = held[number]
        if licence.confirmed_at is None:
            inspections_service.confirm_licence(session, licence.id, actor=regulator, classes=["hazardous"])
        out[number] = number
        if kind == "hazardous_chemical_business":
            out["JY"] = number
    return out


def _identities(session: Session, parties: dict[str, Party]) -> dict[str, str]:
    settings = node_settings(session) or get_settings()
    out = {}
    for key, name, number in AGENTS:
        body = IdentityCreate(buyer=parties[key].id, name=name, id_number=number)
        out[key] = hazardous_service.register_identity(session, settings, body, actor=None).identity
    return out


def _waybill(
    session: Session,
    number: str,
    route: tuple[Party, Party, str, str],
    by: Party,
    goods: Sequence[tuple[str, float]],
    window: tuple[datetime, datetime],
    *,
    uom: str = "KGM",
) -> None:
    """Create waybill ``number`` (unless it exists) as its consignor would: ``route`` is (consignor, consignee,
    origin GLN, destination GLN)."""
    if hazardous_service.find_waybills(session, [number]):
        return
    frm, to, origin, destination = route
    permit = next(
        (
            x.number
            for x in masterdata.list_licences(session, party=by)
            if x.licence_type == "dangerous_goods_transport"
        ),
        "",
    )
    body = WaybillCreate(
        number=number,
        carrier=by.id,
        consignee=to.id,
        origin=origin,
        destination=destination,
        vehicle_plate=PLATE,
        driver=DRIVER,
        escort=ESCORT,
        goods=[Goods(code=code, quantity=quantity, uom=uom) for code, quantity in goods],
        route="经城市快速路、经十路至收货地" if frm.region == to.region else "G20 青银高速",
        window_start=window[0],
        window_end=window[1],
        permit_number=permit,
    )
    hazardous_service.create_waybill(session, body, actor=frm)


def _cancel(session: Session, number: str, by: Party) -> None:
    found = hazardous_service.find_waybills(session, [number]).get(number)
    if found is not None and found.cancelled_at is None:
        hazardous_service.cancel_waybill(session, number, WaybillCancel(reason=CANCELLED[1]), actor=by)


def _event_id(name: str) -> str:
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{generator.ZS_NS}demo/hazardous/{name}')}"


def _event(
    name: str,
    when: datetime,
    step: str,
    at: DemoParty,
    quantities: Sequence[tuple[str, float]],
    *,
    action: str = "OBSERVE",
    disposition: str | None = None,
    **fields: Any,
) -> dict[str, Any]:
    site = {"id": f"https://id.gs1.org/414/{at.site_gln}"}
    return {
        "type": "ObjectEvent",
        "eventID": _event_id(name),
        "eventTime": when.astimezone(BEIJING).isoformat(timespec="milliseconds"),
        "eventTimeZoneOffset": "+08:00",
        "action": action,
        "bizStep": step,
        **({"disposition": disposition} if disposition else {}),
        "readPoint": site,
        "bizLocation": site,
        "quantityList": [{"epcClass": code, "quantity": q, "uom": "KGM"} for code, q in quantities],
        **fields,
    }


def _custody(frm: DemoParty, to: DemoParty, waybill: str | None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "sourceList": [{"type": "owning_party", "source": f"https://id.gs1.org/417/{frm.gln}"}],
        "destinationList": [{"type": "owning_party", "destination": f"https://id.gs1.org/417/{to.gln}"}],
    }
    if waybill is not None:
        out["bizTransactionList"] = [{"type": BTT + "e_waybill", "bizTransaction": f"urn:zhuisu:e_waybill:{waybill}"}]
    return out


def _sale(buyer: DemoParty, identity: str, permits: Sequence[str]) -> dict[str, Any]:
    """What a sale names besides its custody: the buyer's permits and its agent's identity (a waybill's is added by
    ``_merge``)."""
    return {
        "zs:buyerIdentity": identity,
        "permits": [{"type": BTT + "permit", "bizTransaction": f"urn:zhuisu:permit:{n}"} for n in permits],
    }


def _capture(session: Session, recorder: Party, events: Sequence[dict[str, Any]]) -> tuple[int, int]:
    """Capture the events not stored yet, through the capture path; (captured, duplicates — those already stored)."""
    done = [_merge(e) for e in events]
    stored = set(session.scalars(select(Event.event_id).where(Event.event_id.in_([e["eventID"] for e in done]))))
    fresh = [e for e in done if e["eventID"] not in stored]
    if not fresh:
        return 0, len(done)
    doc = {
        "@context": generator.CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": fresh[0]["eventTime"],
        "epcisBody": {"eventList": fresh},
    }
    result = capture_service.capture_document(session, doc, actor=recorder, source=SOURCE)
    return result.count("captured"), len(stored) + result.count("duplicate")


def _merge(event: dict[str, Any]) -> dict[str, Any]:
    """The event with its permits (``_sale``) joined to its bizTransactionList."""
    out = {k: v for k, v in event.items() if k != "permits"}
    documents = [*event.get("bizTransactionList", []), *event.get("permits", [])]
    if documents:
        out["bizTransactionList"] = documents
    return out


# --- the demo city's generated hazardous movements -----------------------------------------------------------------


def city_waybills(session: Session, parties: dict[str, Party], round_: list[tuple[str, list[dict[str, Any]]]]) -> int:
    """Create the electronic waybills the round's generated hazardous shipments name (``city.waybill_number``) before
    they are captured, as their consignors would: for the movements of goods the events name one by one (the
    producers' raw materials, counted in pieces); the shipments of logistic units (SSCC) name numbers no waybill is
    created for (their contents are in the aggregations, not in the event). Returns how many were created."""
    by_gln = {p.gln: p for p in parties.values() if p.gln}
    by: Party | None = None
    created = 0
    for key, events in round_:
        if not key.startswith("hazardous-"):
            continue
        for event in events:
            number = city.waybill_number(event)
            items = [e for e in event.get("epcList", []) if "/21/" in e]
            if event.get("bizStep") != "shipping" or number is None or not items:
                continue
            if hazardous_service.find_waybills(session, [number]):
                continue
            to = by_gln.get(str(event["destinationList"][0]["destination"]).rsplit("/", 1)[-1])
            if to is None:
                continue
            counted: dict[str, float] = {}
            for item in items:
                gtin = item.split("/01/", 1)[1][:14]
                counted[f"https://id.gs1.org/01/{gtin}"] = counted.get(f"https://id.gs1.org/01/{gtin}", 0) + 1
            shipped = parse_iso(event["eventTime"])
            by = by or carrier(session)
            frm = parties[key]
            _waybill(
                session,
                number,
                (frm, to, str(frm.gln), str(to.gln)),
                by,
                sorted(counted.items()),
                (shipped - timedelta(hours=1), shipped + timedelta(hours=24)),
                uom="H87",
            )
            created += 1
    return created
