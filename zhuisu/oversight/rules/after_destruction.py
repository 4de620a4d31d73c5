"""``after_destruction``: an item named by an event after it was destroyed or decommissioned (the same end as
``trace.findings``' ``used_after_destroyed``: bizStep ``destroying`` or ``decommissioning``, disposition
``destroyed`` or ``inactive``, or an ObjectEvent DELETE), by event time.

Items only. One alert per item and end event, with the end and every later event as evidence — but a later end
(a scrapped cylinder made unusable) or deregistration (注销) is no use of it; the answerable party is the recorder
of the latest event.

At capture the rule probes ``oversight_ended_things`` (the items ends named, kept by ``record_ends`` from the new
events in hand) by the items the new events name — an index probe that mostly misses — and reads the events of
the few that ended; a full scan reads the events, and adds to that table what it lacks (``sync_ends``).
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import and_, exists, insert, or_, select
from sqlalchemy.orm import Session

from zhuisu.codes.canonical import canonical_id
from zhuisu.kit.time import parse_iso
from zhuisu.models import EndedThing, Event, EventEpc
from zhuisu.oversight.rules.base import CHUNK, Hit, NewEvent, RiskRule, Scope
from zhuisu.sectors.equipment.lifecycle import DEREGISTERING
from zhuisu.trace.walk import is_class

END_STEPS = ("destroying", "decommissioning")
#: Steps after an end that are no use of the item: another end (报废 then 去功能化), or 注销 (deregistration).
CLOSING = frozenset((*END_STEPS, DEREGISTERING))
END_DISPOSITIONS = ("destroyed", "inactive")
#: An event that ends what its epcList names.
ENDED = or_(
    Event.biz_step.in_(END_STEPS),
    Event.disposition.in_(END_DISPOSITIONS),
    and_(Event.type == "ObjectEvent", Event.action == "DELETE"),
)


def is_end(event: NewEvent) -> bool:
    """Whether an event destroys or decommissions what its epcList names."""
    return (
        event.step in END_STEPS
        or event.disposition in END_DISPOSITIONS
        or (event.body.get("type") == "ObjectEvent" and event.body.get("action") == "DELETE")
    )


def record_ends(session: Session, events: Sequence[NewEvent]) -> None:
    """Keep the items the new end events name (``oversight_ended_things``), from the events in hand."""
    rows = [
        {"thing": code, "event_pk": e.pk, "event_time": parse_iso(e.body["eventTime"])}
        for e in events
        if is_end(e)
        for code in dict.fromkeys(canonical_id(epc) for epc in e.body.get("epcList") or ())
    ]
    if rows:
        session.execute(insert(EndedThing), rows)


def sync_ends(session: Session) -> None:
    """Add to ``oversight_ended_things`` the ends stored without it (before the table, or with the receiver off);
    each full scan does."""
    kept = exists().where(EndedThing.event_pk == Event.id, EndedThing.thing == EventEpc.value)
    session.execute(
        insert(EndedThing).from_select(
            ["thing", "event_pk", "event_time"],
            select(EventEpc.value, Event.id, Event.event_time)
            .join(Event, Event.id == EventEpc.event_pk)
            .where(EventEpc.role == "epc", ENDED, ~kept),
        )
    )


def find(session: Session, scope: Scope) -> list[Hit]:
    statement = (
        select(EventEpc.value, Event.id, Event.event_time)
        .join(Event, Event.id == EventEpc.event_pk)
        .where(EventEpc.role == "epc", ENDED)
        .order_by(EventEpc.value, Event.event_time, Event.id)
    )
    if scope.full:
        ends = session.execute(statement).all()
    else:  # the ends of the items the new events name (an end, or an event after one), by the small table
        probe = select(EndedThing.thing).where(EndedThing.thing.in_(scope.named_codes())).distinct()
        items = sorted(thing for thing in session.scalars(probe) if not is_class(thing))
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
    found: dict[str, list[tuple[int, str]]] = defaultdict(list)
    codes = sorted(first)
    for start in range(0, len(codes), CHUNK):
        # Every event naming the ended items, compared with the first end here: one index probe per item, then its
        # events by key — not a join of the items' events with themselves on time, which a planner misled by stale
        # statistics (a big load not analysed yet) ran as a nested loop over every pair of events.
        rows = session.execute(
            select(EventEpc.value, Event.id, Event.recorder_id, Event.event_time, Event.biz_step)
            .join(Event, Event.id == EventEpc.event_pk)
            .where(EventEpc.value.in_(codes[start : start + CHUNK]))
            .order_by(EventEpc.value, Event.event_time, Event.id)
        ).all()
        for code, later_pk, recorder, when, step in rows:
            if step in CLOSING:
                continue  # ending it again is no use of it: a scrapped cylinder made unusable, then deregistered
            if when > first[code][1] and (later_pk, recorder) not in found[code]:
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
