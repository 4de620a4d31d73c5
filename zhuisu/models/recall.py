"""Recall orders (召回): voluntary by the brand owner (主动召回) or ordered by a regulator (责令召回), with the impact
snapshotted when they are issued — the things reached downstream of the recalled code, who held each and how much —
and, when closed, the completion they closed at (``zhuisu.recall.orders``).

Completion is not stored while a recall is open: it is computed from the events the holders record (quarantine,
return, destruction), so it is whatever the store says.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from zhuisu.db.base import Base
from zhuisu.db.types import BigIntId, JsonDocument, UTCDateTime
from zhuisu.models.base import IdMixin, TimestampMixin


class Recall(IdMixin, TimestampMixin, Base):
    """One recall order and its public notice (召回公告)."""

    __tablename__ = "recalls"

    #: ``voluntary`` (主动召回, by the brand owner) or ``ordered`` (责令召回, by a regulator with the mandate).
    kind: Mapped[str] = mapped_column(String(16))
    #: 1, 2 or 3 (一级/二级/三级召回): 1 is the most serious, as in China's food and drug recall rules.
    level: Mapped[int] = mapped_column(Integer)
    #: ``open`` or ``closed``.
    status: Mapped[str] = mapped_column(String(16), default="open", index=True)
    #: The recalled code (an item, a lot), canonical; or a product (its GTIN's Digital Link) with the range of
    #: times its items and lots were made in (``scope_since``, ``scope_until``; None: unbounded).
    code: Mapped[str] = mapped_column(String(500), index=True)
    scope_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    scope_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text)
    #: What the consumer should do (the notice's advice).
    advice: Mapped[str] = mapped_column(Text)
    #: Holders should have confirmed by then; a holder that has not is overdue.
    deadline: Mapped[datetime] = mapped_column(UTCDateTime)
    issuer_id: Mapped[str] = mapped_column(ForeignKey("parties.id"), index=True)
    #: The brand owner of the recalled product (``capture.permissions.owners``), when anyone claims it.
    owner_id: Mapped[str | None] = mapped_column(ForeignKey("parties.id"), index=True)
    #: The owner's GB/T 2260 region and the product's catalog class: which regulators supervise the recall.
    owner_region: Mapped[str | None] = mapped_column(String(12), index=True)
    class_id: Mapped[str | None] = mapped_column(String(100))
    #: What the impact held when the recall was issued: counts of things, holders, regions, quantities.
    impact: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by: Mapped[str | None] = mapped_column(ForeignKey("parties.id"))
    close_note: Mapped[str] = mapped_column(Text, default="")
    #: The completion the recall closed at (holders' lines, totals), as the report shows it.
    final: Mapped[dict[str, Any] | None] = mapped_column(JsonDocument)


class RecallHolder(Base):
    """A holder of recalled things when the recall was issued: its line of the completion."""

    __tablename__ = "recall_holders"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    recall_id: Mapped[str] = mapped_column(ForeignKey("recalls.id"), index=True)
    #: The holder as the trace names it (a PGLN Digital Link), and the registered party when there is one.
    party: Mapped[str] = mapped_column(String(500))
    party_id: Mapped[str | None] = mapped_column(ForeignKey("parties.id"), index=True)
    name: Mapped[str] = mapped_column(String(200), default="")
    region: Mapped[str | None] = mapped_column(String(12))
    quantity_out: Mapped[float] = mapped_column(Float, default=0)
    uom: Mapped[str | None] = mapped_column(String(16))
    things: Mapped[int] = mapped_column(Integer, default=0)
    #: When the holder was told (the console inbox shows the recall from then on).
    notified_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RecallThing(Base):
    """A thing a recall reaches, its holder and quantity when the recall was issued (the product page of the thing
    shows the notice)."""

    __tablename__ = "recall_things"

    recall_id: Mapped[str] = mapped_column(ForeignKey("recalls.id"), primary_key=True)
    thing: Mapped[str] = mapped_column(String(500), primary_key=True, index=True)
    holder_id: Mapped[int | None] = mapped_column(BigIntId, ForeignKey("recall_holders.id"), index=True)
    quantity: Mapped[float] = mapped_column(Float, default=1)
    uom: Mapped[str | None] = mapped_column(String(16))
