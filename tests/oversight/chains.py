"""Small hand-written chains, one per risk rule, over the trace tests' sites (``tests.trace.chains``): each event is
captured by the party whose site records it, so each alert's party is known."""

from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from tests.support.epcis import document
from tests.trace.chains import (
    CANTEEN,
    DC,
    FARM,
    FARM2,
    HOSPITAL,
    MARKET,
    PLANT,
    REGIONS,
    T0,
    _base,
    loc,
    lot,
    sgtin,
)
from zhuisu.capture import service as capture_service
from zhuisu.codes.canonical import canonical_id
from zhuisu.demo.generator import CONTEXT
from zhuisu.models import Party
from zhuisu.parties import masterdata
from zhuisu.parties import service as parties_service

SITES = (FARM, FARM2, PLANT, DC, MARKET, HOSPITAL, CANTEEN)
NAMES = {
    FARM: "养殖场",
    FARM2: "第二养殖场",
    PLANT: "加工厂",
    DC: "配送中心",
    MARKET: "农贸市场",
    HOSPITAL: "医院",
    CANTEEN: "食堂",
}
#: Registered products (GTIN-14 of ``sgtin(item, …)`` / ``lot(item, …)`` under prefix 6901234): item → class.
DRUG_ITEM, DAIRY_ITEM = "088888", "099999"


def gtin14(item: str) -> str:
    from stdnum import ean

    body = f"{item[0]}6901234{item[1:]}"
    return body + ean.calc_check_digit(body)


def world(session: Session, product_class: str | None = None) -> dict[str, Party]:
    """A party per site (named, registered in its region (under ``product_class``)), and two registered products."""
    parties = {
        g: parties_service.create_party(session, name=NAMES[g], gln=g, region=REGIONS[g], product_class=product_class)
        for g in SITES
    }
    masterdata.register_product(session, name="示范药品", class_id="drug.preparation", gtin=gtin14(DRUG_ITEM))
    masterdata.register_product(session, name="示范牛奶", class_id="food.dairy", gtin=gtin14(DAIRY_ITEM))
    return parties


def site_of(event: dict[str, Any]) -> str:
    read_point = event["readPoint"]["id"]
    return next(g for g in SITES if loc(g) == read_point)


def capture(session: Session, parties: dict[str, Party], *events: dict[str, Any]) -> None:
    """Each event captured by the party of its read point, in the order given."""
    for event in events:
        result = capture_service.capture_document(
            session, document(event, context=CONTEXT), actor=parties[site_of(event)]
        )
        assert [o.status for o in result.outcomes] == ["captured"], result.outcomes


def code(value: str) -> str:
    return canonical_id(value)


def event(kind: str, name: str, hours: float, at: str, **fields: Any) -> dict[str, Any]:
    return _base(kind, name, hours, readPoint={"id": loc(at)}, bizLocation={"id": loc(at)}, **fields)


def observe(
    name: str, hours: float, at: str, epcs: list[str], step: str, disposition: str, **more: Any
) -> dict[str, Any]:
    return event(
        "ObjectEvent", name, hours, at, action="OBSERVE", epcList=epcs, bizStep=step, disposition=disposition, **more
    )


def daily(name: str, days: int, at: str, item: str = "011111") -> list[dict[str, Any]]:
    """One commissioning a day for ``days`` days at ``at``."""
    return [
        event("ObjectEvent", f"{name}{d}", 24 * d + 1, at, action="ADD", epcList=[sgtin(item, 1000 + d)],
              bizStep="commissioning", disposition="active")
        for d in range(days)
    ]  # fmt: skip


def licence(session: Session, party: Party, kind: str, start: date, end: date | None, number: str) -> None:
    masterdata.add_licence(session, party, licence_type=kind, number=number, valid_from=start, valid_to=end)


#: What the catalog's drug rule asks of every drug event besides its code.
DRUG_DATA = {"zs:batch": "B20260501", "zs:expiry": "2028-05-01"}


def hours_after(hours: float) -> Any:
    return T0 + timedelta(hours=hours)


__all__ = ["lot", "sgtin"]
