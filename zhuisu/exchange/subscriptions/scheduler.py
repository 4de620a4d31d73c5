"""Scheduled subscriptions: at each due time, the matching events recorded since the previous run become outbox
messages (EPCIS 2.0 §8.2.5.3), and stale WebSocket subscriptions are swept away.

The events a run reports were matched against the named query when they were captured (``service``'s capture
hook writes them as pending rows in the capture transaction); a run turns its subscription's pending rows into
outbox messages in order, chunked, or into one empty message when there are none and ``reportIfEmpty`` is set.
A run that was missed (no worker running at the due time) happens once, at the next round, not once per missed
time. Due subscriptions are claimed with ``SELECT … FOR UPDATE SKIP LOCKED`` (PostgreSQL; SQLite's single writer
lock does the same), so several workers never run one twice.
"""

import logging
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from zhuisu.exchange.subscriptions.errors import SubscriptionControlsInvalid
from zhuisu.exchange.subscriptions.schedule import parse_schedule
from zhuisu.models import OutboxMessage, PendingNotification, Subscription

logger = logging.getLogger(__name__)

#: A WebSocket subscription whose connection has not refreshed its heartbeat for this long is deleted.
SOCKET_STALE_AFTER = timedelta(minutes=5)
#: Most events one notification carries (as for stream notifications).
CHUNK = 500


def run_due(session: Session, *, now: datetime) -> int:
    """Run every scheduled subscription due at ``now`` (locking each; others' locked ones are skipped)."""
    stmt = (
        select(Subscription)
        .where(
            Subscription.schedule.is_not(None),
            Subscription.active.is_(True),
            Subscription.next_run_at <= now,
        )
        .order_by(Subscription.id)
        .with_for_update(skip_locked=True)
    )
    due = list(session.scalars(stmt))
    for sub in due:
        run_subscription(session, sub, now=now)
    return len(due)


def run_subscription(session: Session, sub: Subscription, *, now: datetime) -> int:
    """One run of ``sub`` (locked by the caller): queue what is pending; returns the number of outbox messages."""
    pending = list(
        session.scalars(
            select(PendingNotification)
            .where(PendingNotification.subscription_id == sub.id)
            .order_by(PendingNotification.id)
        )
    )
    pks = sorted({pk for row in pending for pk in row.event_pks})
    if pending:
        session.execute(delete(PendingNotification).where(PendingNotification.id.in_([r.id for r in pending])))
    chunks = [pks[i : i + CHUNK] for i in range(0, len(pks), CHUNK)] or ([[]] if sub.report_if_empty else [])
    for chunk in chunks:
        session.add(OutboxMessage(subscription_id=sub.id, event_pks=chunk))
    sub.next_run_at = _next_run(sub, now)
    if sub.next_run_at is None:
        sub.active = False
    session.flush()
    return len(chunks)


def _next_run(sub: Subscription, now: datetime) -> datetime | None:
    try:
        return parse_schedule(sub.schedule, now=now).next_after(now)
    except SubscriptionControlsInvalid:
        logger.warning("subscription %s has an invalid schedule %r; deactivated", sub.id, sub.schedule)
        return None


def sweep_sockets(session: Session, *, now: datetime) -> int:
    """Delete WebSocket subscriptions whose connection stopped refreshing its heartbeat (a server that died)."""
    stale = session.scalars(
        select(Subscription.id).where(Subscription.dest == "", Subscription.heartbeat_at < now - SOCKET_STALE_AFTER)
    ).all()
    for sub_id in stale:
        session.execute(delete(Subscription).where(Subscription.id == sub_id))
    return len(stale)
