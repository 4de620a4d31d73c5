"""Named queries and subscriptions to them; stream notifications written to the outbox in the capture transaction.

``record_stream_events`` is registered in ``capture.service.AFTER_INSERT``: for each active stream subscription
it checks which newly stored events match the subscription's named query and writes one outbox row per chunk of
them, in the capture transaction — so a notification exists exactly when its events do (a rolled-back capture
leaves none). ``delivery`` sends the rows after commit.
"""

import secrets
from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuisu.errors import Conflict, InvalidInput, NotFound
from zhuisu.events import service as events_service
from zhuisu.events.params import parse_query
from zhuisu.kit.time import utc_now
from zhuisu.models import NamedQuery, OutboxMessage, Party, Subscription

#: Most events one notification carries; more matching events give several notifications, in order.
CHUNK = 500


class _Stored(Protocol):
    @property
    def pk(self) -> int: ...


def create_query(session: Session, *, owner: Party, name: str, params: list[tuple[str, str]]) -> NamedQuery:
    """Store a named query; its parameters are checked now (a bad one raises QueryParameterInvalid)."""
    if not name or len(name) > 200 or "/" in name:
        raise InvalidInput("查询名称无效", message_en="invalid query name: 1-200 characters, no '/'", parameter="name")
    parse_query(params)
    if session.get(NamedQuery, name) is not None:
        raise Conflict(f"已有名为 {name} 的查询", message_en=f"a query named {name} already exists")
    row = NamedQuery(name=name, owner_id=owner.id, params=[[k, v] for k, v in params])
    session.add(row)
    session.flush()
    return row


def get_query(session: Session, name: str) -> NamedQuery:
    row = session.get(NamedQuery, name)
    if row is None:
        raise NotFound(f"没有名为 {name} 的查询", message_en=f"no query named {name}")
    return row


def list_queries(session: Session) -> list[NamedQuery]:
    return list(session.scalars(select(NamedQuery).order_by(NamedQuery.name)))


def delete_query(session: Session, name: str, *, actor: Party) -> None:
    row = get_query(session, name)
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
    stream: bool = True,
    schedule: dict[str, Any] | None = None,
    report_if_empty: bool = False,
) -> Subscription:
    """Subscribe ``dest`` (an http(s) URL; empty for WebSocket) to a named query: on each capture or scheduled."""
    get_query(session, query_name)
    if dest and not dest.startswith(("http://", "https://")):
        raise InvalidInput("dest 应为 http(s) URL", message_en="dest must be an http(s) URL", parameter="dest")
    if not stream and not schedule:
        raise InvalidInput(
            "订阅需 stream=true 或 schedule",
            message_en="a subscription needs stream=true or a schedule",
            parameter="schedule",
        )
    row = Subscription(
        query_name=query_name, owner_id=owner.id, dest=dest, signature_token=signature_token, stream=stream,
        schedule=schedule, report_if_empty=report_if_empty, last_event_pk=events_service.latest_pk(session),
        next_run_at=utc_now() if schedule else None, active=True,
    )  # fmt: skip
    session.add(row)
    session.flush()
    return row


def new_signature_token() -> str:
    return secrets.token_urlsafe(32)


def get_subscription(session: Session, subscription_id: str) -> Subscription:
    row = session.get(Subscription, subscription_id)
    if row is None:
        raise NotFound(f"没有订阅 {subscription_id}", message_en=f"no subscription {subscription_id}")
    return row


def list_subscriptions(session: Session, query_name: str) -> list[Subscription]:
    get_query(session, query_name)
    stmt = select(Subscription).where(Subscription.query_name == query_name).order_by(Subscription.created_at)
    return list(session.scalars(stmt))


def unsubscribe(session: Session, subscription_id: str) -> None:
    session.delete(get_subscription(session, subscription_id))
    session.flush()


def record_stream_events(session: Session, stored: Sequence[_Stored]) -> None:
    """AFTER_INSERT hook: queue the newly stored events each active stream subscription's query matches."""
    pks = [s.pk for s in stored]
    subscriptions = list(
        session.scalars(select(Subscription).where(Subscription.stream.is_(True), Subscription.active.is_(True)))
    )
    queries: dict[str, NamedQuery] = {}
    for sub in subscriptions:
        named = queries.get(sub.query_name) or get_query(session, sub.query_name)
        queries[sub.query_name] = named
        matched = events_service.matching_pks(session, parse_query(query_params(named)), pks)
        for start in range(0, len(matched), CHUNK):
            session.add(OutboxMessage(subscription_id=sub.id, event_pks=matched[start : start + CHUNK]))
    session.flush()
