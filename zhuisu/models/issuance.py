"""Code issuance (赋码): issuer profiles, serial counters and the batches of codes issued from them.

No row per code is stored: a batch is a contiguous serial range of one counter, and every code of it can be
rebuilt from the counter key and the serial (see ``zhuisu.issuance.service``).
"""

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from zhuisu.db.base import Base
from zhuisu.db.types import UTCDateTime
from zhuisu.kit.time import utc_now
from zhuisu.models.base import IdMixin, TimestampMixin
from zhuisu.models.party import Party


class CodeIssuer(TimestampMixin, Base):
    """What a party issues codes under: its GS1 company prefix, and its number in the ``zhuisu`` scheme."""

    __tablename__ = "code_issuers"
    __table_args__ = (UniqueConstraint("region", "party_number", name="uq_code_issuers_region_party_number"),)

    party_id: Mapped[str] = mapped_column(ForeignKey("parties.id"), primary_key=True)
    #: GS1 company prefix (6–12 digits) licensed to the party; GTIN-based codes need one.
    gs1_company_prefix: Mapped[str | None] = mapped_column(String(12), unique=True)
    #: GB/T 2260 region code in the party's ``zhuisu`` codes (allocated with ``party_number`` on first use).
    region: Mapped[str | None] = mapped_column(String(6))
    #: The party's 6-character number within its region in ``zhuisu`` codes.
    party_number: Mapped[str | None] = mapped_column(String(6))

    party: Mapped[Party] = relationship(lazy="raise")


class CodeCounter(Base):
    """The next free serial of one code space: ``gs1/01/{gtin}``, ``zhuisu/{region}/{party}/{kind}`` or the
    platform's ``zhuisu-party/{region}`` counter of party numbers. Only ever incremented, under a row lock."""

    __tablename__ = "code_counters"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    party_id: Mapped[str | None] = mapped_column(ForeignKey("parties.id"), index=True)
    next_serial: Mapped[int] = mapped_column(BigInteger, default=1)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now, onupdate=utc_now)


class CodeBatch(IdMixin, TimestampMixin, Base):
    """One issue of codes: serials ``first_serial``…``last_serial`` of counter ``counter``."""

    __tablename__ = "code_batches"
    __table_args__ = (Index("ix_code_batches_counter_first_serial", "counter", "first_serial"),)

    party_id: Mapped[str] = mapped_column(ForeignKey("parties.id"), index=True)
    #: Who asked for the codes (the issuing party itself, or an operator party acting for it).
    issued_by_id: Mapped[str] = mapped_column(ForeignKey("parties.id"))
    scheme: Mapped[str] = mapped_column(String(16))  # "gs1" or "zhuisu"
    counter: Mapped[str] = mapped_column(String(80))
    first_serial: Mapped[int] = mapped_column(BigInteger)
    last_serial: Mapped[int] = mapped_column(BigInteger)
    count: Mapped[int] = mapped_column(Integer)
    gtin: Mapped[str | None] = mapped_column(String(14), index=True)
    product_code: Mapped[str | None] = mapped_column(String(64))
    product_name: Mapped[str | None] = mapped_column(String(200))
    lot: Mapped[str | None] = mapped_column(String(20))
    #: The lot's own code: ``…/01/{gtin}/10/{lot}``, or a ``zhuisu`` code of kind 2 (批次).
    lot_code: Mapped[str | None] = mapped_column(String(120))
    #: The capture job that recorded the commissioning events of the batch.
    capture_id: Mapped[str | None] = mapped_column(String(32))
    event_count: Mapped[int] = mapped_column(Integer, default=0)

    party: Mapped[Party] = relationship(foreign_keys=[party_id], lazy="raise")
