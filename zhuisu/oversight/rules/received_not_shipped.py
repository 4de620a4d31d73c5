"""``received_not_shipped``: a receipt (bizStep ``receiving``) of a code that no shipment (``shipping``) of the code
matches, before or after — ``trace.findings``' ``received_without_shipment`` — once the receipt is older than the
class's receipt window (``risk_receipt_window_hours``: the sender may record its shipment late). Time-based: the
scans run it. One alert per receipt event; the receiver answers for it.
"""

from datetime import timedelta

from sqlalchemy import exists, select, true
from sqlalchemy.orm import Session, aliased

from zhuisu.models import Event, EventEpc
from zhuisu.oversight.rules import custody
from zhuisu.oversight.rules.base import Hit, RiskRule, Scope


def find(session: Session, scope: Scope) -> list[Hit]:
    shortest = min(scope.config.receipt_window_hours.values(), default=0.0)
    probe = custody.probes_in_sql(session)
    s_epc, s_event = aliased(EventEpc), aliased(Event)
    shipped_sql = exists().where(
        s_epc.value == EventEpc.value,
        s_epc.role.in_(custody.ROLES),
        s_event.id == s_epc.event_pk,
        s_event.biz_step == "shipping",
    )
    receipts: list[custody.Row] = [
        (code, pk, t, recorder)
        for code, pk, t, recorder in session.execute(
            select(EventEpc.value, Event.id, Event.event_time, Event.recorder_id)
            .join(Event, Event.id == EventEpc.event_pk)
            .where(
                Event.biz_step == "receiving",
                EventEpc.role.in_(custody.ROLES),
                Event.event_time <= scope.now - timedelta(hours=shortest),
                ~shipped_sql if probe else true(),
            )
        )
    ]
    if probe:
        rows = receipts
    else:  # see ``custody.probes_in_sql``
        shipped = custody.latest(session, sorted({r[0] for r in receipts}), "shipping")
        rows = [r for r in receipts if r[0] not in shipped]
    return custody.hits(
        custody.overdue(session, scope, rows),
        "收货但没有对应的发货记录：{codes}",
        "received without any shipment: {codes}",
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
