"""SELECT statements over the events table for the SimpleEventQuery."""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from zhuisu.epcis.query.params import MATCH_ROLES, EventQuery
from zhuisu.events.permissions import EVERYTHING, EventScope, scope_filter
from zhuisu.models import Event, EventContext, EventEpc, EventKey, VocabularyElement

_LIST_COLUMNS = {
    "EQ_action": Event.action,
    "EQ_bizStep": Event.biz_step,
    "EQ_disposition": Event.disposition,
    "EQ_readPoint": Event.read_point,
    "EQ_bizLocation": Event.biz_location,
}
_FIELD_COLUMNS = {
    "readPoint": Event.read_point,
    "bizLocation": Event.biz_location,
    "bizStep": Event.biz_step,
    "disposition": Event.disposition,
}
_TIME_FILTERS = {
    "GE_eventTime": lambda v: Event.event_time >= v,
    "LT_eventTime": lambda v: Event.event_time < v,
    "GE_recordTime": lambda v: Event.record_time >= v,
    "LT_recordTime": lambda v: Event.record_time < v,
}


def _match(values: list[str], roles: tuple[str, ...]) -> ColumnElement[bool]:
    """EXISTS an index row in one of ``roles`` equal to a value (or under an ``…*`` pattern)."""
    exact = [v for v in values if not v.endswith("*")]
    patterns = [v[:-1] for v in values if v.endswith("*")]
    conditions: list[ColumnElement[bool]] = []
    if exact:
        conditions.append(EventEpc.value.in_(exact))
    conditions += [EventEpc.value.startswith(p, autoescape=True) for p in patterns]
    return exists().where(EventEpc.event_pk == Event.id, EventEpc.role.in_(roles), or_(*conditions))


def filters(query: EventQuery, scope: EventScope = EVERYTHING) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = scope_filter(scope)
    if query.event_types:
        where.append(Event.type.in_(query.event_types))
    where += [_TIME_FILTERS[name](value) for name, value in query.times.items()]
    for name, values in query.lists.items():
        if name == "EQ_eventID":
            keys = or_(EventKey.event_id.in_(values), EventKey.event_hash.in_(values))
            where.append(Event.id.in_(select(EventKey.event_pk).where(keys)))
        else:
            where.append(_LIST_COLUMNS[name].in_(values))
    where += [_match(values, MATCH_ROLES[name]) for name, values in query.matches.items()]
    if query.exists_error_declaration:
        where.append(Event.has_error_declaration.is_(True))
    where += [_FIELD_COLUMNS[name].in_(ids) for name, ids in query.resolved]
    return where


def sort_column(query: EventQuery) -> Any:
    return Event.event_time if query.order_by == "eventTime" else Event.record_time


def page_statement(
    query: EventQuery, *, after: tuple[Any, int] | None, max_id: int, limit: int, scope: EventScope = EVERYTHING
) -> Select[Event]:
    """One page of matching events in ``scope``, keyset-paged on (sort column, id), among events with id ≤
    ``max_id``."""
    column = sort_column(query)
    where = [*filters(query, scope), Event.id <= max_id]
    if after is not None:
        value, last_id = after
        if query.order_desc:
            where.append(or_(column < value, and_(column == value, Event.id < last_id)))
        else:
            where.append(or_(column > value, and_(column == value, Event.id > last_id)))
    order = (column.desc(), Event.id.desc()) if query.order_desc else (column.asc(), Event.id.asc())
    return select(Event).where(*where).order_by(*order).limit(limit)


def count_matching(
    session: Session, query: EventQuery, *, max_id: int, limit: int, scope: EventScope = EVERYTHING
) -> int:
    """How many events in ``scope`` match, counting at most ``limit`` of them."""
    inner = select(Event.id).where(*filters(query, scope), Event.id <= max_id).limit(limit).subquery()
    return int(session.scalar(select(func.count()).select_from(inner)) or 0)


def epcs_after(session: Session, after: int, limit: int) -> list[tuple[int, str]]:
    """(id, value) of the identifier rows after ``after``, in order, at most ``limit``."""
    statement = select(EventEpc.id, EventEpc.value).where(EventEpc.id > after).order_by(EventEpc.id).limit(limit)
    return [(int(row.id), str(row.value)) for row in session.execute(statement)]


def max_event_pk(session: Session) -> int:
    return int(session.scalar(select(func.max(Event.id))) or 0)


def find_event(session: Session, event_id: str, scope: EventScope = EVERYTHING) -> Event | None:
    keyed = or_(EventKey.event_id == event_id, EventKey.event_hash == event_id)
    return session.scalar(
        select(Event).join(EventKey, EventKey.event_pk == Event.id).where(keyed, *scope_filter(scope))
    )


def find_events(session: Session, event_ids: Sequence[str]) -> dict[str, Event]:
    """The events with these eventIDs, by eventID: a query per 500 of them (a story's timeline in one or two)."""
    found: dict[str, Event] = {}
    unique = list(dict.fromkeys(event_ids))
    for start in range(0, len(unique), 500):
        keyed = EventKey.event_id.in_(unique[start : start + 500])
        for event in session.scalars(select(Event).join(EventKey, EventKey.event_pk == Event.id).where(keyed)):
            found[event.event_id] = event
    return found


def contexts(session: Session, ids: set[int]) -> dict[int, Any]:
    if not ids:
        return {}
    return {
        row.id: row.body
        for row in session.execute(select(EventContext.id, EventContext.body).where(EventContext.id.in_(ids)))
    }


def descendants(session: Session, roots: list[str]) -> set[str]:
    """``roots`` and every element below them in the stored master data (cycles are harmless)."""
    seen = set(roots)
    frontier = list(roots)
    while frontier:
        rows = session.scalars(select(VocabularyElement.children).where(VocabularyElement.element_id.in_(frontier)))
        frontier = [c for children in rows for c in children or () if c not in seen]
        seen.update(frontier)
    return seen


def elements_with_attribute(session: Session, attributes: list[str], values: list[str] | None) -> set[str]:
    """Ids of master-data elements having one of ``attributes`` (with one of ``values``, when given)."""
    found: set[str] = set()
    for element_id, stored in session.execute(select(VocabularyElement.element_id, VocabularyElement.attributes)):
        for attribute in attributes:
            if attribute in stored and (values is None or str(stored[attribute]) in values):
                found.add(element_id)
    return found


def among(query: EventQuery, pks: list[int], scope: EventScope = EVERYTHING) -> Select[Event]:
    """The events among ``pks`` in ``scope`` that pass the indexed filters of ``query``."""
    return select(Event).where(*filters(query, scope), Event.id.in_(pks)).order_by(Event.id)


def by_pks(pks: list[int]) -> Select[Event]:
    return select(Event).where(Event.id.in_(pks))
