"""``canteen_unlicensed_supplier``: a canteen received goods from a supplier without a valid licence on the day — the
procurement ledger's licence check (``zhuisu.sectors.canteen``: a confirmed food business or food production (SC)
licence of the supplier, valid that day and covering the class) said 未核验 when the receipt was recorded.

One alert per canteen and supplier (a supplier not on this node by its 统一社会信用代码), with every such receipt as
evidence; the canteen answers for it, and it lies in the canteen site's region under the canteen's class, so the
district's food regulator reads it. It reads the ledger, which the ledger's service writes after its capture: scans
run it (``zhuisu risk scan``, the worker), captures do not.
"""

from collections import defaultdict

from sqlalchemy.orm import Session

from zhuisu.models import CanteenReceipt, Party
from zhuisu.oversight.rules.base import Hit, RiskRule, Scope
from zhuisu.sectors.canteen import service as canteen_service


def _supplier_key(row: CanteenReceipt) -> str:
    return row.supplier_id or row.supplier_uscc or row.supplier_name


def find(session: Session, scope: Scope) -> list[Hit]:
    grouped: dict[tuple[str, str], list[CanteenReceipt]] = defaultdict(list)
    for row in canteen_service.unlicensed_receipts(session):
        grouped[(row.canteen_id, _supplier_key(row))].append(row)
    hits = []
    for (canteen_id, supplier), rows in sorted(grouped.items()):
        canteen = session.get(Party, canteen_id)
        name = canteen.name if canteen else canteen_id
        last = rows[-1]
        days = sorted({r.day.isoformat() for r in rows})
        hits.append(
            Hit(
                key=f"{canteen_id}\n{supplier}",
                events=tuple(r.event_pk for r in rows),
                codes=tuple(sorted({r.code for r in rows})),
                party_id=canteen_id,
                class_id=last.class_id,
                region=last.region,
                detail_zh=f"{name} 从无有效许可证的供货者 {last.supplier_name} 进货 {len(rows)} 次"
                f"（{days[0]} 至 {days[-1]}，最近一次：{last.product_name}）",
                detail_en=f"{name} received goods {len(rows)} times from {last.supplier_name}, a supplier without a "
                f"valid licence ({days[0]} to {days[-1]}; the latest: {last.product_name})",
                facts={
                    "supplier": last.supplier_name,
                    "supplier_uscc": last.supplier_uscc,
                    "receipts": len(rows),
                    "days": days,
                },
            )
        )
    return hits


RULE = RiskRule(
    id="canteen_unlicensed_supplier",
    severity="high",
    name_zh="食堂从无证供货者进货",
    name_en="canteen supplied without a licence",
    explanation_zh="食堂进货验收时，供货者在当日没有经确认、有效且覆盖该类别的食品经营或食品生产许可证（索证未通过）。"
    "预警由食堂负责，所在辖区的食品监管部门可见。",
    explanation_en="At a canteen's receiving inspection the supplier held no confirmed food business or food "
    "production licence valid that day and covering the class. The canteen answers for it; the district's food "
    "regulator sees it.",
    timed=True,
    find=find,
)
