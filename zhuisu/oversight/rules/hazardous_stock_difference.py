"""``hazardous_stock_difference``: a warehouse's reported count of a hazardous product (a ``cycle_counting`` or
``stock_taking`` event with quantities at the warehouse) differs from received − issued − destroyed at that time by
more than ``hazardous_stock_tolerance`` of it. One alert per count and product; the answerable party is the
warehouse's owner."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuisu.db.engine import node_settings
from zhuisu.models import Event, Location
from zhuisu.oversight.rules.base import Hit, RiskRule, Scope
from zhuisu.sectors.hazardous import service as hazardous_service
from zhuisu.sectors.hazardous.documents import COUNT_STEPS

SITE = "https://id.gs1.org/414/"


def find(session: Session, scope: Scope) -> list[Hit]:
    if scope.full:
        sites = sorted(
            {
                str(s)
                for s in session.scalars(
                    select(Event.biz_location).where(Event.biz_step.in_(COUNT_STEPS), Event.biz_location.is_not(None))
                )
            }
        )
    else:
        sites = sorted({str(e.body.get("bizLocation", {}).get("id", "")) for e in scope.new if e.step in COUNT_STEPS})
        sites = [s for s in sites if s]
    if not sites:
        return []
    new = {e.pk for e in scope.new}
    settings = node_settings(session)
    tolerance = settings.hazardous_stock_tolerance if settings is not None else 0.0
    owners = {
        SITE + str(gln): party
        for gln, party in session.execute(
            select(Location.gln, Location.party_id).where(Location.gln.in_([s.removeprefix(SITE) for s in sites]))
        )
    }
    hits = []
    for (site, gtin, uom), (balance, class_id, name) in sorted(hazardous_service.balances(session, sites).items()):
        for pk, _when, counted, expected in balance.counts:
            if not scope.full and pk not in new:
                continue
            if abs(counted - expected) <= tolerance * abs(expected) + 1e-9:
                continue
            hits.append(
                Hit(
                    key=f"count:{pk}:{gtin}:{uom}",
                    events=(pk,),
                    codes=(f"https://id.gs1.org/01/{gtin}",),
                    party_id=owners.get(site),
                    class_id=class_id,
                    detail_zh=f"仓库 {site} 盘点 {name} {counted:g} {uom}，账面应有 {expected:g} {uom}"
                    f"（入库 − 出库 − 销毁），相差 {counted - expected:g} {uom}",
                    detail_en=f"warehouse {site} counted {counted:g} {uom} of {name}; the books say {expected:g} "
                    f"{uom} (received − issued − destroyed): a difference of {counted - expected:g} {uom}",
                    facts={"site": site, "counted": counted, "expected": expected, "uom": uom, "tolerance": tolerance},
                )
            )
    return hits


RULE = RiskRule(
    id="hazardous_stock_difference",
    severity="high",
    name_zh="危险品库存账实不符",
    name_en="hazardous stock difference",
    explanation_zh="仓库盘点的危险品数量与入库减出库减销毁的账面数量不一致，超出容差：可能有未记录的流入流出或丢失被盗。",
    explanation_en="A warehouse's count of a hazardous product differs from received less issued less destroyed "
    "beyond the tolerance: unrecorded movements, loss or theft.",
    timed=False,
    find=find,
)
