"""Master data beside the parties: their licences, their locations (sites), and the products they make.

A product carries its catalog class (``edible_agri.meat``, ``drug.preparation`` …), which is how capture learns
which data-element rules an event about it must satisfy (see ``zhuisu.catalog``).
"""

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from zhuisu.db.base import Base
from zhuisu.db.types import JsonDocument, UTCDateTime
from zhuisu.models.base import IdMixin, TimestampMixin


class Licence(IdMixin, TimestampMixin, Base):
    """A licence, permit or registration certificate held by a party (SC 食品生产许可证, 药品经营许可证 …)."""

    __tablename__ = "licences"
    __table_args__ = (UniqueConstraint("licence_type", "number"),)

    party_id: Mapped[str] = mapped_column(ForeignKey("parties.id"), index=True)
    #: One of ``zhuisu.parties.vocabulary.LICENCE_TYPES``.
    licence_type: Mapped[str] = mapped_column(String(64))
    number: Mapped[str] = mapped_column(String(64))
    issuer: Mapped[str] = mapped_column(String(200), default="")
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    scope: Mapped[str] = mapped_column(String(500), default="")
    #: The catalog classes the licence covers (prefixes: ``food`` covers ``food.dairy``); None: not stated (the
    #: licence type's whole field). Capture's licence rules look at it (``catalog.enforcement``).
    classes: Mapped[list[str] | None] = mapped_column(JsonDocument)
    #: Confirmed by the issuing authority (a regulator): who and when. An unconfirmed licence is only claimed.
    confirmed_by_id: Mapped[str | None] = mapped_column(ForeignKey("parties.id"))
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Location(IdMixin, TimestampMixin, Base):
    """A site of a party (farm, plant, warehouse, market stall, pharmacy …), named by a GLN or a zhuisu code."""

    __tablename__ = "locations"

    party_id: Mapped[str] = mapped_column(ForeignKey("parties.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    gln: Mapped[str | None] = mapped_column(String(13), unique=True)
    code: Mapped[str | None] = mapped_column(String(40), unique=True)
    address: Mapped[str] = mapped_column(String(500), default="")
    #: GB/T 2260 administrative division code (6 digits).
    region: Mapped[str | None] = mapped_column(String(6), index=True)


class Product(IdMixin, TimestampMixin, Base):
    """A product (trade item): GTIN and/or an internal code in a scheme, and its catalog class."""

    __tablename__ = "products"
    __table_args__ = (UniqueConstraint("code_scheme", "code"),)

    producer_id: Mapped[str | None] = mapped_column(ForeignKey("parties.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    #: GTIN-14 (shorter GTINs are stored left-padded with zeros, as GS1 Digital Link names them).
    gtin: Mapped[str | None] = mapped_column(String(14), unique=True)
    #: Scheme of ``code`` (a ``zhuisu.codes.registry`` name, e.g. ``drug-trace-code`` for a 7-digit 药品标识码).
    code_scheme: Mapped[str | None] = mapped_column(String(32))
    code: Mapped[str | None] = mapped_column(String(100))
    spec: Mapped[str] = mapped_column(String(200), default="")
    #: Catalog class id (``zhuisu.catalog``), e.g. ``food.infant_formula``.
    class_id: Mapped[str] = mapped_column(String(100), index=True)
