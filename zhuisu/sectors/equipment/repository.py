"""The statements the special equipment register reads: each piece of equipment's lifecycle events, the register's
rows in a reader's lane, party names."""

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, case, func, literal, or_, select
from sqlalchemy.orm import Session

from zhuisu.models import Equipment, Event, EventContext, EventEpc, Party, Product
from zhuisu.sectors.equipment.lifecycle import STEPS

CHUNK = 500
#: (event pk, code, recorder, event body, @context)
Row = tuple[int, str, str, dict[str, Any], Any]


def lifecycle_events(session: Session, codes: Sequence[str]) -> list[Row]:
    """The lifecycle events naming ``codes`` in their epcList, in time order (then arrival)."""
    timed: list[tuple[datetime, Row]] = []
    wanted = sorted(set(codes))
    for start in range(0, len(wanted), CHUNK):
        statement = (
            select(Event.id, EventEpc.value, Event.recorder_id, Event.body, EventContext.body, Event.event_time)
            .join(EventEpc, EventEpc.event_pk == Event.id)
            .outerjoin(EventContext, EventContext.id == Event.context_id)
            .where(
                EventEpc.value.in_(wanted[start : start + CHUNK]),
                EventEpc.role == "epc",
                Event.biz_step.in_(sorted(STEPS)),
            )
            .order_by(Event.event_time, Event.id)
        )
        timed += [
            (when, (int(pk), str(code), str(rec), body, ctx))
            for pk, code, rec, body, ctx, when in session.execute(statement)
        ]
    timed.sort(key=lambda r: (r[0], r[1][0]))
    return [row for _, row in timed]


def all_codes(session: Session) -> list[str]:
    """Every code a registration or installation event names (what a rebuild starts from)."""
    starts = sorted(k for k in STEPS if k in ("installing", "https://zhuisu.cn/voc/bizstep/registering"))
    statement = (
        select(EventEpc.value)
        .join(Event, Event.id == EventEpc.event_pk)
        .where(Event.biz_step.in_(starts), EventEpc.role == "epc")
        .distinct()
    )
    return sorted(str(v) for v in session.scalars(statement))


def registered(session: Session, codes: Sequence[str]) -> dict[str, Equipment]:
    """The register's rows of ``codes`` (those it has)."""
    found: dict[str, Equipment] = {}
    wanted = sorted(set(codes))
    for start in range(0, len(wanted), CHUNK):
        found.update(
            (e.code, e)
            for e in session.scalars(select(Equipment).where(Equipment.code.in_(wanted[start : start + CHUNK])))
        )
    return found


def in_lane(lane: ColumnElement[bool], *where: ColumnElement[bool]) -> Select[Equipment]:
    return select(Equipment).where(lane, *where).order_by(Equipment.region, Equipment.class_id, Equipment.code)


def condition_of(day: date, warn_days: int) -> ColumnElement[str]:
    """A row's condition on ``day`` in SQL, as ``lifecycle.condition(...).key`` works it out in Python (the test
    compares both on every row): the terminal or suspended status, else overdue, due, or the status."""
    live = Equipment.status.in_(("in_service", "installed"))
    overdue = or_(
        Equipment.next_inspection_due < day,
        Equipment.next_maintenance_due < day,
        Equipment.last_inspection_result == "fail",
    )
    due = or_(
        Equipment.next_inspection_due.between(day, day + timedelta(days=warn_days)),
        Equipment.next_maintenance_due.between(day, day + timedelta(days=min(warn_days, 3))),
    )
    return case((~live, Equipment.status), (overdue, literal("overdue")), (due, literal("due")), else_=Equipment.status)


def condition_counts(
    session: Session, condition: ColumnElement[str], lane: ColumnElement[bool], *where: ColumnElement[bool]
) -> dict[str, int]:
    statement = select(condition, func.count()).where(lane, *where).group_by(condition)
    return {str(key): int(n) for key, n in session.execute(statement)}


def product_classes(session: Session, gtins: Sequence[str]) -> dict[str, str]:
    """GTIN → the catalog class of the registered product."""
    found: dict[str, str] = {}
    for start in range(0, len(gtins), CHUNK):
        found.update(
            (str(g), str(c))
            for g, c in session.execute(
                select(Product.gtin, Product.class_id).where(Product.gtin.in_(gtins[start : start + CHUNK]))
            )
        )
    return found


def party_names(session: Session, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    return {str(i): str(n) for i, n in session.execute(select(Party.id, Party.name).where(Party.id.in_(sorted(ids))))}
