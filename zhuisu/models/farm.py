"""Farm commitment certificates (承诺达标合格证, ``zhuisu.sectors.farm``): the number the node gave each certificate,
who issued it, and what its printed form shows and the events do not carry (the producer's phone and whether the
public may see it, the quantity in the unit the producer wrote). The certificate's issuance and the buyers' receipts
are EPCIS events (bizTransaction ``BTT-compliance_certificate``); nothing here repeats the receipts.
"""

from datetime import date
from typing import Any

from sqlalchemy import Boolean, Date, Float, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from zhuisu.db.base import Base
from zhuisu.db.types import JsonDocument
from zhuisu.models.base import IdMixin, TimestampMixin


class FarmCertificate(IdMixin, TimestampMixin, Base):
    """One 承诺达标合格证: its number, issuer and the issuance event; the lot (``code``, an epcClass) and quantity, in
    the unit written on it (``unit``: kg, jin, box) and in the events' UN/CEFACT unit (``uom``, ``event_quantity``)."""

    __tablename__ = "farm_certificates"

    number: Mapped[str] = mapped_column(String(32), unique=True)
    issuer_id: Mapped[str] = mapped_column(ForeignKey("parties.id"), index=True)
    event_id: Mapped[str] = mapped_column(String(500))
    product: Mapped[str] = mapped_column(String(100))
    #: The lot as events name it (a GTIN Digital Link with its lot, or a zhuisu lot code), canonical.
    code: Mapped[str] = mapped_column(String(500), index=True)
    #: The catalog class (the registered product's, else ``edible_agri``), for the regulators' mandates.
    class_id: Mapped[str] = mapped_column(String(64))
    quantity: Mapped[float] = mapped_column(Float)
    unit: Mapped[str] = mapped_column(String(8))
    event_quantity: Mapped[float] = mapped_column(Float)
    uom: Mapped[str] = mapped_column(String(16))
    #: GB/T 2260 region of the origin, and the place (乡镇、村、基地).
    region: Mapped[str] = mapped_column(String(6), index=True)
    place: Mapped[str] = mapped_column(String(200))
    commitments: Mapped[list[str]] = mapped_column(JsonDocument)
    basis: Mapped[list[str]] = mapped_column(JsonDocument)
    producer_name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(32))
    show_phone: Mapped[bool] = mapped_column(Boolean, default=False)
    issued_on: Mapped[date] = mapped_column(Date)
    extra: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)
