"""SELECT statements for the EPCIS top-level browse resources: the distinct values stored events name."""

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from zhuisu.events.permissions import EventScope, scope_filter
from zhuisu.models import Event, EventEpc

#: The ``event_epcs`` roles holding instance-level EPCs (what MATCH_anyEPC searches); quantity roles hold classes.
EPC_ROLES = ("epc", "child", "parent", "input", "output")

_COLUMNS: dict[str, InstrumentedAttribute[str | None]] = {
    "bizStep": Event.biz_step,
    "disposition": Event.disposition,
    "readPoint": Event.read_point,
    "bizLocation": Event.biz_location,
}


def all_distinct(session: Session, field: str, scope: EventScope) -> list[str]:
    """Every distinct value of an event field in ``scope`` (for the small vocabularies: bizStep, disposition)."""
    column = _COLUMNS[field]
    statement = select(column).where(column.is_not(None), *scope_filter(scope)).distinct()
    return [v for v in session.scalars(statement) if v is not None]


def distinct_page(session: Session, field: str, *, after: str | None, limit: int, scope: EventScope) -> list[str]:
    """Up to ``limit`` distinct values of an event field after ``after``, in the database's order (keyset paging:
    the comparison and the ORDER BY share the column's collation, so pages neither overlap nor skip). Only the
    events in ``scope`` count."""
    if field == "epc":
        return _epc_page(session, after=after, limit=limit, scope=scope)
    column = _COLUMNS[field]
    where: list[ColumnElement[bool]] = [column.is_not(None), *scope_filter(scope)]
    if after is not None:
        where.append(column > after)
    statement = select(column).where(*where).distinct().order_by(column).limit(limit)
    return [v for v in session.scalars(statement) if v is not None]


def _epc_page(session: Session, *, after: str | None, limit: int, scope: EventScope) -> list[str]:
    where: list[ColumnElement[bool]] = [EventEpc.role.in_(EPC_ROLES)]
    if not scope.everything:
        where.append(EventEpc.event_pk.in_(select(Event.id).where(*scope_filter(scope))))
    if after is not None:
        where.append(EventEpc.value > after)
    statement = select(EventEpc.value).where(*where).distinct().order_by(EventEpc.value).limit(limit)
    return list(session.scalars(statement))


def is_named(session: Session, field: str, value: str, scope: EventScope) -> bool:
    """Whether a stored event in ``scope`` names ``value`` in ``field`` (``epc``: as an instance-level EPC)."""
    if field == "epc":
        in_scope = [] if scope.everything else [EventEpc.event_pk.in_(select(Event.id).where(*scope_filter(scope)))]
        condition = exists().where(EventEpc.value == value, EventEpc.role.in_(EPC_ROLES), *in_scope)
    else:
        condition = exists().where(_COLUMNS[field] == value, *scope_filter(scope))
    return bool(session.scalar(select(condition)))
