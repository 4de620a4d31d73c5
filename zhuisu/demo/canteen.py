"""The demo's school canteen and its procurement ledger (电子采购台账, ``zhuisu.sectors.canteen``): a week of receipts
recorded through the ledger's service (what the 进货验收 page calls), with each of the sector's alerts planted once.

In 示范市历下区 (370102, the district regulator's jurisdiction), times relative to now:

- 示范市第一中学食堂 (role ``canteen``, class ``food``; its 食品经营许可证 confirmed; site 食堂库房);
- 示范市鲜达食品配送有限公司 (a food distributor with a confirmed 食品经营许可证) delivers 示范牌纯牛奶 (a registered
  GTIN, one lot a day) and 大米 (by name, with its lot) on alternate days; the milk lot ``NN2601`` has a passed
  inspection report registered before it arrives (the receipt names it), and **the lot ``NN2603`` fails a test whose
  report is registered after the receipt** (``canteen_failed_lot`` at the next scan);
- 示范市城东蔬菜批发部 (a vegetable wholesaler **holding no licence**) delivers 青菜 every day (by name, with its
  origin and 承诺达标合格证): every receipt says 未核验 (``canteen_unlicensed_supplier``, one alert for the week).

Each supplier records its shipment before the canteen receives it (so the receipts match a shipment). Idempotent:
fixed eventIDs (a receipt already recorded is counted as a duplicate), parties found by name, licences by number,
reports by number.
"""

import uuid
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuisu.capture import service as capture_service
from zhuisu.config import get_settings
from zhuisu.db.engine import node_settings
from zhuisu.demo import enterprises, generator, hazardous
from zhuisu.kit.time import BEIJING, utc_now
from zhuisu.models import Event, Inspection, Location, Party, Product
from zhuisu.oversight.inspections import service as inspections_service
from zhuisu.oversight.inspections.schemas import InspectionCreate, ReportItem
from zhuisu.parties import masterdata
from zhuisu.parties import service as parties_service
from zhuisu.sectors.canteen import receipts
from zhuisu.sectors.canteen import service as canteen_service
from zhuisu.sectors.canteen.schemas import ReceiptCreate

REGION = "370102"
SOURCE = "zhuisu demo load (食堂采购台账)"
#: The inspection body that tests the milk (``demo.service.DEMO_ACTORS["inspector"]``).
INSPECTOR = "示范市食品检验检测中心"
CANTEEN = "示范市第一中学食堂"
DISTRIBUTOR = "示范市鲜达食品配送有限公司"
GREENGROCER = "示范市城东蔬菜批发部"
RECEIVER = "王建国"
FAILED_LOT, PASSED_LOT = "NN2603", "NN2601"


_gln = partial(enterprises.gln, "690777")


def _uscc(kind: str, n: int) -> str:
    return enterprises.uscc(REGION, n, kind)


MILK = enterprises.gtin("690777", 1)
#: name → (USCC, GLN, site GLN, role, class, licence number or None).
PARTIES: dict[str, tuple[str, str, str, str, str, str | None]] = {
    CANTEEN: (_uscc("12", 7701), _gln(1), _gln(11), "canteen", "food", "JY33701020077001"),
    DISTRIBUTOR: (_uscc("91", 7702), _gln(2), _gln(12), "wholesaler", "food", "JY13701020077002"),
    GREENGROCER: (_uscc("92", 7703), _gln(3), _gln(13), "wholesaler", "edible_agri.vegetable", None),
}
SITES = {CANTEEN: "食堂库房", DISTRIBUTOR: "配送中心", GREENGROCER: "蔬菜批发摊位"}


def plant(session: Session) -> tuple[int, int]:
    """Record the demo canteen's week of receipts with its planted anomalies; idempotent. (captured, duplicates):
    the suppliers' shipments and the canteen's receipts."""
    found = {name: _party(session, name) for name in PARTIES}
    _licences(session, found)
    _milk(session, found[DISTRIBUTOR])
    inspector = _inspector(session)
    _report(session, inspector, PASSED_LOT, "pass", canteen_service.beijing_today() - timedelta(days=8))
    settings = node_settings(session) or get_settings()
    t0 = _start(session)
    tally = [0, 0]
    for n in range(7):
        when = t0 + timedelta(days=n)
        for body, supplier in _deliveries(n, found):
            name = f"{n}-{body.product_name}"
            shipped = _shipment(session, supplier, found[CANTEEN], name, when - timedelta(hours=1), body)
            tally[0 if shipped else 1] += 1
            event_id = _event_id(f"receipt/{name}")
            if session.scalar(select(Event.id).where(Event.event_id == event_id)) is not None:
                tally[1] += 1
                continue
            received = body.model_copy(update={"received_at": when})
            canteen_service.record_receipt(session, settings, received, actor=found[CANTEEN], event_id=event_id)
            tally[0] += 1
    _report(session, inspector, FAILED_LOT, "fail", (t0 + timedelta(days=3)).date())
    return tally[0], tally[1]


def _deliveries(n: int, found: dict[str, Party]) -> list[tuple[ReceiptCreate, Party]]:
    """Day ``n``'s deliveries: greens every day; milk (its lot ``NN260{n}``) on even days, rice on odd ones."""
    greens = ReceiptCreate(
        supplier=PARTIES[GREENGROCER][0],
        product_name="青菜",
        spec="散装",
        quantity=30 + n,
        unit="KGM",
        lot=f"QC26{n:02d}",
        origin="山东省寿光市",
        invoice_number=f"PF-{n + 1:04d}",
        certificate_kind="compliance_certificate",
        certificate_number=f"HGZ-3701-{n + 1:05d}",
        receiver=RECEIVER,
    )
    if n % 2 == 0:
        lot = f"NN260{n // 2 + 1}"
        other = ReceiptCreate(
            supplier=PARTIES[DISTRIBUTOR][0],
            code=receipts.lot_code(MILK, lot),
            quantity=200,
            unit="XBX",
            production_date=date(2026, 1, 1) + timedelta(days=n),
            expiry=date(2026, 1, 1) + timedelta(days=n + 30),
            invoice_number=f"FP-2026-{n + 1:04d}",
            certificate_number="" if lot == PASSED_LOT else f"CC-{lot}",
            receiver=RECEIVER,
        )
    else:
        other = ReceiptCreate(
            supplier=PARTIES[DISTRIBUTOR][0],
            product_name="大米",
            spec="25 kg/袋",
            quantity=4,
            unit="XBG",
            lot=f"DM26{n:02d}",
            production_date=date(2026, 1, 1),
            expiry=date(2026, 12, 31),
            invoice_number=f"FP-2026-{n + 1:04d}",
            certificate_number=f"JY-DM26{n:02d}",
            receiver=RECEIVER,
        )
    return [(greens, found[GREENGROCER]), (other, found[DISTRIBUTOR])]


def _event_id(name: str) -> str:
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{generator.ZS_NS}demo/canteen/{name}')}"


def _start(session: Session) -> datetime:
    """Six days and two hours before now, on the hour (Beijing) — or, once stored, the first receipt's time, so a
    second run builds the same events."""
    first = session.scalar(select(Event.event_time).where(Event.event_id == _event_id("receipt/0-青菜")))
    if first is not None:
        return first.astimezone(BEIJING)
    return (utc_now() - timedelta(days=6, hours=2)).astimezone(BEIJING).replace(minute=0, second=0, microsecond=0)


def _party(session: Session, name: str) -> Party:
    uscc, gln, site_gln, role, class_id, _ = PARTIES[name]
    party = parties_service.find_party_by_name(session, name)
    if party is None:
        party = parties_service.create_party(
            session,
            name=name,
            uscc=uscc,
            gln=gln,
            region=REGION,
            party_type="institution" if role == "canteen" else "enterprise",
            roles=[role],
            product_class=class_id,
            address=f"示范市历下区文化路 {list(PARTIES).index(name) + 1} 号",
        )
    if session.scalar(select(Location.id).where(Location.gln == site_gln)) is None:
        masterdata.add_location(session, party, name=SITES[name], gln=site_gln, region=REGION)
    return party


def _licences(session: Session, found: dict[str, Party]) -> None:
    """The canteen's and the distributor's 食品经营许可证, registered and confirmed once."""
    authority = hazardous.authority(session)
    for name, party in found.items():
        number = PARTIES[name][5]
        if number is None:
            continue
        held = {x.number: x for x in masterdata.list_licences(session, party=party)}
        licence = held.get(number) or masterdata.add_licence(
            session,
            party,
            licence_type="food_business",
            number=number,
            valid_from=date(2025, 1, 1),
            valid_to=date(2030, 12, 31),
            issuer="示范市历下区市场监督管理局",
        )
        if licence.confirmed_at is None:
            inspections_service.confirm_licence(session, licence.id, actor=authority, classes=["edible_agri", "food"])


def _milk(session: Session, producer: Party) -> None:
    if session.scalar(select(Product.id).where(Product.gtin == MILK)) is None:
        masterdata.register_product(
            session, name="示范牌纯牛奶", class_id="food.dairy", producer=producer, gtin=MILK, spec="250 mL×24 盒/箱"
        )


def _inspector(session: Session) -> Party:
    found = parties_service.find_party_by_name(session, INSPECTOR)
    if found is None:
        found = parties_service.create_party(session, name=INSPECTOR, region=REGION)
        parties_service.grant(session, found, actor_role="inspector")
    return found


def _report(session: Session, inspector: Party, lot: str, result: str, on: date) -> None:
    number = f"SPJC-2026-{lot}"
    if session.scalar(select(Inspection.id).where(Inspection.report_number == number)) is not None:
        return
    item = ReportItem(
        name="菌落总数",
        value="2.1×10⁵" if result == "fail" else "3.0×10³",
        unit="CFU/mL",
        limit="≤1.0×10⁵",
        result="fail" if result == "fail" else "pass",
    )
    body = InspectionCreate(
        lab=INSPECTOR,
        report_number=number,
        sample=f"示范牌纯牛奶 批号 {lot}",
        code=receipts.lot_code(MILK, lot),
        items=[item],
        result="fail" if result == "fail" else "pass",
        inspected_on=on,
    )
    inspections_service.record_inspection(session, body, actor=inspector)


def _shipment(
    session: Session, supplier: Party, canteen: Party, name: str, when: datetime, body: ReceiptCreate
) -> bool:
    """The supplier's shipment of a delivery (what the canteen then receives), unless stored; whether captured."""
    event_id = _event_id(f"shipment/{name}")
    if session.scalar(select(Event.id).where(Event.event_id == event_id)) is not None:
        return False
    site = f"https://id.gs1.org/414/{PARTIES[supplier.name][2]}"
    code = body.code or receipts.item_urn(
        receipts.Supplier(supplier.id, supplier.name, supplier.uscc, ""), body.product_name
    )
    event: dict[str, Any] = {
        "type": "ObjectEvent",
        "eventID": event_id,
        "eventTime": when.astimezone(BEIJING).isoformat(timespec="milliseconds"),
        "eventTimeZoneOffset": "+08:00",
        "action": "OBSERVE",
        "bizStep": "shipping",
        "disposition": "in_transit",
        "readPoint": {"id": site},
        "bizLocation": {"id": site},
        "quantityList": [{"epcClass": code, "quantity": body.quantity, "uom": body.unit}],
        "sourceList": [{"type": "owning_party", "source": f"https://id.gs1.org/417/{supplier.gln}"}],
        "destinationList": [{"type": "owning_party", "destination": f"https://id.gs1.org/417/{canteen.gln}"}],
        "zs:batch": body.lot or body.code.rsplit("/", 1)[-1],
        **({"zs:origin": body.origin} if body.origin else {}),
    }
    doc = {
        "@context": generator.CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": event["eventTime"],
        "epcisBody": {"eventList": [event]},
    }
    result = capture_service.capture_document(session, doc, actor=supplier, source=SOURCE)
    if result.count("captured") != 1:
        raise RuntimeError(f"the demo shipment {name} was refused: {[o.errors for o in result.outcomes]}")
    return True
