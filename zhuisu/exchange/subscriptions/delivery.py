"""Delivery of the subscription outbox, after commit: signed webhooks, retries with backoff, a delivery log.

Messages are sent oldest first, and a subscription's messages in order: when one fails, the subscription's later
messages wait for it. A worker first claims a message in a short transaction (``SELECT … FOR UPDATE SKIP LOCKED``
on PostgreSQL, then a conditional update setting ``claimed_until``; on SQLite the single writer lock serialises
the claim), sends it outside any transaction, and records the outcome in a second one — so several workers (the
web processes' and ``zhuisu worker``) never send one message twice, and no lock is held while a receiver is slow.
A 2xx answer marks it delivered; anything else (or no answer) schedules the next attempt after an exponential
backoff (capped), and every attempt is logged in ``subscription_deliveries``. The body is the EPCISQueryDocument of
the message's events, signed with
``GS1-Signature: sha256=<hex HMAC-SHA256 of the body under the subscription's signature token>``, its identifiers
in the subscription's ``epcFormat`` (``GS1-EPC-Format``, also sent as a header). A notification cannot be refused
the way a query answers 406: under ``Always_EPC_URN``, an identifier that has no EPC URN form (or whose company
prefix length is unknown) is sent as captured.
"""

import hashlib
import hmac
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from typing import Any

import httpx
import orjson
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from zhuisu.db.session import unit_of_work
from zhuisu.epcis import formats
from zhuisu.events import service as events_service
from zhuisu.exchange import outbound
from zhuisu.kit.time import utc_now
from zhuisu.models import DeliveryAttempt, OutboxMessage, Subscription

#: (url, body, headers) -> HTTP status code; raises OSError when the receiver cannot be reached.
Sender = Callable[[str, bytes, dict[str, str]], int]
BACKOFF_BASE = timedelta(seconds=2)
BACKOFF_MAX = timedelta(minutes=10)
#: How long a worker holds a message it is sending; far above the HTTP timeout, so a live claim never lapses.
CLAIM_LEASE = timedelta(minutes=5)


@dataclass(frozen=True)
class Round:
    """What one delivery round did."""

    delivered: int
    failed: int


def signature(token: str, body: bytes) -> str:
    """The GS1-Signature header value of ``body``."""
    return "sha256=" + hmac.new(token.encode(), body, hashlib.sha256).hexdigest()


def http_sender(timeout: float, allowed: Sequence[str] = ()) -> Sender:
    """POST with ``httpx`` (redirects not followed: a 3xx is not an acceptance, and following one would skip the
    destination check); a destination ``outbound`` refuses (a name now pointing at a private address, say) is a
    failed delivery, retried later, never a request. A transport error is an ``OSError`` (no answer)."""

    def send(url: str, body: bytes, headers: dict[str, str]) -> int:
        problem = outbound.destination_problem(url, allowed)
        if problem is not None:
            raise outbound.RefusedDestination(f"refused: {problem}")
        try:
            response = httpx.post(url, content=body, headers=headers, timeout=timeout, follow_redirects=False)
        except httpx.TransportError as exc:
            raise OSError(str(exc) or type(exc).__name__) from exc
        return response.status_code

    return send


def backoff(attempts: int) -> timedelta:
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def deliver_due(
    maker: sessionmaker[Session],
    send: Sender,
    *,
    now: datetime | None = None,
    limit: int = 100,
    stop: threading.Event | None = None,
) -> Round:
    """Try the due webhook messages, each subscription's in order (at most ``limit`` attempts, fewer once
    ``stop`` is set); returns how many were delivered and how many failed."""
    at = now or utc_now()

    def attempt(message_id: int) -> bool | None:
        claim = _claim(maker, message_id, at)
        return None if claim is None else _send_and_record(maker, claim, send, at)

    return drain(partial(_heads, maker), attempt, limit=limit, stop=stop)


def drain(
    heads: Callable[[], list[tuple[str, int]]],
    attempt: Callable[[int], bool | None],
    *,
    limit: int,
    stop: threading.Event | None,
) -> Round:
    """One delivery round over an outbox: ``heads`` gives each queue's oldest undelivered message (queue,
    message); ``attempt`` claims and sends one (None: not claimed — not due, or another worker's; True: delivered;
    False: failed). A queue is done for the round once a message of it fails or cannot be claimed, so its later
    messages wait (in order); at most ``limit`` attempts, fewer once ``stop`` is set. Shared by the subscription
    and the notice outboxes."""
    delivered = failed = 0
    done: set[str] = set()
    while delivered + failed < limit and not (stop is not None and stop.is_set()):
        queued = [(queue, message) for queue, message in heads() if queue not in done]
        if not queued:
            break
        for queue, message_id in queued:
            if delivered + failed >= limit or (stop is not None and stop.is_set()):
                break
            outcome = attempt(message_id)
            if outcome is None:
                done.add(queue)
            elif outcome:
                delivered += 1
            else:
                failed += 1
                done.add(queue)
    return Round(delivered, failed)


def _heads(maker: sessionmaker[Session]) -> list[tuple[str, int]]:
    """The oldest undelivered message of each webhook subscription."""
    with unit_of_work(maker, write=False) as session:
        rows = session.execute(
            select(OutboxMessage.subscription_id, func.min(OutboxMessage.id))
            .join(Subscription, Subscription.id == OutboxMessage.subscription_id)
            .where(OutboxMessage.delivered.is_(False), Subscription.dest != "")
            .group_by(OutboxMessage.subscription_id)
            .order_by(func.min(OutboxMessage.id))
        )
        return [(str(sub), int(msg)) for sub, msg in rows]


@dataclass(frozen=True)
class _Claim:
    message_id: int
    url: str
    body: bytes
    headers: dict[str, str]


def _claim(maker: sessionmaker[Session], message_id: int, at: datetime) -> _Claim | None:
    """Claim a due message for ``CLAIM_LEASE`` (FOR UPDATE SKIP LOCKED, then a conditional update) and build its
    request; None when it is not due, delivered, claimed by another worker, or an older one of its subscription
    is still undelivered."""
    unclaimed = or_(OutboxMessage.claimed_until.is_(None), OutboxMessage.claimed_until < at)
    with unit_of_work(maker) as session:
        message = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.delivered.is_(False), unclaimed)
            .with_for_update(skip_locked=True)
        ).first()
        if message is None or message.next_attempt_at > at or _has_older(session, message):
            return None
        claimed = session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.delivered.is_(False), unclaimed)
            .values(claimed_until=at + CLAIM_LEASE)
            .execution_options(synchronize_session=False)
        )
        subscription = session.get(Subscription, message.subscription_id)
        if getattr(claimed, "rowcount", 0) != 1 or subscription is None:
            return None
        body = notification_body(session, subscription, message)
        headers = {
            "Content-Type": "application/ld+json", "GS1-EPCIS-Version": "2.0.0", "GS1-CBV-Version": "2.0.0",
            formats.EPC_FORMAT_HEADER: subscription.epc_format,
        }  # fmt: skip
        if subscription.signature_token:
            headers["GS1-Signature"] = signature(subscription.signature_token, body)
        return _Claim(message_id, subscription.dest, body, headers)


def _has_older(session: Session, message: OutboxMessage) -> bool:
    older = session.scalar(
        select(func.count())
        .select_from(OutboxMessage)
        .where(
            OutboxMessage.subscription_id == message.subscription_id,
            OutboxMessage.delivered.is_(False),
            OutboxMessage.id < message.id,
        )
    )
    return bool(older)


def _send_and_record(maker: sessionmaker[Session], claim: _Claim, send: Sender, at: datetime) -> bool:
    """Send outside any transaction, then log the attempt and release the claim."""
    status, error = attempt_send(send, claim.url, claim.body, claim.headers)
    ok = status is not None and 200 <= status < 300
    with unit_of_work(maker) as session:
        message = session.get(OutboxMessage, claim.message_id)
        if message is None:  # unsubscribed meanwhile
            return ok
        message.attempts += 1
        message.claimed_until = None
        session.add(DeliveryAttempt(message_id=message.id, attempted_at=at, status_code=status, ok=ok, error=error))
        if ok:
            message.delivered, message.delivered_at, message.last_error = True, at, ""
            subscription = session.get(Subscription, message.subscription_id)
            if subscription is not None:
                subscription.last_notified_at = at
        else:
            message.next_attempt_at = at + backoff(message.attempts)
            message.last_error = error or f"HTTP {status}"
    return ok


def attempt_send(send: Sender, url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    try:
        return send(url, body, headers), ""
    except OSError as exc:
        return None, str(exc)[:500]


def notification_body(session: Session, subscription: Subscription, message: OutboxMessage) -> bytes:
    """The EPCISQueryDocument (JSON-LD) of ``message``'s events, naming the subscription, with its identifiers in
    the subscription's ``epcFormat``."""
    events = events_service.events_by_pk(session, list(message.event_pks))
    document = events_service.query_document(session, events, query_name=subscription.query_name)
    document["epcisBody"]["queryResults"]["subscriptionID"] = subscription.id
    return orjson.dumps(in_epc_format(document, subscription.epc_format))


def in_epc_format(document: dict[str, Any], epc_format: str) -> dict[str, Any]:
    """``document`` with its identifiers in ``epc_format``; under ``Always_EPC_URN`` one without a URN form stays
    as captured instead of failing the whole notification."""
    try:
        return formats.apply(document, formats.Formats(epc=epc_format), xml=False)
    except formats.NotAcceptable:
        events = document["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
        events[:] = [formats.translate_identifiers(e, formats.to_epc_urn_or_same) for e in events]
        return document
