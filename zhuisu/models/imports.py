"""Import lots (进口食品, ``zhuisu.sectors.imports``): an importer's lot as registered at entry — its customs
declaration (报关单号), country of origin, port and the entry event — and the entry inspection certificates
(入境货物检验检疫证明 / 卫生证书) registered to it, with the event that recorded each. The lot's movements are EPCIS
events; these rows index them by lot so that the lanes and the ``import_uncertified_sale`` rule read them in SQL.
"""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from zhuisu.db.base import Base
from zhuisu.db.types import UTCDateTime
from zhuisu.models.base import IdMixin, TimestampMixin


class ImportLot(IdMixin, TimestampMixin, Base):
    """One import lot: product (GTIN + lot, ``code`` its Digital Link), origin country (ISO 3166 alpha-2),
    declaration, port of entry (a site, ``https://id.gs1.org/414/{gln}``, and its region) and entry date."""

    __tablename__ = "import_lots"

    importer_id: Mapped[str] = mapped_column(ForeignKey("parties.id"), index=True)
    gtin: Mapped[str] = mapped_column(String(14))
    lot: Mapped[str] = mapped_column(String(20))
    code: Mapped[str] = mapped_column(String(500), unique=True)
    product: Mapped[str] = mapped_column(String(200))
    class_id: Mapped[str] = mapped_column(String(64))
    country: Mapped[str] = mapped_column(String(2))
    declaration: Mapped[str] = mapped_column(String(18), unique=True)
    port: Mapped[str] = mapped_column(String(200))
    region: Mapped[str | None] = mapped_column(String(6), index=True)
    entry_date: Mapped[date] = mapped_column(Date)
    entry_event_id: Mapped[str] = mapped_column(String(500))


class ImportCertificate(IdMixin, TimestampMixin, Base):
    """An entry inspection and quarantine certificate registered to an import lot; ``valid_from`` is the time of
    the event that registered it (a sale before it is uncertified)."""

    __tablename__ = "import_certificates"
    __table_args__ = (UniqueConstraint("lot_id", "number"),)

    lot_id: Mapped[str] = mapped_column(ForeignKey("import_lots.id"), index=True)
    number: Mapped[str] = mapped_column(String(64))
    event_id: Mapped[str] = mapped_column(String(500))
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime)
