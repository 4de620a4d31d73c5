"""The trace graph, maintained at capture time from EPCIS semantics (see ``zhuisu.trace.graph``).

Rows are append-only, like the events they come from: a link never changes once written, so events may arrive
in any order and the graph is the same. Time windows (what was in which case when) are computed at query time
from the pack and unpack links.
"""

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from zhuisu.db.base import Base
from zhuisu.db.types import BigIntId, UTCDateTime

#: Codes the trace walks probe by, compared byte by byte on PostgreSQL (migration 0014: a third of each probe's
#: time goes to ``strcoll`` under a linguistic collation); SQLite's BINARY is byte order already.
Code = Text().with_variant(Text(collation="C"), "postgresql")


class TraceLink(Base):
    """One edge of the trace graph, with the event that is its evidence.

    ``kind`` is ``pack`` (``src`` = parent, ``dst`` = child, AggregationEvent ADD), ``unpack`` (same, DELETE;
    ``dst`` NULL when the whole parent was emptied) or ``transform`` (``src`` = input, ``dst`` = output).
    ``quantity``/``uom`` carry the child's or the output's class-level quantity when the event gives one.
    """

    __tablename__ = "trace_links"
    __table_args__ = (
        # Covering: a walk level reads (kind, src, dst, event_time) from the index alone, from either end.
        Index("ix_trace_links_src_cover", "src", "kind", "dst", "event_time"),
        Index("ix_trace_links_dst_cover", "dst", "kind", "src", "event_time"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    src: Mapped[str] = mapped_column(Code)
    dst: Mapped[str | None] = mapped_column(Code)
    event_pk: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    event_time: Mapped[datetime] = mapped_column(UTCDateTime)
    quantity: Mapped[float | None] = mapped_column(Float)
    uom: Mapped[str | None] = mapped_column(String(16))


class TraceTransformMember(Base):
    """An input or output of a TransformationEvent that carries a ``transformationID``: events sharing the id
    form one transformation, so a later event's outputs link to an earlier event's inputs."""

    __tablename__ = "trace_transform_members"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    transformation_id: Mapped[str] = mapped_column(String(500), index=True)
    role: Mapped[str] = mapped_column(String(8))
    thing: Mapped[str] = mapped_column(Text)
    quantity: Mapped[float | None] = mapped_column(Float)
    uom: Mapped[str | None] = mapped_column(String(16))
    event_pk: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)


class TraceCustody(Base):
    """The parties an event names as source and destination (owning party first, else possessing party), in
    canonical form: the custody chain and the current holder of a thing come from these."""

    __tablename__ = "trace_custody"

    event_pk: Mapped[int] = mapped_column(ForeignKey("events.id"), primary_key=True)
    event_time: Mapped[datetime] = mapped_column(UTCDateTime)
    source: Mapped[str | None] = mapped_column(Text)
    destination: Mapped[str | None] = mapped_column(Text)
    source_location: Mapped[str | None] = mapped_column(Text)
    destination_location: Mapped[str | None] = mapped_column(Text)


class TraceHolding(Base):
    """One row per code an event naming a party in its sourceList or destinationList names: the party that held
    the thing after the event (destination, else source). Recall impact finds current holders in these with one
    index probe per thing in a small index (a probe of ``event_epcs`` joined to ``trace_custody`` reads every event
    of every thing, most of which name no party). Written with the custody row, in the capture transaction.

    No index on ``event_pk``: events are never deleted, and capture should not maintain an index nothing reads."""

    __tablename__ = "trace_holdings"
    __table_args__ = (Index("ix_trace_holdings_thing_cover", "thing", "event_time", "party"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    thing: Mapped[str] = mapped_column(Code)
    event_time: Mapped[datetime] = mapped_column(UTCDateTime)
    party: Mapped[str] = mapped_column(Text)
    event_pk: Mapped[int] = mapped_column(ForeignKey("events.id"))
