"""``shipped_not_received``: a shipment (bizStep ``shipping``) of a code with no receipt (``receiving``) of that
code at or after its time, older than the class's receipt window (``risk_receipt_window_hours``, by the class of
the code's product, else the shipper's class) — ``trace.findings``' semantics with a window: a thing received
only before every shipment of it is a clock problem (times out of order), not a lost shipment. Time-based: the
scans run it. One alert per shipment event, naming the codes not received; the shipper answers for it.
"""

from collections import defaultdict
from datetime import datetime

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from zhuisu.kit.i18n import pair
from zhuisu.models import Event, EventEpc
from zhuisu.oversight.rules import custody
from zhuisu.oversight.rules.base import CHUNK, Hit, RiskRule, Scope


def find(session: Session, scope: Scope) -> list[Hit]:
    rows = custody.unmatched(session, scope, "shipping", "receiving", at_or_after=True)
    early = _received_before_every_shipment(session, sorted({r[0] for r in rows}))
    rows = [r for r in rows if r[0] not in early]
    return custody.hits(
        custody.overdue(session, scope, rows),
        *pair("shipped and not received within the window: {codes}"),
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
