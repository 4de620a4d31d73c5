"""Notice hooks: a party's webhook for what the platform tells it (a recall naming it as a holder), and the durable
outbox those notices are delivered from.

A notice row is written in the transaction that decided it (the recall's issue or close), so it exists exactly
when what it tells does; a worker delivers it after commit, retrying with backoff. A receiver that is down loses
nothing: its rows wait.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from zhuisu.db.base import Base
from zhuisu.db.types import BigIntId, JsonDocument, UTCDateTime
from zhuisu.kit.time import utc_now
from zhuisu.models.base import IdMixin


class NoticeHook(IdMixin, Base):
    """Where a party wants its notices of some topics sent (``https://…``), and the key that signs them."""

    __tablename__ = "notice_hooks"

    owner_id: Mapped[str] = mapped_column(ForeignKey("parties.id"), index=True)
    dest: Mapped[str] = mapped_column(String(2000))
    #: HMAC-SHA256 key of the ``Zhuisu-Signature`` header; empty: notices are not signed.
    signature_token: Mapped[str] = mapped_column(String(500), default="")
    topics: Mapped[list[str]] = mapped_column(JsonDocument, default=list)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    #: When a notice was last accepted (2xx).
    last_notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class NoticeMessage(Base):
    """One notice to deliver to one hook: its topic and JSON body, and how its delivery went."""

    __tablename__ = "notice_outbox"
    __table_args__ = (Index("ix_notice_outbox_due", "delivered", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    hook_id: Mapped[str] = mapped_column(ForeignKey("notice_hooks.id", ondelete="CASCADE"), index=True)
    topic: Mapped[str] = mapped_column(String(32))
    body: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    delivered: Mapped[bool] = mapped_column(Boolean, default=False)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_status: Mapped[int | None] = mapped_column(Integer)
    last_error: Mapped[str] = mapped_column(Text, default="")
    #: A worker sending this notice holds it until then; another worker leaves it (and its successors) alone.
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
