"""The canteen procurement ledger (电子采购台账 / 索证索票, ``zhuisu.sectors.canteen``).

A receipt (进货验收) is an EPCIS ``receiving`` event at the canteen's site; ``canteen_receipts`` is derived from the
events the ledger's service records, one row per event (``sectors.canteen.receipts.row_of`` reads the row from the
event's own document), so that a day of one canteen, the deliveries of one supplier and the canteens of a district are
indexed reads rather than a scan of the events' bodies. ``canteen_photos`` keeps what events cannot carry: the bytes of
the invoice (票据) photos the canteens upload, content-addressed by their SHA-256 (the event names the digest).
"""

from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Float, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from zhuisu.db.base import Base
from zhuisu.db.types import UTCDateTime
from zhuisu.kit.time import utc_now
from zhuisu.models.base import IdMixin, TimestampMixin


class CanteenReceipt(IdMixin, TimestampMixin, Base):
    """One receipt of the ledger, as its ``receiving`` event records it (the event is the record; this is its
    index). ``class_id`` is the canteen's class (the regulators' mandates), ``region`` its site's region."""

    __tablename__ = "canteen_receipts"
    __table_args__ = (
        Index("ix_canteen_receipts_canteen_id_day", "canteen_id", "day"),
        Index("ix_canteen_receipts_supplier_id_day", "supplier_id", "day"),
        Index("ix_canteen_receipts_region_day", "region", "day"),
    )

    #: The receiving event (``events.id``; no foreign key: events are partitioned on PostgreSQL) and its eventID.
    event_pk: Mapped[int] = mapped_column(BigInteger, unique=True)
    event_id: Mapped[str] = mapped_column(String(500))
    canteen_id: Mapped[str] = mapped_column(ForeignKey("parties.id"))
    region: Mapped[str | None] = mapped_column(String(6))
    class_id: Mapped[str] = mapped_column(String(100))
    #: The Beijing calendar day of the receipt, and its time.
    day: Mapped[date] = mapped_column(Date, index=True)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: The canteen's site as the event names it (``https://id.gs1.org/414/{gln}``).
    site: Mapped[str] = mapped_column(String(200))
    #: The supplier: a party of this node, or only a name and 统一社会信用代码.
    supplier_id: Mapped[str | None] = mapped_column(ForeignKey("parties.id"))
    supplier_name: Mapped[str] = mapped_column(String(200))
    supplier_uscc: Mapped[str | None] = mapped_column(String(18))
    product_name: Mapped[str] = mapped_column(String(200))
    spec: Mapped[str] = mapped_column(String(200), default="")
    #: The event's ``epcClass`` (a GTIN's lot ``…/01/{gtin}/10/{lot}``, a scanned code, or a name's URN).
    code: Mapped[str] = mapped_column(String(500), index=True)
    gtin: Mapped[str | None] = mapped_column(String(14))
    lot: Mapped[str | None] = mapped_column(String(64))
    product_class: Mapped[str | None] = mapped_column(String(100))
    quantity: Mapped[float] = mapped_column(Float)
    uom: Mapped[str] = mapped_column(String(16))
    production_date: Mapped[date | None] = mapped_column(Date)
    expiry: Mapped[date | None] = mapped_column(Date)
    origin: Mapped[str] = mapped_column(String(200), default="")
    #: The supplier's licence as checked on the day: ``verified`` or ``unverified``, and what was found.
    licence_status: Mapped[str] = mapped_column(String(16))
    licence_type: Mapped[str | None] = mapped_column(String(64))
    licence_number: Mapped[str | None] = mapped_column(String(64))
    invoice_number: Mapped[str] = mapped_column(String(64), default="")
    #: SHA-256 of the invoice photo (``canteen_photos``), when one was uploaded.
    invoice_photo: Mapped[str | None] = mapped_column(String(64))
    #: The inspection certificate: its kind, number, and whether it was entered or the lot's registered report.
    certificate_kind: Mapped[str | None] = mapped_column(String(32))
    certificate_number: Mapped[str | None] = mapped_column(String(100))
    certificate_source: Mapped[str | None] = mapped_column(String(16))
    certificate_result: Mapped[str | None] = mapped_column(String(8))
    receiver: Mapped[str] = mapped_column(String(100))
    recorded_by_id: Mapped[str] = mapped_column(ForeignKey("parties.id"))


class CanteenPhoto(Base):
    """An uploaded invoice (票据) photo, byte for byte, under its SHA-256 (the same photo twice is one row)."""

    __tablename__ = "canteen_photos"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(200), default="")
    data: Mapped[bytes] = mapped_column(LargeBinary)
    uploaded_by_id: Mapped[str] = mapped_column(ForeignKey("parties.id"), index=True)
    uploaded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
