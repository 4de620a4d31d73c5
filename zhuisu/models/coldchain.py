"""Cold chain (冷链, ``zhuisu.sectors.coldchain``): the data-logger files enterprises import. The readings themselves
are EPCIS events (``sensorElementList``); a row here keeps what the events cannot: the file exactly as it was
submitted (so nothing a user sent is lost, and re-importing it is recognised), and what the import derived from it
for the list views (counts, times, the range and the excursions found in the file alone).
"""

from datetime import datetime
from typing import Any

from sqlalchemy import Float, ForeignKey, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from zhuisu.db.base import Base
from zhuisu.db.types import JsonDocument, UTCDateTime
from zhuisu.models.base import IdMixin, TimestampMixin


class LoggerFile(IdMixin, TimestampMixin, Base):
    """One imported logger file (温度记录仪导出文件): whose, what it accompanied, where, which device, and the
    events its readings were recorded as."""

    __tablename__ = "coldchain_logs"
    __table_args__ = (UniqueConstraint("party_id", "sha256"),)

    #: The party that imported it (the recorder of its events).
    party_id: Mapped[str] = mapped_column(ForeignKey("parties.id"), index=True)
    filename: Mapped[str] = mapped_column(String(200))
    #: SHA-256 (hex) of the bytes: the same file imported again by the same party is a duplicate.
    sha256: Mapped[str] = mapped_column(String(64))
    #: The file exactly as submitted.
    content: Mapped[bytes] = mapped_column(LargeBinary)
    encoding: Mapped[str] = mapped_column(String(16))
    device_id: Mapped[str] = mapped_column(String(500))
    #: The codes the logger accompanied (canonical), as the events name them.
    codes: Mapped[list[str]] = mapped_column(JsonDocument)
    #: The site (``https://id.gs1.org/414/{gln}``) or, on the road, the shipment's number.
    location: Mapped[str | None] = mapped_column(String(500))
    shipment: Mapped[str | None] = mapped_column(String(100))
    biz_step: Mapped[str] = mapped_column(String(100))
    #: GB/T 2260 region (the site's, else the party's) and catalog class (of the goods, else the party's): the
    #: regulators' jurisdiction and mandate.
    region: Mapped[str | None] = mapped_column(String(6), index=True)
    class_id: Mapped[str | None] = mapped_column(String(100), index=True)
    readings: Mapped[int] = mapped_column(Integer)
    first_time: Mapped[datetime] = mapped_column(UTCDateTime)
    last_time: Mapped[datetime] = mapped_column(UTCDateTime)
    min_celsius: Mapped[float] = mapped_column(Float)
    max_celsius: Mapped[float] = mapped_column(Float)
    #: The range the file was judged against at import ([min, max] °C), or None (the class has none).
    allowed: Mapped[list[float] | None] = mapped_column(JsonDocument)
    #: The excursions within this file alone: [{"start", "end", "minutes", "peak", "open"}].
    excursions: Mapped[list[dict[str, Any]]] = mapped_column(JsonDocument)
    event_ids: Mapped[list[str]] = mapped_column(JsonDocument)
    capture_id: Mapped[str | None] = mapped_column(ForeignKey("capture_jobs.id"))
