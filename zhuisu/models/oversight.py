"""Risk alerts: what the risk rules (``zhuisu.oversight.rules``) found, and how regulators handled it.

One row per anomaly: ``dedup_key`` (the rule and the evidence that makes the anomaly this one, hashed) is unique,
so a rescan or a capture that finds it again adds evidence to the same alert instead of a new one.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from zhuisu.db.base import Base
from zhuisu.db.types import BigIntId, JsonDocument, UTCDateTime
from zhuisu.kit.time import utc_now
from zhuisu.models.trace import Code


class Alert(Base):
    """One anomaly found by a risk rule: the evidence events (eventIDs) and codes, who and where, and its handling
    (``new`` → ``acknowledged`` → ``closed`` with a note)."""

    __tablename__ = "oversight_alerts"
    __table_args__ = (Index("ix_oversight_alerts_status_rule", "status", "rule"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    rule: Mapped[str] = mapped_column(String(40))
    #: SHA-256 (hex) of the rule and the evidence that identifies the anomaly (``oversight.rules.base.Hit.key``).
    dedup_key: Mapped[str] = mapped_column(String(64), unique=True)
    severity: Mapped[str] = mapped_column(String(8), index=True)
    #: The party answerable for it (the recorder of the decisive event); its region and class.
    party_id: Mapped[str | None] = mapped_column(ForeignKey("parties.id"), index=True)
    region: Mapped[str | None] = mapped_column(String(6), index=True)
    class_id: Mapped[str | None] = mapped_column(String(100))
    #: eventIDs of the evidence, sorted; the codes concerned, sorted.
    evidence: Mapped[list[str]] = mapped_column(JsonDocument, default=list)
    codes: Mapped[list[str]] = mapped_column(JsonDocument, default=list)
    detail_zh: Mapped[str] = mapped_column(Text, default="")
    detail_en: Mapped[str] = mapped_column(Text, default="")
    #: When a rule first found it, and last found it with new evidence.
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
    status: Mapped[str] = mapped_column(String(16), default="new")
    acknowledged_by_id: Mapped[str | None] = mapped_column(ForeignKey("parties.id"))
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_by_id: Mapped[str | None] = mapped_column(ForeignKey("parties.id"))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    note: Mapped[str] = mapped_column(Text, default="")
    #: What the rule measured (quantities, temperatures, windows), for the desk and the JSON.
    facts: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)


class AlertParty(Base):
    """A party an alert is addressed to besides its answerable party: the maintenance unit of an overdue elevator
    reads the alert about it as the user unit does (``oversight.permissions.alerts_lane``)."""

    __tablename__ = "oversight_alert_parties"

    alert_id: Mapped[int] = mapped_column(ForeignKey("oversight_alerts.id"), primary_key=True)
    party_id: Mapped[str] = mapped_column(ForeignKey("parties.id"), primary_key=True, index=True)


class EndedThing(Base):
    """An item an event destroyed or decommissioned (``oversight.rules.after_destruction``): the small index the
    rule probes at every capture by the items the new events name, instead of reading each item's events. Written
    by the capture's risk receiver from the events in hand (with the rules off too), filled by the migration from
    the events already stored, and completed by every full scan."""

    __tablename__ = "oversight_ended_things"
    __table_args__ = (Index("ix_oversight_ended_things_thing", "thing", "event_time"),)

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    thing: Mapped[str] = mapped_column(Code)
    event_pk: Mapped[int] = mapped_column(ForeignKey("events.id"))
    event_time: Mapped[datetime] = mapped_column(UTCDateTime)


class RiskScan(Base):
    """One full risk scan (``zhuisu risk scan``, ``POST /alerts/scan``, the worker): when, and what it found."""

    __tablename__ = "oversight_risk_scans"

    id: Mapped[int] = mapped_column(BigIntId, primary_key=True, autoincrement=True)
    trigger: Mapped[str] = mapped_column(String(16))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    finished_at: Mapped[datetime] = mapped_column(UTCDateTime)
    hits: Mapped[int] = mapped_column(default=0)
    created: Mapped[int] = mapped_column(default=0)
