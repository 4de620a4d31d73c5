"""The demo's recalls, end to end: a dairy in 示范市 ships two lots of milk to two supermarkets; lot K1 is recalled by
the dairy itself (主动召回), both supermarkets confirm with EPCIS events (quarantine, return, destruction), it reaches
100 % and is closed with its report; lot K2 is recalled on the city regulator's order (责令召回) and one supermarket
has quarantined part of it so far.

Everything goes through the real services — capture (each party records its own events), ``recall.orders`` — so the
notices show on the product pages, the recall board and the holders' consoles. Loading twice adds nothing (a lot
already recalled is left alone).
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum import ean

from zhuisu.capture import service as capture_service
from zhuisu.demo.content import ZS_NS, event_id
from zhuisu.kit.time import BEIJING, utc_now
from zhuisu.models import Party, Recall
from zhuisu.oversight.inspections import service as inspections_service
from zhuisu.parties import masterdata
from zhuisu.parties import service as parties_service
from zhuisu.recall import orders
from zhuisu.recall.schemas import RecallCreate

PREFIX = "6909999"
CONTEXT: list[Any] = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"zs": ZS_NS}]


def _check(body: str) -> str:
    return body + ean.calc_check_digit(body)


GTIN = _check("0" + PREFIX + "00001")
DAIRY = ("示范市康源乳业有限公司", _check(PREFIX + "00001"), _check(PREFIX + "00011"), "370102")
SHOPS = (
    ("示范市惠万家超市", _check(PREFIX + "00002"), _check(PREFIX + "00012"), "370102"),
    ("示范市便民生活超市", _check(PREFIX + "00003"), _check(PREFIX + "00013"), "370103"),
)
LOTS = ("K1", "K2")


@dataclass(frozen=True)
class DemoRecalls:
    closed: Recall | None
    open: Recall | None


def lot_code(lot: str) -> str:
    return f"https://id.gs1.org/01/{GTIN}/10/{lot}"


def items(lot: str) -> list[str]:
    return [f"https://id.gs1.org/01/{GTIN}/21/{lot}{n:03d}" for n in range(1, 7)]


def load(session: Session, *, regulator: Party) -> DemoRecalls:
    """The dairy's chain and its two recalls (see the module docstring), unless lot K1 was recalled already."""
    if session.scalar(select(Recall.id).where(Recall.code == lot_code(LOTS[0])).limit(1)) is not None:
        return DemoRecalls(None, None)
    dairy, shops = _parties(session, regulator)
    for n, lot in enumerate(LOTS):
        _record(session, dairy, _chain(lot, n))
    now = utc_now()
    first = orders.issue_recall(
        session,
        issuer=dairy,
        order=RecallCreate(
            code=lot_code(LOTS[0]),
            reason="抽检发现菌落总数超出 GB 19645 限量",
            level=2,
            deadline=now + timedelta(days=10),
        ),
    )
    its = items(LOTS[0])
    _record(
        session, shops[0], [_confirm(its[:2], shops[0], "quarantine", 1), _confirm(its[2:3], shops[0], "return", 2)]
    )
    _record(session, shops[1], [_confirm(its[3:], shops[1], "destroy", 3)])
    orders.close_recall(session, first.id, actor=dairy, note="两家超市均已确认：隔离、退回、销毁")
    second = orders.issue_recall(
        session,
        issuer=regulator,
        order=RecallCreate(
            code=lot_code(LOTS[1]),
            reason="监督抽检检出黄曲霉毒素 M1 超标",
            level=1,
            deadline=now + timedelta(days=3),
            advice="立即停止饮用，凭购物凭证到购买超市退货退款；如有不适请及时就医。",
        ),
    )
    _record(session, shops[0], [_confirm(items(LOTS[1])[:2], shops[0], "quarantine", 4)])
    return DemoRecalls(first, second)


def _parties(session: Session, regulator: Party) -> tuple[Party, list[Party]]:
    found = []
    for name, gln, site, region in (DAIRY, *SHOPS):
        party = parties_service.find_party_by_name(session, name)
        if party is None:
            party = parties_service.create_party(session, name=name, gln=gln, region=region)
            masterdata.add_location(session, party, name=f"{name}门店", gln=site)
        found.append(party)
    dairy = found[0]
    if not any(p.gtin == GTIN for p in masterdata.list_products(session)):
        dairy.product_class = "food"
        masterdata.register_product(session, name="康源纯牛奶 250mL", class_id="food", gtin=GTIN, producer=dairy)
        # the dairy's food production licence (SC), confirmed by the city's regulator: its commissioning counts
        licence = masterdata.add_licence(
            session,
            dairy,
            licence_type="sc_food_production",
            number="SC10637060200188",
            valid_from=date(2024, 1, 1),
            issuer="示范市市场监督管理局",
        )
        inspections_service.confirm_licence(session, licence.id, actor=regulator, classes=["food"])
    return dairy, found[1:]


def _event(kind: str, key: str, when: datetime, **fields: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "eventID": event_id("demo-recall", key),
        "eventTime": when.isoformat(timespec="milliseconds"),
        "eventTimeZoneOffset": "+08:00",
        **fields,
    }


def _site(gln: str) -> dict[str, str]:
    return {"id": f"https://id.gs1.org/414/{gln}"}


def _chain(lot: str, n: int) -> list[dict[str, Any]]:
    """The dairy makes the lot into six cartons and ships three to each supermarket."""
    day = datetime(2026, 11, 10 + 5 * n, 8, 0, tzinfo=BEIJING)
    its = items(lot)
    made = _event(
        "TransformationEvent",
        f"{lot}/made",
        day,
        inputQuantityList=[{"epcClass": lot_code(lot), "quantity": 6}],
        outputEPCList=its,
        bizStep="commissioning",
        bizLocation=_site(DAIRY[2]),
        ilmd={"cbvmda:productionDate": day.date().isoformat(), "cbvmda:itemExpirationDate": "2027-05-10"},
        **{"zs:batch": lot},
    )
    shipped = [
        _event(
            "ObjectEvent",
            f"{lot}/shipped/{k}",
            day + timedelta(hours=4 + k),
            action="OBSERVE",
            epcList=its[3 * k : 3 * k + 3],
            bizStep="shipping",
            disposition="in_transit",
            bizLocation=_site(DAIRY[2]),
            sourceList=[{"type": "owning_party", "source": f"https://id.gs1.org/417/{DAIRY[1]}"}],
            destinationList=[{"type": "owning_party", "destination": f"https://id.gs1.org/417/{shop[1]}"}],
            **{"zs:batch": lot},
        )
        for k, shop in enumerate(SHOPS)
    ]
    return [made, *shipped]


def _confirm(things: list[str], shop: Party, how: str, n: int) -> dict[str, Any]:
    site = _site(next(s[2] for s in SHOPS if s[0] == shop.name))
    kinds: dict[str, dict[str, Any]] = {
        "quarantine": {"bizStep": "holding", "disposition": "non_sellable_other"},
        "return": {
            "bizStep": "shipping",
            "disposition": "returned",
            "destinationList": [{"type": "owning_party", "destination": f"https://id.gs1.org/417/{DAIRY[1]}"}],
            "zs:batch": things[0].rsplit("/", 1)[1][:2],
        },
        "destroy": {"bizStep": "destroying", "disposition": "destroyed"},
    }
    fields = kinds[how]
    when = utc_now().astimezone(BEIJING)  # after the order: what the holders did about it
    return _event("ObjectEvent", f"confirm/{n}", when, action="OBSERVE", epcList=things, bizLocation=site, **fields)


def _record(session: Session, party: Party, events: list[dict[str, Any]]) -> None:
    doc = {
        "@context": CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-11-01T06:00:00.000+08:00",
        "epcisBody": {"eventList": events},
    }
    result = capture_service.capture_document(session, doc, actor=party, source="zhuisu demo load (召回)")
    if result.count("rejected"):
        raise RuntimeError(f"the demo's recall events were refused: {result}")
