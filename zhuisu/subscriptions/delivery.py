"""Delivery of the subscription outbox, after commit: signed webhooks, retries with backoff, a delivery log.

Each message is sent in its own transaction, oldest first, and a subscription's messages in order: when one
fails, the subscription's later messages wait for it. A 2xx answer marks it delivered; anything else (or no
answer) schedules the next attempt after an exponential backoff (capped), and every attempt is logged in
``subscription_deliveries``. The body is the EPCISQueryDocument of the message's events, signed with
``GS1-Signature: sha256=<hex HMAC-SHA256 of the body under the subscription's signature token>``.
"""

import hashlib
import hmac
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import orjson
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from zhuisu.db.session import unit_of_work
from zhuisu.events import service as events_service
from zhuisu.kit.time import utc_now
from zhuisu.models import DeliveryAttempt, OutboxMessage, Subscription

#: (url, body, headers) -> HTTP status code; raises OSError when the receiver cannot be reached.
Sender = Callable[[str, bytes, dict[str, str]], int]
BACKOFF_BASE = timedelta(seconds=2)
BACKOFF_MAX = timedelta(minutes=10)


@dataclass(frozen=True)
class Round:
    """What one delivery round did."""

    delivered: int
    failed: int


def signature(token: str, body: bytes) -> str:
    """The GS1-Signature header value of ``body``."""
    return "sha256=" + hmac.new(token.encode(), body, hashlib.sha256).hexdigest()


def http_sender(timeout: float) -> Sender:
    def send(url: str, body: bytes, headers: dict[str, str]) -> int:
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return int(response.status)
        except urllib.error.HTTPError as exc:
            return int(exc.code)

    return send


def backoff(attempts: int) -> timedelta:
    return min(BACKOFF_BASE * (2 ** max(attempts - 1, 0)), BACKOFF_MAX)


def deliver_due(maker: sessionmaker[Session], send: Sender, *, now: datetime | None = None, limit: int = 100) -> Round:
    """Try every message that is due (at most ``limit``); returns how many were delivered and failed."""
    at = now or utc_now()
    with unit_of_work(maker) as session:
        due = list(
            session.execute(
                select(OutboxMessage.id, OutboxMessage.subscription_id)
                .where(OutboxMessage.delivered.is_(False))
                .order_by(OutboxMessage.id)
                .limit(limit * 10)
            )
        )
    blocked: set[str] = set()
    delivered = failed = 0
    for message_id, subscription_id in due:
        if subscription_id in blocked or delivered + failed >= limit:
            continue
        ok = _deliver_one(maker, message_id, send, at)
        if ok is None:
            blocked.add(subscription_id)
        elif ok:
            delivered += 1
        else:
            failed += 1
            blocked.add(subscription_id)
    return Round(delivered, failed)


def _deliver_one(maker: sessionmaker[Session], message_id: int, send: Sender, at: datetime) -> bool | None:
    """Send one message; None when it is not due yet (its subscription's later messages must wait too)."""
    with unit_of_work(maker) as session:
        message = session.get(OutboxMessage, message_id)
        if message is None or message.delivered:
            return True
        if message.next_attempt_at > at:
            return None
        subscription = session.get(Subscription, message.subscription_id)
        if subscription is None or not subscription.dest:
            return None
        body = _body(session, subscription, message)
        headers = {"Content-Type": "application/ld+json", "GS1-EPCIS-Version": "2.0.0", "GS1-CBV-Version": "2.0.0"}
        if subscription.signature_token:
            headers["GS1-Signature"] = signature(subscription.signature_token, body)
        status, error = _attempt(send, subscription.dest, body, headers)
        ok = status is not None and 200 <= status < 300
        message.attempts += 1
        session.add(DeliveryAttempt(message_id=message.id, attempted_at=at, status_code=status, ok=ok, error=error))
        if ok:
            message.delivered, message.delivered_at, message.last_error = True, at, ""
        else:
            message.next_attempt_at = at + backoff(message.attempts)
            message.last_error = error or f"HTTP {status}"
        return ok


def _attempt(send: Sender, url: str, body: bytes, headers: dict[str, str]) -> tuple[int | None, str]:
    try:
        return send(url, body, headers), ""
    except OSError as exc:
        return None, str(exc)[:500]


def _body(session: Session, subscription: Subscription, message: OutboxMessage) -> bytes:
    events = events_service.events_by_pk(session, list(message.event_pks))
    document = events_service.query_document(session, events, query_name=subscription.query_name)
    document["epcisBody"]["queryResults"]["subscriptionID"] = subscription.id
    return orjson.dumps(document)
