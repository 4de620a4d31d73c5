"""What the custody rules share: shipments and receipts of a code (``event_epcs`` roles ``epc`` and ``quantity``),
the receipt window of a code's class, and the hits grouped by the decisive event."""

from collections import defaultdict
from datetime import datetime, timedelta

from sqlalchemy import exists, func, select, true
from sqlalchemy.orm import Session, aliased

from zhuisu.catalog.rules import for_class
from zhuisu.models import Event, EventEpc
from zhuisu.oversight.rules.base import CHUNK, Hit, Scope, classes_of_codes, party_classes

ROLES = ("epc", "quantity")
#: A row: (code, event pk, event time, recorder).
Row = tuple[str, int, datetime, str]


def overdue(session: Session, scope: Scope, rows: list[Row]) -> dict[int, list[Row]]:
    """The rows whose event is older than its class's receipt window, grouped by event."""
    classes = classes_of_codes(session, {r[0] for r in rows})
    recorders = party_classes(session, {r[3] for r in rows})
    by_event: dict[int, list[Row]] = defaultdict(list)
    for row in rows:
        class_id = classes.get(row[0]) or recorders.get(row[3])
        hours = for_class(scope.config.receipt_window_hours, class_id)
        if hours is not None and row[2] <= scope.now - timedelta(hours=hours):
            by_event[row[1]].append(row)
    return by_event


def hits(by_event: dict[int, list[Row]], zh: str, en: str) -> list[Hit]:
    """One hit per event, keyed by the event and naming its codes; ``zh``/``en`` take ``{codes}``."""
    found = []
    for pk, rows in sorted(by_event.items()):
        codes = tuple(sorted({r[0] for r in rows}))
        shown = "、".join(codes[:3]) + ("…" if len(codes) > 3 else "")
        found.append(
            Hit(
                key=str(pk),
                events=(pk,),
                codes=codes,
                party_id=rows[0][3],
                detail_zh=zh.format(codes=shown),
                detail_en=en.format(codes=shown.replace("、", ", ")),
                facts={"codes": len(codes)},
            )
        )
    return found


def unmatched(session: Session, scope: Scope, step: str, counterpart: str, *, at_or_after: bool) -> list[Row]:
    """The (code, event) rows of ``step`` events older than the shortest receipt window whose code no
    ``counterpart`` event names (``at_or_after``: none dated at or after the row's event).

    On SQLite a correlated ``NOT EXISTS``, one index probe per row; on PostgreSQL index probes of the codes a chunk
    at a time (``latest``): its planner, on a freshly loaded table never analysed, ran the ``NOT EXISTS`` as a
    nested loop over both sides for minutes."""
    shortest = min(scope.config.receipt_window_hours.values(), default=0.0)
    in_sql = session.get_bind().dialect.name == "sqlite"
    c_epc, c_event = aliased(EventEpc), aliased(Event)
    matched = exists().where(
        c_epc.value == EventEpc.value,
        c_epc.role.in_(ROLES),
        c_event.id == c_epc.event_pk,
        c_event.biz_step == counterpart,
        c_event.event_time >= Event.event_time if at_or_after else true(),
    )
    rows: list[Row] = [
        (code, pk, t, recorder)
        for code, pk, t, recorder in session.execute(
            select(EventEpc.value, Event.id, Event.event_time, Event.recorder_id)
            .join(Event, Event.id == EventEpc.event_pk)
            .where(
                Event.biz_step == step,
                EventEpc.role.in_(ROLES),
                Event.event_time <= scope.now - timedelta(hours=shortest),
                ~matched if in_sql else true(),
            )
        )
    ]
    if in_sql:
        return rows
    last = latest(session, sorted({r[0] for r in rows}), counterpart)
    return [r for r in rows if not (r[0] in last and (not at_or_after or last[r[0]] >= r[2]))]


def latest(session: Session, codes: list[str], biz_step: str) -> dict[str, datetime]:
    """The time of the latest event of ``biz_step`` naming each of ``codes`` (those that have one), by index probes
    of ``event_epcs.value`` a chunk at a time."""
    found: dict[str, datetime] = {}
    for start in range(0, len(codes), CHUNK):
        for code, last in session.execute(
            select(EventEpc.value, func.max(Event.event_time))
            .join(Event, Event.id == EventEpc.event_pk)
            .where(
                EventEpc.value.in_(codes[start : start + CHUNK]), EventEpc.role.in_(ROLES), Event.biz_step == biz_step
            )
            .group_by(EventEpc.value)
        ):
            found[code] = last
    return found
