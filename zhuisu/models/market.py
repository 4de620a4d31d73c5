"""Market scan trading (扫码交易, ``zhuisu.sectors.market``): what the events do not carry and the room needs beside
them — which stall (a site of its holder) belongs to which market (a site of the market's operator), and the
receipt numbers (追溯小票) a consumer's scan resolves to a sale. The purchases and sales themselves are EPCIS events;
nothing here repeats them.
"""

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from zhuisu.db.base import Base
from zhuisu.models.base import IdMixin, TimestampMixin


class MarketStall(IdMixin, TimestampMixin, Base):
    """A stall (摊位) of a market: the holder's site (its events' bizLocation) at the operator's market site."""

    __tablename__ = "market_stalls"
    __table_args__ = (UniqueConstraint("market_site_id", "number"),)

    #: The market (a ``locations`` row of the operator, a party of role ``market``).
    market_site_id: Mapped[str] = mapped_column(ForeignKey("locations.id"), index=True)
    #: The stall's own site (a ``locations`` row of the holder): one stall per site.
    site_id: Mapped[str] = mapped_column(ForeignKey("locations.id"), unique=True)
    holder_id: Mapped[str] = mapped_column(ForeignKey("parties.id"), index=True)
    #: The stall's number at the market (``A-12``).
    number: Mapped[str] = mapped_column(String(32))


class MarketReceipt(IdMixin, TimestampMixin, Base):
    """A receipt (追溯小票) handed to a consumer: its public number and the ``retail_selling`` event it stands for."""

    __tablename__ = "market_receipts"

    number: Mapped[str] = mapped_column(String(32), unique=True)
    event_id: Mapped[str] = mapped_column(String(500), unique=True)
    stall_id: Mapped[str] = mapped_column(ForeignKey("market_stalls.id"), index=True)
