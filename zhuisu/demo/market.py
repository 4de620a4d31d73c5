"""The demo's farmers' market (农贸市场, ``zhuisu.sectors.market``): a wholesaler ships vegetables to two stalls,
the stall holders record their purchases by scan and their sales with receipts through the services the market
page calls, and one stall sells more tomatoes than it bought — the ``mass_balance`` alert (its ``lot_balance`` half:
a party's outflow of a lot beyond its inflow), planted once.

All in 示范市历下区 (370102); the wholesaler packs and ships the day before yesterday, the stalls buy that day and
sell yesterday:

- 示范市匡山蔬菜批发有限公司 (wholesaler) packs a cabbage lot (大白菜 ``BC2612``) and a tomato lot (西红柿
  ``XH2612``), both from 山东省寿光市, and ships 50 kg of cabbage to stall A-01 and 30 kg of tomatoes to stall A-02,
  each with its delivery note (desadv) and 承诺达标合格证;
- 示范市历下区山水农贸市场管理有限公司 (market operator) runs 山水农贸市场 with stalls A-01 and A-02;
- 示范市历下区王记蔬菜经营部 (stall A-01) buys the cabbage by scan (100 斤 at ¥1.20/斤) and sells 6 斤 and 4 斤,
  each with a receipt;
- 示范市历下区张记果蔬店 (stall A-02) buys the tomatoes (30 公斤 at ¥4.00) and sells 2 公斤 with a receipt, then
  **30 公斤 more** — 32 kg out of a lot it bought 30 kg of.

Idempotent: fixed eventIDs (the wholesaler's) and client ids (the stalls' entries; sent again, they are
duplicates), parties found by name, stalls by site.
"""

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuisu.capture import service as capture_service
from zhuisu.demo import enterprises, generator
from zhuisu.demo.enterprises import DemoParty
from zhuisu.kit.time import BEIJING, utc_now
from zhuisu.models import Event, Location, MarketStall, Party, Product
from zhuisu.parties import masterdata
from zhuisu.parties import service as parties_service
from zhuisu.sectors.market import service as market_service
from zhuisu.sectors.market.schemas import PurchaseCreate, SaleCreate, StallCreate

REGION = "370102"
#: The company prefix of the demo\'s GLNs and GTINs.
PREFIX = "690833"
_gln = partial(enterprises.gln, PREFIX)
_gtin = partial(enterprises.gtin, PREFIX)
_uscc = partial(enterprises.uscc, REGION)
SOURCE = "zhuisu demo load (农贸市场)"
BTT = "https://zhuisu.cn/voc/BTT-"


#: The market's parties (个体工商户 stall holders have 92… credit codes).
PARTIES = (
    DemoParty("wholesaler", "示范市匡山蔬菜批发有限公司", _uscc(8331, "91"), _gln(1), "匡山蔬菜批发仓库", _gln(11),
              "wholesaler"),
    DemoParty("operator", "示范市历下区山水农贸市场管理有限公司", _uscc(8332, "91"), _gln(2), "山水农贸市场", _gln(12),
              "market"),
    DemoParty("wang", "示范市历下区王记蔬菜经营部", _uscc(8333, "92"), _gln(3), "王记蔬菜（山水农贸市场 A-01）",
              _gln(13), "retailer"),
    DemoParty("zhang", "示范市历下区张记果蔬店", _uscc(8334, "92"), _gln(4), "张记果蔬（山水农贸市场 A-02）", _gln(14),
              "retailer"),
)  # fmt: skip
STALLS = (("wang", "A-01"), ("zhang", "A-02"))
CABBAGE, TOMATO = _gtin(1), _gtin(2)
CABBAGE_LOT = f"https://id.gs1.org/01/{CABBAGE}/10/BC2612"
TOMATO_LOT = f"https://id.gs1.org/01/{TOMATO}/10/XH2612"
ORIGIN = "山东省潍坊市寿光市"


def plant(session: Session) -> tuple[int, int]:
    """Record the demo's farmers' market with its planted oversale; idempotent. (captured, duplicates)."""
    found = {p.key: _party(session, p) for p in PARTIES}
    _products(session, found["wholesaler"])
    _stalls(session, found)
    t0 = _start(session)
    tally = [0, 0]

    def count(new: bool) -> None:
        tally[0 if new else 1] += 1

    # the wholesaler packs both lots and ships one to each stall (its own records: EPCIS, as its system sends them)
    captured, duplicates = _capture(
        session,
        found["wholesaler"],
        [
            _packed("cabbage-packed", t0, CABBAGE_LOT, 200),
            _packed("tomato-packed", t0, TOMATO_LOT, 120),
            _shipped("cabbage-to-wang", t0 + timedelta(hours=1), CABBAGE_LOT, 50, "wang", "FH-2612-001", "HG-2612-001"),
            _shipped("tomato-to-zhang", t0 + timedelta(hours=1), TOMATO_LOT, 30, "zhang", "FH-2612-002", "HG-2612-002"),
        ],
    )
    tally[0] += captured
    tally[1] += duplicates
    # the stalls scan the labels: what the market page records (the same service functions)
    wang, zhang = found["wang"], found["zhang"]
    buy = t0 + timedelta(hours=3)
    for actor, client_id, code, quantity, unit, price in (
        (wang, "demo-wang-buy-1", f"(01){CABBAGE}(10)BC2612", 100.0, "jin", 1.2),
        (zhang, "demo-zhang-buy-1", f"(01){TOMATO}(10)XH2612", 30.0, "kg", 4.0),
    ):
        body = PurchaseCreate(
            client_id=client_id, code=code, quantity=quantity, unit=unit, unit_price=price, recorded_at=buy
        )
        count(not market_service.record_purchase(session, body, actor=actor).duplicate)
    for n, (actor, client_id, code, quantity, unit, price) in enumerate(
        (
            (wang, "demo-wang-sale-1", CABBAGE_LOT, 6.0, "jin", 2.5),
            (wang, "demo-wang-sale-2", CABBAGE_LOT, 4.0, "jin", 2.5),
            (zhang, "demo-zhang-sale-1", TOMATO_LOT, 2.0, "kg", 6.0),
            # the oversale: 32 kg out of a lot the stall bought 30 kg of
            (zhang, "demo-zhang-sale-2", TOMATO_LOT, 30.0, "kg", 5.5),
        )
    ):
        sold = SaleCreate(
            client_id=client_id,
            code=code,
            quantity=quantity,
            unit=unit,
            unit_price=price,
            recorded_at=buy + timedelta(days=1, hours=n),  # yesterday, 09:00 to 12:00
        )
        count(not market_service.record_sale(session, sold, actor=actor).duplicate)
    return tally[0], tally[1]


def party(session: Session, key: str) -> Party | None:
    """A demo party by its ``PARTIES`` key (``wang``, ``zhang``: the stall holders), once planted."""
    return parties_service.find_party_by_name(session, next(p.name for p in PARTIES if p.key == key))


def _party(session: Session, p: DemoParty) -> Party:
    return enterprises.register(
        session,
        p,
        region=REGION,
        product_class="edible_agri.vegetable",
        address=f"示范市历下区山水路 {PARTIES.index(p) + 1} 号",
    )


def _products(session: Session, wholesaler: Party) -> None:
    known = set(session.scalars(select(Product.gtin).where(Product.gtin.in_([CABBAGE, TOMATO]))))
    for gtin, name in ((CABBAGE, "大白菜（散装）"), (TOMATO, "西红柿（散装）")):
        if gtin not in known:
            masterdata.register_product(
                session, name=name, class_id="edible_agri.vegetable", producer=wholesaler, gtin=gtin
            )


def _stalls(session: Session, found: dict[str, Party]) -> None:
    market = next(p for p in PARTIES if p.key == "operator")
    for key, number in STALLS:
        p = next(x for x in PARTIES if x.key == key)
        site = session.scalar(select(Location.id).where(Location.gln == p.site_gln))
        if session.scalar(select(MarketStall.id).where(MarketStall.site_id == site)) is None:
            body = StallCreate(market=market.site_gln, holder=found[key].id, site=p.site_gln, number=number)
            market_service.register_stall(session, body, actor=found["operator"])


def _event_id(name: str) -> str:
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{generator.ZS_NS}demo/market/{name}')}"


def _start(session: Session) -> datetime:
    """06:00 (Beijing) the day before yesterday: the stalls buy at 09:00 and sell the next day from 09:00 (all past,
    each on its own day) — or, once stored, the time the first event gave it."""
    first = session.scalar(select(Event.event_time).where(Event.event_id == _event_id("cabbage-packed")))
    if first is not None:
        return first.astimezone(BEIJING)
    return (utc_now() - timedelta(days=2)).astimezone(BEIJING).replace(hour=6, minute=0, second=0, microsecond=0)


def _site(key: str) -> dict[str, str]:
    return {"id": "https://id.gs1.org/414/" + next(p.site_gln for p in PARTIES if p.key == key)}


def _base(name: str, when: datetime, step: str, code: str, quantity: float) -> dict[str, Any]:
    return {
        "type": "ObjectEvent",
        "eventID": _event_id(name),
        "eventTime": when.astimezone(BEIJING).isoformat(timespec="milliseconds"),
        "eventTimeZoneOffset": "+08:00",
        "action": "ADD" if step == "commissioning" else "OBSERVE",
        "bizStep": step,
        "readPoint": _site("wholesaler"),
        "bizLocation": _site("wholesaler"),
        "quantityList": [{"epcClass": code, "quantity": quantity, "uom": "KGM"}],
    }


def _packed(name: str, when: datetime, code: str, quantity: float) -> dict[str, Any]:
    return _base(name, when, "commissioning", code, quantity) | {"ilmd": {"zs:origin": ORIGIN}}


def _shipped(
    name: str, when: datetime, code: str, quantity: float, to: str, note: str, certificate: str
) -> dict[str, Any]:
    buyer = next(p for p in PARTIES if p.key == to)
    return _base(name, when, "shipping", code, quantity) | {
        "disposition": "in_transit",
        "sourceList": [{"type": "owning_party", "source": f"https://id.gs1.org/417/{PARTIES[0].gln}"}],
        "destinationList": [
            {"type": "owning_party", "destination": f"https://id.gs1.org/417/{buyer.gln}"},
            {"type": "location", "destination": f"https://id.gs1.org/414/{buyer.site_gln}"},
        ],
        "bizTransactionList": [
            {"type": "desadv", "bizTransaction": f"urn:zhuisu:desadv:{note}"},
            {
                "type": BTT + "compliance_certificate",
                "bizTransaction": f"urn:zhuisu:compliance_certificate:{certificate}",
            },
        ],
    }


def _capture(session: Session, recorder: Party, events: Sequence[dict[str, Any]]) -> tuple[int, int]:
    """Capture the events not stored yet; (captured, duplicates — those already stored)."""
    stored = set(session.scalars(select(Event.event_id).where(Event.event_id.in_([e["eventID"] for e in events]))))
    fresh = [e for e in events if e["eventID"] not in stored]
    if not fresh:
        return 0, len(events)
    doc = {
        "@context": generator.CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": fresh[0]["eventTime"],
        "epcisBody": {"eventList": fresh},
    }
    result = capture_service.capture_document(session, doc, actor=recorder, source=SOURCE)
    return result.count("captured"), len(stored) + result.count("duplicate")
