"""Special equipment (特种设备): the register of elevators, gas cylinders and other equipment this node holds, as
their lifecycle events left it (``zhuisu.sectors.equipment``).

Nothing here is edited by hand: every row is derived from the equipment's events — installation, registration,
inspections, maintenance, suspension, scrapping, de-functioning, deregistration, filling — and rebuilt from them
(``zhuisu equipment rebuild``). The master data (model, manufacturer, address, user and maintenance units …) is
what the latest event carrying ``zs:equipment`` said.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from zhuisu.db.base import Base
from zhuisu.db.types import JsonDocument, UTCDateTime
from zhuisu.kit.time import utc_now
from zhuisu.models.trace import Code


class Equipment(Base):
    """One piece of special equipment by its code (the 18-character 特种设备代码, or a GIAI/GRAI Digital Link)."""

    __tablename__ = "sector_equipment"
    __table_args__ = (
        Index("ix_sector_equipment_region_class", "region", "class_id"),
        Index("ix_sector_equipment_inspection_due", "next_inspection_due"),
        Index("ix_sector_equipment_maintenance_due", "next_maintenance_due"),
    )

    code: Mapped[str] = mapped_column(Code, primary_key=True)
    #: The catalog class (``special_equipment.elevator``, ``special_equipment.gas_cylinder`` …).
    class_id: Mapped[str] = mapped_column(String(100), index=True)
    #: What the events said of it (``zs:equipment``): type, model, manufacturer, address, design life …
    master: Mapped[dict[str, Any]] = mapped_column(JsonDocument, default=dict)
    region: Mapped[str | None] = mapped_column(String(6))
    registration_certificate: Mapped[str | None] = mapped_column(String(64))
    user_unit_id: Mapped[str | None] = mapped_column(ForeignKey("parties.id"), index=True)
    maintenance_unit_id: Mapped[str | None] = mapped_column(ForeignKey("parties.id"), index=True)
    #: ``installed`` (notified, not registered) · ``in_service`` · ``suspended`` · ``scrapped`` · ``defunctioned``
    #: (made unusable by an inspection body) · ``deregistered``.
    status: Mapped[str] = mapped_column(String(16), index=True)
    installed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: Who recorded its first event (installer or user unit).
    installed_by_id: Mapped[str | None] = mapped_column(ForeignKey("parties.id"))
    registered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_inspection_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: ``pass`` · ``conditional`` · ``fail`` (合格 · 基本合格 · 不合格).
    last_inspection_result: Mapped[str | None] = mapped_column(String(16))
    last_inspection_by_id: Mapped[str | None] = mapped_column(ForeignKey("parties.id"))
    last_inspection_report: Mapped[str | None] = mapped_column(String(200))
    #: The date (Beijing) the next periodic inspection is due: the inspection's own ``zs:nextInspectionDue``, else
    #: its date plus the class's interval.
    next_inspection_due: Mapped[date | None] = mapped_column(Date)
    last_maintenance_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_maintenance_by_id: Mapped[str | None] = mapped_column(ForeignKey("parties.id"))
    #: The date the next maintenance visit is due (classes with an interval: elevators, 15 days by default).
    next_maintenance_due: Mapped[date | None] = mapped_column(Date)
    last_filled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_filled_by_id: Mapped[str | None] = mapped_column(ForeignKey("parties.id"))
    fills: Mapped[int] = mapped_column(Integer, default=0)
    events: Mapped[int] = mapped_column(Integer, default=0)
    last_event_pk: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utc_now)
