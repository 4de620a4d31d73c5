"""The EPCIS SimpleEventQuery: matching events, keyset paging, and the EPCISQueryDocument they go out in.

Paging stays correct while events are captured: the first page fixes the newest event the query can see
(``max_id``), and each token resumes after the last (sort key, id) it returned, so no event is repeated or skipped
and the listing ends. Tokens are bound to the query they came from and expire; they carry no privilege (every page
runs the query again with the caller's rights).
"""

import base64
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from sqlalchemy.orm import Session

from zhuisu.epcis.query import predicates
from zhuisu.epcis.query.params import EventQuery
from zhuisu.errors import NotFound, QueryParameterInvalid, ZhuisuError
from zhuisu.events import repository
from zhuisu.events.permissions import EVERYTHING, EventScope
from zhuisu.kit.time import format_iso, utc_now
from zhuisu.models import Event

EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
_STANDARD_CONTEXTS = {
    EPCIS_CONTEXT,
    "https://gs1.github.io/EPCIS/epcis-context.jsonld",
    "https://ref.gs1.org/standards/epcis/epcis-context.jsonld",
}


class QueryTooLarge(ZhuisuError):
    code = "query_too_large"
    status_code = 413
    problem_type = "epcisException:QueryTooLargeException"


@dataclass
class EventPage:
    events: list[Event]
    next_token: str | None
    token_expires: datetime | None


@dataclass
class _Cursor:
    query_digest: str
    max_id: int
    after: tuple[Any, int] | None
    remaining: int | None
    expires: datetime


def _digest(query: EventQuery) -> str:
    return hashlib.sha256(query.canonical().encode()).hexdigest()[:24]


def _encode(cursor: _Cursor) -> str:
    # Full microsecond precision: a rounded key would make the next page start before the last row returned.
    after = None if cursor.after is None else [cursor.after[0].isoformat(), cursor.after[1]]
    raw = orjson.dumps(
        {
            "q": cursor.query_digest,
            "m": cursor.max_id,
            "a": after,
            "r": cursor.remaining,
            "e": int(cursor.expires.timestamp()),
        }
    )
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(token: str, query: EventQuery) -> _Cursor:
    bad = QueryParameterInvalid(
        "nextPageToken 无效或不属于本查询",
        message_en="nextPageToken is invalid or belongs to another query",
        parameter="nextPageToken",
    )
    try:
        data = orjson.loads(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
        after = None if data["a"] is None else (datetime.fromisoformat(data["a"][0]), int(data["a"][1]))
        cursor = _Cursor(
            str(data["q"]),
            int(data["m"]),
            after,
            data["r"],
            datetime.fromtimestamp(int(data["e"]), utc_now().tzinfo),
        )
    except (ValueError, KeyError, TypeError, IndexError, orjson.JSONDecodeError):
        raise bad from None
    if cursor.query_digest != _digest(query):
        raise bad
    if cursor.expires < utc_now():
        raise QueryParameterInvalid(
            "nextPageToken 已过期，请重新查询",
            message_en="nextPageToken has expired; run the query again",
            parameter="nextPageToken",
        )
    return cursor


def query_events(
    session: Session,
    query: EventQuery,
    *,
    per_page: int,
    page_token: str | None = None,
    token_ttl: timedelta,
    scope: EventScope,
) -> EventPage:
    """One page of the events in ``scope`` (``permissions.event_scope``: what the caller may read) matching
    ``query``; ``next_token`` is None on the last page."""
    resolve_master_data(session, query)
    if page_token:
        cursor = _decode(page_token, query)
    else:
        cursor = _Cursor(
            _digest(query),
            repository.max_event_pk(session),
            None,
            query.event_count_limit,
            utc_now() + token_ttl,
        )
        if query.max_event_count is not None:
            _check_max(session, query, cursor.max_id, scope)
    limit = per_page if cursor.remaining is None else min(per_page, cursor.remaining)
    rows = matching(session, query, after=cursor.after, max_id=cursor.max_id, limit=limit + 1, scope=scope)
    more = len(rows) > limit
    rows = rows[:limit]
    remaining = None if cursor.remaining is None else cursor.remaining - len(rows)
    if not more or not rows or remaining == 0:
        return EventPage(rows, None, None)
    last = rows[-1]
    key = last.event_time if query.order_by == "eventTime" else last.record_time
    nxt = _Cursor(cursor.query_digest, cursor.max_id, (key, last.id), remaining, utc_now() + token_ttl)
    return EventPage(rows, _encode(nxt), nxt.expires)


def matching(
    session: Session,
    query: EventQuery,
    *,
    after: tuple[Any, int] | None,
    max_id: int,
    limit: int,
    scope: EventScope,
) -> list[Event]:
    """Up to ``limit`` events matching ``query`` in its order, after ``after``; body predicates run in Python on
    rows the indexed filters let through, fetched in batches, so a page is full whenever enough events match."""
    if not query.predicates:
        return list(
            session.scalars(repository.page_statement(query, after=after, max_id=max_id, limit=limit, scope=scope))
        )
    found: list[Event] = []
    batch = max(4 * limit, 200)
    while len(found) < limit:
        rows = list(
            session.scalars(repository.page_statement(query, after=after, max_id=max_id, limit=batch, scope=scope))
        )
        contexts = repository.contexts(session, {r.context_id for r in rows if r.context_id is not None})
        for row in rows:
            context = _as_list(contexts.get(row.context_id or 0)) + _as_list(row.body.get("@context"))
            prefixes = predicates.prefixes_of(context)
            if all(check(row.body, prefixes) for check in query.predicates):
                found.append(row)
                if len(found) == limit:
                    break
        if len(rows) < batch:
            break
        last = rows[-1]
        after = (last.event_time if query.order_by == "eventTime" else last.record_time, last.id)
    return found


def _check_max(session: Session, query: EventQuery, max_id: int, scope: EventScope) -> None:
    limit = query.max_event_count or 0
    if query.predicates:
        count = len(matching(session, query, after=None, max_id=max_id, limit=limit + 1, scope=scope))
    else:
        count = repository.count_matching(session, query, max_id=max_id, limit=limit + 1, scope=scope)
    if count > limit:
        raise QueryTooLarge(
            f"结果超过 maxEventCount={limit} 个事件",
            message_en=f"more than maxEventCount={limit} events match",
        )


def get_event(session: Session, event_id: str, *, scope: EventScope = EVERYTHING) -> Event:
    """The event with this eventID (or CBV event hash), if it is in ``scope``. Raises NotFound (an event the caller
    may not read is not found: its existence is not told either)."""
    event = repository.find_event(session, event_id, scope)
    if event is None:
        raise NotFound(f"没有事件 {event_id}", message_en=f"no event {event_id}")
    return event


def event_contexts(session: Session, events: Iterable[Event]) -> dict[int, Any]:
    """The stored JSON-LD contexts ``events`` were captured with, by id (one read for many events)."""
    return repository.contexts(session, {e.context_id for e in events if e.context_id is not None})


def get_events(session: Session, event_ids: Sequence[str]) -> dict[str, Event]:
    """The events with these eventIDs (or CBV event hashes), by the id asked, read together (a story's timeline:
    one query instead of one per event). Everything is in scope: for readers that already narrowed the ids (a
    trace). Raises NotFound for an id with no event."""
    found = repository.find_events(session, event_ids)
    for event_id in event_ids:
        if event_id not in found:
            found[event_id] = get_event(session, event_id)  # a CBV event hash, or NotFound
    return found


def query_document(
    session: Session,
    events: list[Event],
    *,
    query_name: str = "SimpleEventQuery",
    contexts: dict[int, Any] | None = None,
) -> dict[str, Any]:
    """The EPCISQueryDocument (JSON-LD) for ``events``: each as captured, with its recordTime, under one @context.
    ``contexts`` (``event_contexts``): the stored contexts when the caller read them already (``event_contexts``)."""
    if contexts is None:
        contexts = event_contexts(session, events)
    urls: list[str] = []
    terms: dict[str, Any] = {}
    out: list[dict[str, Any]] = []
    for event in events:
        body = dict(event.body)
        body.setdefault("recordTime", format_iso(event.record_time))
        own = _merge_context(contexts.get(event.context_id) if event.context_id else None, urls, terms)
        if own is not None:
            body["@context"] = own if "@context" not in body else _as_list(own) + _as_list(body["@context"])
        out.append(body)
    context: list[Any] = [EPCIS_CONTEXT] + [u for u in urls if u not in _STANDARD_CONTEXTS]
    if terms:
        context.append(terms)
    return {
        "@context": context,
        "type": "EPCISQueryDocument",
        "schemaVersion": "2.0",
        "creationDate": format_iso(utc_now()),
        "epcisBody": {"queryResults": {"queryName": query_name, "resultsBody": {"eventList": out}}},
    }


def _as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def _merge_context(context: Any, urls: list[str], terms: dict[str, Any]) -> Any:
    """Fold an event's capture context into the document's; return what must stay on the event (a conflict)."""
    if context is None:
        return None
    conflicting: list[Any] = []
    for item in _as_list(context):
        if isinstance(item, str):
            if item not in urls:
                urls.append(item)
        elif isinstance(item, dict):
            clash = {k: v for k, v in item.items() if k in terms and terms[k] != v}
            if clash:
                conflicting.append(item)
            else:
                terms.update(item)
    return conflicting or None


def resolve_master_data(session: Session, query: EventQuery) -> None:
    """Turn WD_readPoint / WD_bizLocation / HASATTR_ / EQ_ATTR_ into sets of ids (EPCIS 2.0 §8.2.7.1).

    WD_ matches the named locations and every descendant in the stored master data (``children``, transitively).
    """
    query.resolved = []
    for name, values in query.master.items():
        if name.startswith("WD_"):
            query.resolved.append((name[3:], sorted(repository.descendants(session, values))))
        elif name.startswith("HASATTR_"):
            field = name[len("HASATTR_") :]
            query.resolved.append((field, sorted(repository.elements_with_attribute(session, values, None))))
        else:
            field, _, attribute = name[len("EQ_ATTR_") :].partition("_")
            query.resolved.append((field, sorted(repository.elements_with_attribute(session, [attribute], values))))


def matching_pks(session: Session, query: EventQuery, pks: list[int], *, scope: EventScope) -> list[int]:
    """Which of the events ``pks`` (just captured) in ``scope`` match ``query``, in ascending order (stream
    subscriptions: the subscriber's scope)."""
    if not pks:
        return []
    resolve_master_data(session, query)
    rows = list(session.scalars(repository.among(query, pks, scope)))
    if query.predicates:
        contexts = repository.contexts(session, {r.context_id for r in rows if r.context_id is not None})
        rows = [
            r
            for r in rows
            if all(
                check(r.body, predicates.prefixes_of(_as_list(contexts.get(r.context_id or 0))))
                for check in query.predicates
            )
        ]
    return [r.id for r in rows]


def events_by_pk(session: Session, pks: list[int]) -> list[Event]:
    """The events with these sequence numbers, in that order."""
    by_pk = {e.id: e for e in session.scalars(repository.by_pks(pks))}
    return [by_pk[pk] for pk in pks if pk in by_pk]


def latest_pk(session: Session) -> int:
    """The sequence number of the newest stored event (0 when there is none)."""
    return repository.max_event_pk(session)


def codes_named_after(session: Session, after: int, limit: int) -> tuple[list[str], int]:
    """The codes (canonical) that stored events name in their identifier rows after row ``after``, each once in
    the order first named, from at most ``limit`` rows; and the last row read (``after`` when there is none): a
    reader following every code recorded (the portal's story builder) keeps it as its cursor."""
    rows = repository.epcs_after(session, after, limit)
    return list(dict.fromkeys(value for _, value in rows)), rows[-1][0] if rows else after
