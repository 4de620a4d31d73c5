"""EPCIS events (append-only), their identifier index, their JSON-LD contexts, and capture jobs."""

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from zhuisu.db.base import Base
from zhuisu.db.types import BigIntId, JsonDocument, UTCDateTime
from zhuisu.kit.time import utc_now
from zhuisu.models.base import IdMixin


class CaptureJob(IdMixin, Base):
    """One capture request or imported file: its outcome, counts and errors (GS1 REST binding capture job)."""

    __tablename__ = "capture_jobs"

    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    running: Mapped[bool] = mapped_column(Boolean, default=True)
    success: Mapped[bool] = mapped_column(Boolean, default=True)
    #: queued (its document kept in ``capture_documents``, waiting for a worker), running, done (every event
    #: captured or a duplicate), failed (rejected events, a rejected document, or a capture that crashed).
    state: Mapped[str] = mapped_column(String(16), default="running", server_default="done", index=True)
    #: When a worker took a queued job; a running job whose claim is older than ``capture_job_lease_seconds`` is
    #: taken again (its worker died: its transaction rolled back, nothing was stored).
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    behaviour: Mapped[str] = mapped_column(String(16), default="rollback")
    source: Mapped[str] = mapped_column(String(500), default="")
    recorder_id: Mapped[str] = mapped_column(ForeignKey("parties.id"), index=True)
    #: The platform that captured the job on the recorder's behalf (a ``Delegation``); None: the recorder itself.
    agent_id: Mapped[str | None] = mapped_column(ForeignKey("parties.id"), index=True)
    event_count: Mapped[int] = mapped_column(Integer, default=0)
    captured: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[list[dict[str, Any]]] = mapped_column(JsonDocument, default=list)


class CaptureDocument(Base):
    """The document of a queued capture job, kept in the transaction that answered 202 until the job has captured
    it (then deleted; kept when the job failed), so an accepted document is never lost."""

    __tablename__ = "capture_documents"

    job_id: Mapped[str] = mapped_column(ForeignKey("capture_jobs.id"), primary_key=True)
    body: Mapped[Any] = mapped_column(JsonDocument)


class EventContext(Base):
    """A distinct JSON-LD ``@context`` that events were captured with (stored once, shared by its events)."""

    __tablename__ = "event_contexts"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    body: Mapped[Any] = mapped_column(JsonDocument)


class Event(Base):
    """An EPCIS 2.0 event exactly as captured (``body``), with the key fields queries filter on.

    The primary key is a sequence, not a UUID: it is the arrival order that paging and the ledger rely on.
    Rows are never updated or deleted; a correction is a new event with an error declaration.

    On PostgreSQL the table is partitioned by month of arrival (``zhuisu.events.partitions``): the key of an
    event that arrived in a month lies in that month's range, so a read by key touches one partition. The
    eventID and event hash are unique across all of them through ``event_keys``, which lookups by either go by.
    """

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    event_id: Mapped[str] = mapped_column(String(500))
    event_hash: Mapped[str] = mapped_column(String(100))
    type: Mapped[str] = mapped_column(String(32), index=True)
    event_time: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    event_time_zone_offset: Mapped[str] = mapped_column(String(6))
    record_time: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    action: Mapped[str | None] = mapped_column(String(8))
    biz_step: Mapped[str | None] = mapped_column(String(500), index=True)
    disposition: Mapped[str | None] = mapped_column(String(500), index=True)
    read_point: Mapped[str | None] = mapped_column(String(500), index=True)
    biz_location: Mapped[str | None] = mapped_column(String(500), index=True)
    has_error_declaration: Mapped[bool] = mapped_column(Boolean, default=False)
    recorder_id: Mapped[str] = mapped_column(ForeignKey("parties.id"), index=True)
    capture_id: Mapped[str] = mapped_column(ForeignKey("capture_jobs.id"), index=True)
    context_id: Mapped[int | None] = mapped_column(ForeignKey("event_contexts.id"))
    body: Mapped[dict[str, Any]] = mapped_column(JsonDocument)


class EventKey(Base):
    """An event's eventID and hash, unique across the whole store: the duplicate check of capture and every
    lookup of an event by either reads this narrow table (one index probe), then the event by its key — which,
    on a partitioned store, is one partition (a unique index on a partitioned table must include the partition
    key, so these cannot live on ``events`` itself). Written with the event, in the capture transaction."""

    __tablename__ = "event_keys"

    event_pk: Mapped[int] = mapped_column(ForeignKey("events.id"), primary_key=True, autoincrement=False)
    event_id: Mapped[str] = mapped_column(String(500), unique=True)
    event_hash: Mapped[str] = mapped_column(String(100), unique=True)


class EventEpc(Base):
    """One identifier an event names, in a role (epc, parent, child, input, output, or a quantity class).

    Values are stored in canonical form (EPC URNs as GS1 Digital Link), so a query in either form finds them.
    """

    __tablename__ = "event_epcs"
    __table_args__ = (
        Index("ix_event_epcs_value_role", "value", "role"),
        # An event's identifiers of one role (a transformation's 1 input quantity among 1,000 output EPCs).
        Index("ix_event_epcs_event_pk_role", "event_pk", "role"),
    )

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    event_pk: Mapped[int] = mapped_column(ForeignKey("events.id"))
    role: Mapped[str] = mapped_column(String(16))
    value: Mapped[str] = mapped_column(Text)
    quantity: Mapped[float | None] = mapped_column(Float)
    uom: Mapped[str | None] = mapped_column(String(16))
