"""``hazardous_waybill_unclosed``: an electronic waybill not closed (no receiving event names it) when its time
window has ended, and not cancelled. Needs the clock: the scans run it. The answerable party is the carrier."""

from sqlalchemy.orm import Session

from zhuisu.kit.i18n import pair
from zhuisu.kit.time import BEIJING
from zhuisu.oversight.rules.base import Hit, RiskRule, Scope
from zhuisu.sectors.hazardous import service as hazardous_service


def find(session: Session, scope: Scope) -> list[Hit]:
    hits = []
    overdue = hazardous_service.overdue_waybills(session, now=scope.now)
    read = hazardous_service.waybills_events(session, overdue)
    for waybill in overdue:
        events = read[waybill.number]
        if events.received:
            continue
        end = waybill.window_end.astimezone(BEIJING).strftime("%Y-%m-%d %H:%M")
        state_zh, state_en = pair("shipped, not received") if events.shipped else pair("never shipped")
        hits.append(
            Hit(
                key=f"waybill:{waybill.number}",
                events=tuple(e.id for e in events.shipped),
                codes=tuple(sorted({g["code"] for g in waybill.goods})),
                party_id=waybill.carrier_id,
                class_id=waybill.classes[0] if waybill.classes else "hazardous",
                detail_zh=f"电子运单 {waybill.number} 的运输时间窗已于 {end} 结束，仍未关闭（{state_zh}）",
                detail_en=f"waybill {waybill.number}'s window ended at {end} (Beijing time) and it is not closed "
                f"({state_en})",
                facts={"waybill": waybill.number, "shipped": bool(events.shipped)},
            )
        )
    return hits


RULE = RiskRule(
    id="hazardous_waybill_unclosed",
    severity="high",
    name_zh="危险品运单超时未关闭",
    name_en="hazardous waybill not closed",
    explanation_zh="电子运单的运输时间窗已结束，但没有收货事件关闭它：车辆可能仍在途、偏离路线或货物去向不明。",
    explanation_en="An electronic waybill's time window has ended and no receipt closed it: the vehicle may still be "
    "on the road, off its route, or the goods unaccounted for.",
    timed=True,
    find=find,
)
