"""Delivery of the notice outbox, after commit: each hook's notices in order, signed, retried with backoff.

The same scheme as the subscription outbox (``zhuisu.exchange.subscriptions.delivery``, whose sender, signature
and backoff it uses): a worker claims a notice in a short transaction (``FOR UPDATE SKIP LOCKED`` on PostgreSQL,
then a conditional update of ``claimed_until``), sends it outside any transaction and records the outcome in a
second one, so several workers never send one notice twice. When a notice fails, its hook's later notices wait
for it. The body is the notice's JSON, signed ``Zhuisu-Signature: sha256=<hex HMAC-SHA256 of the body under the
hook's token>``; ``Zhuisu-Topic`` and ``Zhuisu-Notice`` (the notice's number, the same on every retry, for the
receiver to drop a repeat) name it.
"""

import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

import orjson
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from zhuisu.db.session import unit_of_work
from zhuisu.exchange.subscriptions.delivery import Round, Sender, attempt_send, backoff, drain, signature
from zhuisu.kit.time import utc_now
from zhuisu.models import NoticeHook, NoticeMessage

CLAIM_LEASE_SECONDS = 300


@dataclass(frozen=True)
class _Claim:
    notice_id: int
    url: str
    body: bytes
    headers: dict[str, str]


def deliver_due(
    maker: sessionmaker[Session],
    send: Sender,
    *,
    now: datetime | None = None,
    limit: int = 100,
    stop: threading.Event | None = None,
) -> Round:
    """Try the due notices, each hook's in order (at most ``limit`` attempts); returns delivered and failed."""
    at = now or utc_now()

    def attempt(notice_id: int) -> bool | None:
        claim = _claim(maker, notice_id, at)
        return None if claim is None else _send_and_record(maker, claim, send, at)

    return drain(partial(_heads, maker), attempt, limit=limit, stop=stop)


def _heads(maker: sessionmaker[Session]) -> list[tuple[str, int]]:
    """The oldest undelivered notice of each hook."""
    with unit_of_work(maker, write=False) as session:
        rows = session.execute(
            select(NoticeMessage.hook_id, func.min(NoticeMessage.id))
            .where(NoticeMessage.delivered.is_(False))
            .group_by(NoticeMessage.hook_id)
            .order_by(func.min(NoticeMessage.id))
        )
        return [(str(hook), int(notice)) for hook, notice in rows]


def _claim(maker: sessionmaker[Session], notice_id: int, at: datetime) -> _Claim | None:
    unclaimed = or_(NoticeMessage.claimed_until.is_(None), NoticeMessage.claimed_until < at)
    with unit_of_work(maker) as session:
        notice = session.scalars(
            select(NoticeMessage)
            .where(NoticeMessage.id == notice_id, NoticeMessage.delivered.is_(False), unclaimed)
            .with_for_update(skip_locked=True)
        ).first()
        if notice is None or notice.next_attempt_at > at:
            return None
        older = session.scalar(
            select(func.count())
            .select_from(NoticeMessage)
            .where(
                NoticeMessage.hook_id == notice.hook_id,
                NoticeMessage.delivered.is_(False),
                NoticeMessage.id < notice.id,
            )
        )
        if older:
            return None
        claimed = session.execute(
            update(NoticeMessage)
            .where(NoticeMessage.id == notice_id, NoticeMessage.delivered.is_(False), unclaimed)
            .values(claimed_until=at + timedelta(seconds=CLAIM_LEASE_SECONDS))
            .execution_options(synchronize_session=False)
        )
        hook = session.get(NoticeHook, notice.hook_id)
        if getattr(claimed, "rowcount", 0) != 1 or hook is None:
            return None
        body = orjson.dumps(notice.body)
        headers = {
            "Content-Type": "application/json",
            "Zhuisu-Topic": notice.topic,
            "Zhuisu-Notice": str(notice.id),
        }
        if hook.signature_token:
            headers["Zhuisu-Signature"] = signature(hook.signature_token, body)
        return _Claim(notice.id, hook.dest, body, headers)


def _send_and_record(maker: sessionmaker[Session], claim: _Claim, send: Sender, at: datetime) -> bool:
    status, error = attempt_send(send, claim.url, claim.body, claim.headers)
    ok = status is not None and 200 <= status < 300
    with unit_of_work(maker) as session:
        notice = session.get(NoticeMessage, claim.notice_id)
        if notice is None:  # the hook was removed meanwhile
            return ok
        notice.attempts += 1
        notice.claimed_until = None
        notice.last_status = status
        if ok:
            notice.delivered, notice.delivered_at, notice.last_error = True, at, ""
            hook = session.get(NoticeHook, notice.hook_id)
            if hook is not None:
                hook.last_notified_at = at
        else:
            notice.next_attempt_at = at + backoff(notice.attempts)
            notice.last_error = error or f"HTTP {status}"
    return ok
