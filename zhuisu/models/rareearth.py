"""Rare earth (稀土, ``zhuisu.sectors.rareearth``): the annual production quotas (总量控制计划) the authority issues to
each producer — master data the events cannot carry. What was mined, separated and sold is read from the EPCIS
events; nothing here repeats them.
"""

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from zhuisu.db.base import Base
from zhuisu.db.types import UTCDateTime
from zhuisu.models.base import IdMixin, TimestampMixin


class RareEarthQuota(IdMixin, TimestampMixin, Base):
    """One revision of a producer's quota for a year and a kind (``mining``: 稀土矿产品; ``separation``: 冶炼分离产品).
    A later revision of the same producer, year and kind replaces it (``replaced_by_id``, ``replaced_at``); the
    rows are never deleted, so the history stays."""

    __tablename__ = "rare_earth_quotas"
    __table_args__ = (
        UniqueConstraint("party_id", "year", "kind", "revision"),
        Index("ix_rare_earth_quotas_year_kind", "year", "kind"),
    )

    party_id: Mapped[str] = mapped_column(ForeignKey("parties.id"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(16))
    #: What the quota covers: a catalog class under the kind's (``rare_earth.ore…`` / ``rare_earth.smelted…``), and
    #: optionally one registered product (GTIN-14) of it.
    class_id: Mapped[str] = mapped_column(String(100))
    product: Mapped[str | None] = mapped_column(String(14))
    quantity: Mapped[float] = mapped_column(Float)
    #: UN/CEFACT unit of ``quantity``: ``TNE`` (tonnes) or ``KGM``.
    uom: Mapped[str] = mapped_column(String(16))
    #: ``reo``: rare earth oxide equivalent (REO, 折稀土氧化物); ``gross``: the products' own mass.
    basis: Mapped[str] = mapped_column(String(8))
    document_number: Mapped[str] = mapped_column(String(100))
    issuer: Mapped[str] = mapped_column(String(200), default="")
    note: Mapped[str] = mapped_column(String(500), default="")
    revision: Mapped[int] = mapped_column(Integer, default=1)
    registered_by_id: Mapped[str | None] = mapped_column(ForeignKey("parties.id"))
    replaced_by_id: Mapped[str | None] = mapped_column(ForeignKey("rare_earth_quotas.id"))
    replaced_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
