"""``shipped_not_received``: a shipment (bizStep ``shipping``) of a code with no receipt (``receiving``) of that
code at or after its time, older than the class's receipt window (``risk_receipt_window_hours``, by the class of
the code's product, else the shipper's class) — ``trace.findings``' semantics with a window: a thing received
only before every shipment of it is a clock problem (times out of order), not a lost shipment. Time-based: the
scans run it. One alert per shipment event, naming the codes not received; the shipper answers for it.
"""

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import and_, exists, func, select, true
from sqlalchemy.orm import Session, aliased

from zhuisu.models import Event, EventEpc
from zhuisu.oversight.rules import custody
from zhuisu.oversight.rules.base import CHUNK, Hit, RiskRule, Scope


def find(session: Session, scope: Scope) -> list[Hit]:
    shortest = min(scope.config.receipt_window_hours.values(), default=0.0)
    probe = custody.probes_in_sql(session)
    r_epc, r_event = aliased(EventEpc), aliased(Event)
    received_sql = exists().where(
        r_epc.value == EventEpc.value,
        r_epc.role.in_(custody.ROLES),
        r_event.id == r_epc.event_pk,
        r_event.biz_step == "receiving",
        r_event.event_time >= Event.event_time,
    )
    shipments: list[custody.Row] = [
        (code, pk, t, recorder)
        for code, pk, t, recorder in session.execute(
            select(EventEpc.value, Event.id, Event.event_time, Event.recorder_id)
            .join(Event, Event.id == EventEpc.event_pk)
            .where(
                Event.biz_step == "shipping",
                EventEpc.role.in_(custody.ROLES),
                Event.event_time <= scope.now - timedelta(hours=shortest),
                ~received_sql if probe else true(),
            )
        )
    ]
    if probe:
        rows = shipments
    else:  # received at or after the shipment: the latest receipt of each code (see ``custody.probes_in_sql``)
        last_receipt = custody.latest(session, sorted({r[0] for r in shipments}), "receiving")
        rows = [r for r in shipments if not (r[0] in last_receipt and last_receipt[r[0]] >= r[2])]
    early = _received_before_every_shipment(session, sorted({r[0] for r in rows}))
    rows = [r for r in rows if r[0] not in early]
    return custody.hits(
        custody.overdue(session, scope, rows),
        "已发货但超过时限仍无收货记录：{codes}",
        "shipped and not received within the window: {codes}",
    )


def _received_before_every_shipment(session: Session, codes: list[str]) -> set[str]:
    """The codes with a receipt dated before their first shipment (reported as times out of order instead)."""
    firsts: dict[str, dict[str, datetime]] = defaultdict(dict)
    for start in range(0, len(codes), CHUNK):
        for code, step, first in session.execute(
            select(EventEpc.value, Event.biz_step, func.min(Event.event_time))
            .join(Event, Event.id == EventEpc.event_pk)
            .where(
                EventEpc.value.in_(codes[start : start + CHUNK]),
                EventEpc.role.in_(custody.ROLES),
                and_(Event.biz_step.in_(("shipping", "receiving"))),
            )
            .group_by(EventEpc.value, Event.biz_step)
        ):
            firsts[code][str(step)] = first
    return {c for c, f in firsts.items() if "receiving" in f and f["receiving"] < f["shipping"]}


RULE = RiskRule(
    id="shipped_not_received",
    severity="medium",
    name_zh="发货未收货",
    name_en="shipped, not received",
    explanation_zh="发货后超过该类产品的收货时限仍没有对应的收货记录，货物可能流失或流向不明。",
    explanation_en="A shipment with no receipt within its class's window: the goods may be lost or gone astray.",
    timed=True,
    find=find,
)
