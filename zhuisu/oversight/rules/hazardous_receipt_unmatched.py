"""``hazardous_receipt_unmatched``: hazardous goods received without a matching open electronic waybill — the
receipt names no waybill (``BTT-e_waybill``), or one this node does not know, one cancelled, one addressed to another
consignee, or one an earlier receipt already closed. One alert per receiving event."""

from sqlalchemy.orm import Session

from zhuisu.kit.i18n import pair
from zhuisu.oversight.rules.base import Hit, RiskRule, Scope
from zhuisu.oversight.rules.hazardous_waybills import receipts, waybill_numbers
from zhuisu.sectors.hazardous import service as hazardous_service

_WHY = {
    "none": pair("the receipt names no electronic waybill"),
    "unknown": pair("the receipt names waybill {n}, unknown here"),
    "cancelled": pair("the receipt names waybill {n}, which was cancelled"),
    "consignee": pair("waybill {n} is addressed to another consignee"),
    "closed": pair("waybill {n} was already closed by an earlier receipt"),
}


def find(session: Session, scope: Scope) -> list[Hit]:
    hits = []
    found = receipts(session, scope)
    known = hazardous_service.find_waybills(session, sorted({n for r in found for n in waybill_numbers(r)}))
    read = hazardous_service.waybills_events(session, list(known.values()))
    for receipt in found:
        numbers = waybill_numbers(receipt)
        why, number = ("none", "") if not numbers else ("unknown", numbers[0])
        for n in numbers:
            waybill = known.get(n)
            if waybill is None:
                continue
            number = n
            if waybill.cancelled_at is not None:
                why = "cancelled"
            elif waybill.consignee_id != receipt.recorder_id:
                why = "consignee"
            elif any(e.id < receipt.pk for e in read[n].received):
                why = "closed"
            else:
                why = ""
                break
        if not why:
            continue
        zh, en = _WHY[why]
        hits.append(
            Hit(
                key=f"event:{receipt.pk}",
                events=(receipt.pk,),
                codes=receipt.codes,
                party_id=receipt.recorder_id,
                class_id=receipt.class_id,
                detail_zh=zh.format(n=number),
                detail_en=en.format(n=number),
                facts={"reason": why, "waybill": number or None},
            )
        )
    return hits


RULE = RiskRule(
    id="hazardous_receipt_unmatched",
    severity="high",
    name_zh="危险品收货无对应电子运单",
    name_en="hazardous receipt without an open waybill",
    explanation_zh="企业收到危险品，但收货事件未注明电子运单，或所注明的运单不存在、已作废、收货人不符或已被此前的收货关闭："
    "货物可能未经登记运输。",
    explanation_en="A party received hazardous goods without a matching open electronic waybill (none named, unknown, "
    "cancelled, addressed to another consignee, or already closed): the goods may have travelled unrecorded.",
    timed=False,
    find=find,
)
