"""Named queries and subscriptions to them; notifications queued in the capture transaction.

``record_stream_events`` receives capture's ``events_recorded`` signal (``zhuisu.app.wiring``): for each active
subscription it checks which newly stored events match the subscription's named query and, in the capture transaction,
writes one outbox row per chunk of them (stream subscriptions) or one pending row (scheduled ones, released by
``scheduler`` at the next run) — so a notification exists exactly when its events do (a rolled-back capture leaves
none), and concurrent captures committing out of sequence order cannot slip between two scheduled runs. ``delivery``
sends webhook rows after commit; ``sockets`` pushes a WebSocket subscription's rows to its connection.
"""

import secrets
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuisu.auth.roles import is_admin
from zhuisu.epcis import formats
from zhuisu.epcis.query.params import parse_query
from zhuisu.errors import AlreadyExists, InvalidInput, NotFound
from zhuisu.events import service as events_service
from zhuisu.events.permissions import EventScope, event_scope
from zhuisu.events.stored import StoredEvent
from zhuisu.exchange.subscriptions import permissions
from zhuisu.exchange.subscriptions.errors import SubscriptionControlsInvalid
from zhuisu.exchange.subscriptions.schedule import Schedule, parse_schedule
from zhuisu.kit.time import format_iso, utc_now
from zhuisu.models import NamedQuery, OutboxMessage, Party, PendingNotification, Subscription

#: Most events one notification carries; more matching events give several notifications, in order.
CHUNK = 500
#: Events read per query when reporting the events recorded since ``initialRecordTime``.
BACKFILL_PAGE = 2000


def create_query(session: Session, *, owner: Party, name: str, params: list[tuple[str, str]]) -> NamedQuery:
    """Store a named query; its parameters are checked now (a bad one raises QueryParameterInvalid)."""
    if not name or len(name) > 200 or "/" in name:
        raise InvalidInput("查询名称无效", message_en="invalid query name: 1-200 characters, no '/'", parameter="name")
    parse_query(params)
    if session.get(NamedQuery, name) is not None:
        raise AlreadyExists(f"已有名为 {name} 的查询", message_en=f"a query named {name} already exists")
    row = NamedQuery(name=name, owner_id=owner.id, params=[[k, v] for k, v in params])
    session.add(row)
    session.flush()
    return row


def get_query(session: Session, name: str) -> NamedQuery:
    row = session.get(NamedQuery, name)
    if row is None:
        raise NotFound(f"没有名为 {name} 的查询", message_en=f"no query named {name}")
    return row


def list_queries(session: Session, *, actor: Party) -> list[NamedQuery]:
    """The named queries ``actor`` may use: its own (every one, for the admin)."""
    stmt = select(NamedQuery).order_by(NamedQuery.name)
    if not is_admin(actor):
        stmt = stmt.where(NamedQuery.owner_id == actor.id)
    return list(session.scalars(stmt))


def delete_query(session: Session, name: str, *, actor: Party) -> None:
    """Delete a named query and its subscriptions. Raises NotYourQuery unless ``actor`` owns it or is the admin."""
    row = get_query(session, name)
    permissions.check_query(actor, row)
    for sub in session.scalars(select(Subscription).where(Subscription.query_name == name)):
        session.delete(sub)
    session.flush()  # subscriptions first: no ORM relationship tells the flush the order
    session.delete(row)
    session.flush()


def query_params(row: NamedQuery) -> list[tuple[str, str]]:
    return [(str(k), str(v)) for k, v in row.params]


def subscribe(
    session: Session,
    *,
    owner: Party,
    query_name: str,
    dest: str,
    signature_token: str = "",
    stream: bool = False,
    schedule: dict[str, Any] | None = None,
    report_if_empty: bool = False,
    initial_record_time: datetime | None = None,
    websocket: bool = False,
    epc_format: str = formats.DEFAULT_EPC_FORMAT,
) -> Subscription:
    """Subscribe ``dest`` (an http(s) URL; empty for a ``websocket`` one) to a named query, either on each capture
    (``stream``) or on a ``schedule`` — exactly one of them, as the binding requires. ``epc_format`` (one of
    ``formats.EPC_FORMATS``, checked by the caller) is the form of the identifiers in its notifications.

    With ``initial_record_time``, the matching events already stored that were recorded since then are reported
    too: queued in the outbox now (stream) or for the first run (schedule). Raises SubscriptionControlsInvalid
    (naming the field) and NotFound (no such query).
    """
    named = get_query(session, query_name)
    permissions.check_query(owner, named)
    _check_dest(dest, websocket=websocket)
    now = utc_now()
    parsed = _check_controls(stream=stream, schedule=schedule, now=now)
    row = Subscription(
        query_name=query_name, owner_id=owner.id, dest=dest, signature_token=signature_token, stream=stream,
        schedule=schedule, report_if_empty=report_if_empty, last_event_pk=events_service.latest_pk(session),
        next_run_at=parsed.next_after(now) if parsed else None, active=True, initial_record_time=initial_record_time,
        heartbeat_at=now if websocket else None, epc_format=epc_format,
    )  # fmt: skip
    session.add(row)
    session.flush()
    if initial_record_time is not None:
        _queue(session, row, _recorded_since(session, named, initial_record_time, row.last_event_pk))
    return row


def _check_dest(dest: str, *, websocket: bool) -> None:
    if websocket or dest.startswith(("http://", "https://")):
        return
    raise SubscriptionControlsInvalid(
        "dest 应为 http(s) URL", message_en="dest must be an http(s) URL", parameter="dest"
    )


def _check_controls(*, stream: bool, schedule: dict[str, Any] | None, now: datetime) -> Schedule | None:
    if stream and schedule is not None:
        raise SubscriptionControlsInvalid(
            "stream 与 schedule 不能同时使用",
            message_en="stream and schedule are mutually exclusive",
            parameter="stream",
        )
    if not stream and schedule is None:
        raise SubscriptionControlsInvalid(
            "订阅需 stream=true 或 schedule",
            message_en="a subscription needs stream=true or a schedule",
            parameter="schedule",
        )
    return None if schedule is None else parse_schedule(schedule, now=now)


def _recorded_since(session: Session, named: NamedQuery, since: datetime, max_pk: int) -> list[int]:
    """The stored events (up to ``max_pk``) the query matches that were recorded at or after ``since``."""
    query = parse_query([*query_params(named), ("GE_recordTime", format_iso(since))])
    scope = event_scope(session, session.get(Party, named.owner_id))  # what the subscriber may read
    events_service.resolve_master_data(session, query)
    found: list[int] = []
    after: tuple[Any, int] | None = None
    while True:
        rows = events_service.matching(session, query, after=after, max_id=max_pk, limit=BACKFILL_PAGE, scope=scope)
        found += [r.id for r in rows]
        if len(rows) < BACKFILL_PAGE:
            return sorted(found)
        last = rows[-1]
        after = (last.event_time if query.order_by == "eventTime" else last.record_time, last.id)


def _queue(session: Session, sub: Subscription, pks: Sequence[int]) -> None:
    """Report ``pks`` to ``sub``: outbox messages now (stream), or pending rows for its next run (schedule)."""
    for start in range(0, len(pks), CHUNK):
        chunk = list(pks[start : start + CHUNK])
        if sub.stream:
            session.add(OutboxMessage(subscription_id=sub.id, event_pks=chunk))
        else:
            session.add(PendingNotification(subscription_id=sub.id, event_pks=chunk))


def new_signature_token() -> str:
    return secrets.token_urlsafe(32)


def get_subscription(session: Session, query_name: str, subscription_id: str) -> Subscription:
    row = session.get(Subscription, subscription_id)
    if row is None or row.query_name != query_name:
        raise NotFound(f"没有订阅 {subscription_id}", message_en=f"no subscription {subscription_id}")
    return row


def list_subscriptions(session: Session, query_name: str, *, actor: Party) -> list[Subscription]:
    """The subscriptions of a query ``actor`` may use. Raises NotYourQuery for another's query."""
    permissions.check_query(actor, get_query(session, query_name))
    stmt = select(Subscription).where(Subscription.query_name == query_name).order_by(Subscription.created_at)
    return list(session.scalars(stmt))


def unsubscribe(session: Session, query_name: str, subscription_id: str) -> None:
    """Cancel a subscription (its undelivered and pending notifications go with it); a WebSocket one is closed."""
    session.delete(get_subscription(session, query_name, subscription_id))
    session.flush()


def record_stream_events(session: Session, stored: Sequence[StoredEvent]) -> None:
    """Receiver of capture's ``events_recorded`` signal: for each active subscription, queue the newly stored events
    its query matches — in the outbox (stream) or as pending for the next scheduled run (schedule) — in the capture
    transaction."""
    pks = [s.pk for s in stored]
    subscriptions = list(session.scalars(select(Subscription).where(Subscription.active.is_(True))))
    queries: dict[str, NamedQuery] = {}
    scopes: dict[str, EventScope] = {}
    for sub in subscriptions:
        named = queries.get(sub.query_name) or get_query(session, sub.query_name)
        queries[sub.query_name] = named
        if sub.owner_id not in scopes:  # each subscriber is sent only what it may read
            scopes[sub.owner_id] = event_scope(session, session.get(Party, sub.owner_id))
        query = parse_query(query_params(named))
        _queue(session, sub, events_service.matching_pks(session, query, pks, scope=scopes[sub.owner_id]))
    session.flush()
