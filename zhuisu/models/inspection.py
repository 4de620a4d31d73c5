"""Inspection and test reports (检验检测报告) and certificates (有机、绿色食品、GAP、HACCP、合格证 …), linked to trace.

A report or a certificate names what it concerns by the canonical code (``zhuisu.codes.canonical``) and, for GS1
keys, by GTIN and lot too: a report on a lot (GTIN + AI 10) applies to every item of that lot, so the product page of
an SGTIN of that GTIN whose lot is the report's shows it. Reports are recorded by an inspection body or a regulator
(``oversight.inspections``); nothing here is ever updated, a correction is a new report.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from zhuisu.db.base import Base
from zhuisu.db.types import JsonDocument, UTCDateTime
from zhuisu.kit.time import utc_now
from zhuisu.models.base import IdMixin


class Inspection(IdMixin, Base):
    """One inspection or test report: the lab, its number, the sample, what was inspected, the test items and the
    overall result."""

    __tablename__ = "inspections"
    __table_args__ = (
        UniqueConstraint("lab", "report_number"),
        Index("ix_inspections_gtin_lot", "gtin", "lot"),
    )

    lab: Mapped[str] = mapped_column(String(200))
    report_number: Mapped[str] = mapped_column(String(100))
    sample: Mapped[str] = mapped_column(String(200), default="")
    #: The code or lot inspected, canonical (a GS1 Digital Link for GS1 keys).
    code: Mapped[str] = mapped_column(String(500), index=True)
    #: GTIN-14 of a GS1 code (the product), else None.
    gtin: Mapped[str | None] = mapped_column(String(14))
    #: The lot (AI 10) when the report is on a lot: it applies to every item of that lot.
    lot: Mapped[str | None] = mapped_column(String(40))
    #: The test items: ``[{"name", "value", "unit", "limit", "result": "pass" | "fail"}]``.
    items: Mapped[list[dict[str, Any]]] = mapped_column(JsonDocument)
    #: ``pass`` or ``fail`` (合格 / 不合格).
    result: Mapped[str] = mapped_column(String(8))
    inspected_on: Mapped[date] = mapped_column(Date)
    #: The producer of the product inspected when registered (the report is in its regulators' lanes).
    producer_id: Mapped[str | None] = mapped_column(ForeignKey("parties.id"), index=True)
    #: The catalog class of the product inspected, when registered.
    class_id: Mapped[str | None] = mapped_column(String(100))
    recorded_by_id: Mapped[str] = mapped_column(ForeignKey("parties.id"), index=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)


class Certificate(IdMixin, Base):
    """A certificate of a product or a lot (有机产品认证、绿色食品、GAP、HACCP、承诺达标合格证 …), with its validity."""

    __tablename__ = "certificates"
    __table_args__ = (
        UniqueConstraint("kind", "number"),
        Index("ix_certificates_gtin_lot", "gtin", "lot"),
    )

    #: One of ``oversight.inspections.vocabulary.CERTIFICATE_KINDS``.
    kind: Mapped[str] = mapped_column(String(32))
    number: Mapped[str] = mapped_column(String(100))
    issuer: Mapped[str] = mapped_column(String(200))
    #: The code the certificate covers, canonical: a product (GTIN), a lot, or an item.
    code: Mapped[str] = mapped_column(String(500), index=True)
    gtin: Mapped[str | None] = mapped_column(String(14))
    #: None: the certificate covers the product (every lot).
    lot: Mapped[str | None] = mapped_column(String(40))
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    producer_id: Mapped[str | None] = mapped_column(ForeignKey("parties.id"), index=True)
    class_id: Mapped[str | None] = mapped_column(String(100))
    recorded_by_id: Mapped[str] = mapped_column(ForeignKey("parties.id"), index=True)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
