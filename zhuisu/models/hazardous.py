"""Hazardous goods (危险品, ``zhuisu.sectors.hazardous``): what the events do not carry and the sector needs beside
them — a permit's quantity limit, the buyers' identities (实名, a keyed hash only) and the electronic waybills
(电子运单). The goods' movements themselves are EPCIS events; nothing here repeats them.
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from zhuisu.db.base import Base
from zhuisu.db.types import JsonDocument, UTCDateTime
from zhuisu.models.base import IdMixin, TimestampMixin


class PermitLimit(Base):
    """The quantity a permit (a ``licences`` row: 购买、经营、运输许可 …) allows over its validity, in one unit."""

    __tablename__ = "hazardous_permit_limits"

    licence_id: Mapped[str] = mapped_column(ForeignKey("licences.id"), primary_key=True)
    quantity_limit: Mapped[float] = mapped_column(Float)
    #: UN/CEFACT unit code, as events' ``quantityList`` name it (``KGM``, ``LTR``, ``H87``).
    quantity_unit: Mapped[str] = mapped_column(String(16))


class BuyerIdentity(IdMixin, TimestampMixin, Base):
    """A buyer's agent, identified by name (实名购买): the ID number only as HMAC-SHA256 under the node's key
    (``id_hash``, what sale events carry as ``zs:buyerIdentity``) and masked for display."""

    __tablename__ = "hazardous_buyer_identities"

    party_id: Mapped[str] = mapped_column(ForeignKey("parties.id"), index=True)
    id_hash: Mapped[str] = mapped_column(String(64), unique=True)
    id_masked: Mapped[str] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(100))
    registered_by_id: Mapped[str | None] = mapped_column(ForeignKey("parties.id"))


class Waybill(IdMixin, TimestampMixin, Base):
    """An electronic waybill (电子运单): who carries what from where to where, by which vehicle and crew, when.
    Its shipping and receiving events name its number (bizTransaction ``BTT-e_waybill``); its state on the road is
    read from them, not stored."""

    __tablename__ = "hazardous_waybills"
    __table_args__ = (Index("ix_hazardous_waybills_window_end", "window_end"),)

    number: Mapped[str] = mapped_column(String(64), unique=True)
    consignor_id: Mapped[str] = mapped_column(ForeignKey("parties.id"), index=True)
    carrier_id: Mapped[str] = mapped_column(ForeignKey("parties.id"), index=True)
    consignee_id: Mapped[str] = mapped_column(ForeignKey("parties.id"), index=True)
    #: Sites as events name them (``https://id.gs1.org/414/{gln}``) and their GB/T 2260 regions.
    origin: Mapped[str] = mapped_column(String(200))
    origin_region: Mapped[str | None] = mapped_column(String(6), index=True)
    destination: Mapped[str] = mapped_column(String(200))
    destination_region: Mapped[str | None] = mapped_column(String(6), index=True)
    vehicle_plate: Mapped[str] = mapped_column(String(16))
    #: Driver and escort: name, 从业资格证 number and its validity.
    crew: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    #: [{"code": epcClass, "class_id", "quantity", "uom"}].
    goods: Mapped[list[dict[str, Any]]] = mapped_column(JsonDocument)
    #: The hazardous classes of the goods, for the regulators' mandates.
    classes: Mapped[list[str]] = mapped_column(JsonDocument)
    route: Mapped[str] = mapped_column(String(500), default="")
    window_start: Mapped[datetime] = mapped_column(UTCDateTime)
    window_end: Mapped[datetime] = mapped_column(UTCDateTime)
    permit_number: Mapped[str] = mapped_column(String(64), default="")
    created_by_id: Mapped[str | None] = mapped_column(ForeignKey("parties.id"))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
