"""``hazardous_quantity_mismatch``: the quantities received under an electronic waybill differ from those it
declares, or from those its shipping event shipped (per GTIN and unit). One alert per waybill; the answerable party
is its carrier."""

from sqlalchemy.orm import Session

from zhuisu.models import Waybill
from zhuisu.oversight.rules.base import Hit, RiskRule, Scope
from zhuisu.oversight.rules.hazardous_waybills import event_totals, receipts, totals, waybill_numbers
from zhuisu.sectors.hazardous import service as hazardous_service


def _fmt(found: dict[tuple[str, str], float]) -> str:
    return "; ".join(f"{gtin} {q:g} {uom}" for (gtin, uom), q in sorted(found.items())) or "—"


def find(session: Session, scope: Scope) -> list[Hit]:
    numbers = sorted({n for r in receipts(session, scope) for n in waybill_numbers(r)})
    if scope.full:
        waybills = hazardous_service.received_waybills(session)
    else:
        waybills = list(hazardous_service.find_waybills(session, numbers).values())
    read = hazardous_service.waybills_events(session, waybills)
    return [hit for w in waybills if (hit := _check(w, read[w.number])) is not None]


def _check(waybill: Waybill, events: hazardous_service.WaybillEvents) -> Hit | None:
    if not events.received or waybill.cancelled_at is not None:
        return None
    declared = totals((g["code"], float(g["quantity"]), str(g["uom"])) for g in waybill.goods)
    shipped: dict[tuple[str, str], float] = {}
    for e in events.shipped:
        for key, q in event_totals(e.body).items():
            shipped[key] = round(shipped.get(key, 0.0) + q, 6)
    received: dict[tuple[str, str], float] = {}
    for e in events.received:
        for key, q in event_totals(e.body).items():
            received[key] = round(received.get(key, 0.0) + q, 6)
    if received == declared and (not events.shipped or shipped == declared):
        return None
    evidence = tuple(sorted(e.id for e in [*events.shipped, *events.received]))
    return Hit(
        key=f"waybill:{waybill.number}",
        events=evidence,
        codes=tuple(sorted({g["code"] for g in waybill.goods})),
        party_id=waybill.carrier_id,
        class_id=waybill.classes[0] if waybill.classes else "hazardous",
        detail_zh=f"电子运单 {waybill.number}：运单 {_fmt(declared)}，发货 {_fmt(shipped)}，"
        f"收货 {_fmt(received)}，数量不符",
        detail_en=f"waybill {waybill.number}: declared {_fmt(declared)}, shipped {_fmt(shipped)}, received "
        f"{_fmt(received)}: the quantities differ",
        facts={
            "waybill": waybill.number,
            "declared": _fmt(declared),
            "shipped": _fmt(shipped),
            "received": _fmt(received),
        },
    )


RULE = RiskRule(
    id="hazardous_quantity_mismatch",
    severity="high",
    name_zh="危险品运单数量不符",
    name_en="hazardous waybill quantity mismatch",
    explanation_zh="按电子运单收到的危险品数量与运单申报或发货数量不一致：途中可能丢失、被盗或夹带。",
    explanation_en="The hazardous goods received under an electronic waybill differ in quantity from what it "
    "declared or what was shipped: goods may have been lost, stolen or added on the way.",
    timed=False,
    find=find,
)
