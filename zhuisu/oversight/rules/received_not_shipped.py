"""``received_not_shipped``: a receipt (bizStep ``receiving``) of a code that no shipment (``shipping``) of the code
matches, before or after — ``trace.findings``' ``received_without_shipment`` — once the receipt is older than the
class's receipt window (``risk_receipt_window_hours``: the sender may record its shipment late). Time-based: the
scans run it. One alert per receipt event; the receiver answers for it.
"""

from sqlalchemy.orm import Session

from zhuisu.kit.i18n import pair
from zhuisu.oversight.rules import custody
from zhuisu.oversight.rules.base import Hit, RiskRule, Scope


def find(session: Session, scope: Scope) -> list[Hit]:
    rows = custody.unmatched(session, scope, "receiving", "shipping", at_or_after=False)
    return custody.hits(
        custody.overdue(session, scope, rows),
        *pair("received without any shipment: {codes}"),
    )


RULE = RiskRule(
    id="received_not_shipped",
    severity="medium",
    name_zh="收货无发货",
    name_en="received, never shipped",
    explanation_zh="收货记录找不到任何对应的发货记录，货物来源不明。",
    explanation_en="A receipt no shipment matches: the goods' origin is unknown.",
    timed=True,
    find=find,
)
