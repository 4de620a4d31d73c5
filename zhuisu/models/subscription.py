"""Subscriptions to named queries, and the durable outbox their webhook notifications are delivered from.

An outbox row is written in the transaction that captures the events it reports (stream subscriptions) or that
runs a scheduled query (from the pending rows captures wrote for it), so it exists exactly when the events do; a
worker delivers it after commit, retrying with backoff, and logs every attempt. A receiver that is down loses
nothing: its rows wait.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from zhuisu.db.base import Base
from zhuisu.db.types import BigIntId, JsonDocument, UTCDateTime
from zhuisu.kit.time import utc_now
from zhuisu.models.base import IdMixin


class Subscription(IdMixin, Base):
    """A webhook (or WebSocket) subscription to a named query: on each capture (``stream``) or on a schedule."""

    __tablename__ = "subscriptions"

    query_name: Mapped[str] = mapped_column(ForeignKey("named_queries.name", ondelete="CASCADE"), index=True)
    owner_id: Mapped[str] = mapped_column(ForeignKey("parties.id"), index=True)
    #: Where notifications go (``https://…``); empty for a WebSocket subscription.
    dest: Mapped[str] = mapped_column(String(2000), default="")
    #: HMAC-SHA256 key of the GS1-Signature header; empty: notifications are not signed.
    signature_token: Mapped[str] = mapped_column(String(500), default="")
    stream: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Schedule of a scheduled subscription (``query-schedule.json``: second, minute, hour, dayOfMonth …).
    schedule: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)
    report_if_empty: Mapped[bool] = mapped_column(Boolean, default=False)
    #: The sequence number of the newest event a scheduled run has reported (the next run starts after it).
    last_event_pk: Mapped[int] = mapped_column(BigInteger, default=0)
    next_run_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    #: ``initialRecordTime``: the first notification also reports matching events recorded since then.
    initial_record_time: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: When a notification was last accepted (2xx, or sent over the WebSocket): ``lastNotifiedAt``.
    last_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: WebSocket subscriptions only: refreshed by the connection while it is open; a stale one is swept away.
    heartbeat_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: ``GS1-EPC-Format`` given when subscribing: the form of the identifiers in every notification (``epcFormat``).
    epc_format: Mapped[str] = mapped_column(String(32), default="No_Preference", server_default="No_Preference")


class OutboxMessage(Base):
    """One notification to deliver: an EPCISQueryDocument for one subscription."""

    __tablename__ = "subscription_outbox"
    __table_args__ = (Index("ix_subscription_outbox_due", "delivered", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    subscription_id: Mapped[str] = mapped_column(ForeignKey("subscriptions.id", ondelete="CASCADE"), index=True)
    #: The ``events`` sequence numbers this message reports, in order.
    event_pks: Mapped[list[int]] = mapped_column(JsonDocument, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    delivered: Mapped[bool] = mapped_column(Boolean, default=False)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_error: Mapped[str] = mapped_column(Text, default="")
    #: A worker sending this message holds it until then; another worker leaves it (and its successors) alone.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class PendingNotification(Base):
    """Matching events captured for a scheduled subscription, waiting for its next run (written in the capture
    transaction, so a rolled-back capture leaves none); the run turns them into outbox messages."""

    __tablename__ = "subscription_pending"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    subscription_id: Mapped[str] = mapped_column(ForeignKey("subscriptions.id", ondelete="CASCADE"), index=True)
    event_pks: Mapped[list[int]] = mapped_column(JsonDocument, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class DeliveryAttempt(Base):
    """The delivery log: one row per attempt to deliver an outbox message."""

    __tablename__ = "subscription_deliveries"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("subscription_outbox.id", ondelete="CASCADE"), index=True)
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    status_code: Mapped[int | None] = mapped_column(Integer)
    ok: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str] = mapped_column(Text, default="")
