"""``after_destruction``: an item named by an event after it was destroyed or decommissioned (the same end as
``trace.findings``' ``used_after_destroyed``: bizStep ``destroying`` or ``decommissioning``, disposition
``destroyed`` or ``inactive``, or an ObjectEvent DELETE), by event time.

Items only. One alert per item and end event, with the end and every later event as evidence; the answerable party
is the recorder of the latest event.
"""

from collections import defaultdict
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, aliased

from zhuisu.models import Event, EventEpc
from zhuisu.oversight.rules.base import CHUNK, Hit, RiskRule, Scope
from zhuisu.trace.walk import is_class

END_STEPS = ("destroying", "decommissioning")
END_DISPOSITIONS = ("destroyed", "inactive")


def find(session: Session, scope: Scope) -> list[Hit]:
    ended = or_(
        Event.biz_step.in_(END_STEPS),
        Event.disposition.in_(END_DISPOSITIONS),
        and_(Event.type == "ObjectEvent", Event.action == "DELETE"),
    )
    statement = (
        select(EventEpc.value, Event.id, Event.event_time)
        .join(Event, Event.id == EventEpc.event_pk)
        .where(EventEpc.role == "epc", ended)
        .order_by(EventEpc.value, Event.event_time, Event.id)
    )
    if scope.full:
        ends = session.execute(statement).all()
    else:  # the ends of the items the new events name (an end, or an event after one)
        items = [c for c in scope.new_codes() if not is_class(c)]
        ends = [
            row
            for start in range(0, len(items), CHUNK)
            for row in session.execute(statement.where(EventEpc.value.in_(items[start : start + CHUNK])))
        ]
    first: dict[str, tuple[int, datetime]] = {}
    for code, pk, t in ends:
        if not is_class(code) and code not in first:
            first[code] = (pk, t)
    if not first:
        return []
    later_epc, later = aliased(EventEpc), aliased(Event)
    end_epc, end = aliased(EventEpc), aliased(Event)
    found: dict[str, list[tuple[int, str]]] = defaultdict(list)
    codes = sorted(first)
    for start in range(0, len(codes), CHUNK):
        rows = session.execute(
            select(end_epc.value, end.id, later.id, later.recorder_id)
            .join(end, end.id == end_epc.event_pk)
            .join(later_epc, later_epc.value == end_epc.value)
            .join(later, and_(later.id == later_epc.event_pk, later.event_time > end.event_time))
            .where(end_epc.role == "epc", end_epc.value.in_(codes[start : start + CHUNK]))
            .order_by(end_epc.value, later.event_time, later.id)
        ).all()
        for code, end_pk, later_pk, recorder in rows:
            if first[code][0] == end_pk and (later_pk, recorder) not in found[code]:
                found[code].append((later_pk, recorder))
    hits = []
    for code, seen in sorted(found.items()):
        end_pk = first[code][0]
        hits.append(
            Hit(
                key=f"{code}\n{end_pk}",
                events=(end_pk, *(pk for pk, _ in seen)),
                codes=(code,),
                party_id=seen[-1][1],
                detail_zh=f"{code} 已销毁或注销，之后仍有 {len(seen)} 条记录",
                detail_en=f"{code} was destroyed or decommissioned, and named by {len(seen)} events afterwards",
                facts={"after": len(seen)},
            )
        )
    return hits


RULE = RiskRule(
    id="after_destruction",
    severity="high",
    name_zh="销毁后仍流通",
    name_en="used after destruction",
    explanation_zh="单品在销毁或注销之后又出现在事件中（如已报废的气瓶再次充装）。",
    explanation_en="An item appears in events after it was destroyed or decommissioned (a scrapped cylinder filled "
    "again).",
    timed=False,
    find=find,
)
