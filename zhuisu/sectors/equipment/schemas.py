"""What the special equipment register shows: one piece of equipment (``EquipmentRead``), a district's list
(``EquipmentPage``), and what its public scan page tells anybody (``PublicEquipment``)."""

from datetime import date, datetime

from pydantic import BaseModel, Field


class UnitRef(BaseModel):
    """A party the equipment names (user unit, maintenance unit, last inspector or filler)."""

    id: str | None
    name: str


class EquipmentRead(BaseModel):
    code: str = Field(description="The code events name it by (canonical).")
    label: str = Field(description="The code as printed: the bare 18-character 特种设备代码, or the canonical code.")
    class_id: str
    class_name: str
    class_name_en: str
    status: str = Field(description="installed · in_service · suspended · scrapped · defunctioned · deregistered")
    condition: str = Field(description="The status, or overdue / due (inspection or maintenance) for live equipment.")
    condition_name: str
    condition_name_en: str
    inspection_overdue: bool
    maintenance_overdue: bool
    inspection_failed: bool
    equipment_type: str | None
    model: str | None
    manufacturer: str | None
    address: str | None
    region: str | None
    region_name: str
    registration_certificate: str | None
    design_life_years: int | None
    user_unit: UnitRef | None
    maintenance_unit: UnitRef | None
    installed_at: datetime | None
    registered_at: datetime | None
    status_since: datetime | None
    last_inspection_at: datetime | None
    last_inspection_result: str | None
    last_inspection_by: UnitRef | None
    last_inspection_report: str | None
    next_inspection_due: date | None
    last_maintenance_at: datetime | None
    last_maintenance_by: UnitRef | None
    next_maintenance_due: date | None
    last_filled_at: datetime | None
    fills: int
    events: int


class EquipmentPage(BaseModel):
    """The equipment the reader may see, filtered; ``counts``: how many of them are in each condition."""

    today: date = Field(description="The day (Beijing time) the conditions are worked out for.")
    region: str
    class_id: str
    condition: str
    total: int
    counts: dict[str, int]
    items: list[EquipmentRead]


class PublicEquipment(BaseModel):
    """一梯一码 / 一瓶一码: what a scan of the equipment's code shows anybody."""

    code: str
    label: str
    class_id: str
    class_name: str
    class_name_en: str
    condition: str
    condition_name: str
    condition_name_en: str
    equipment_type: str | None
    address: str | None
    registration_certificate: str | None
    registered_at: datetime | None
    user_unit: str | None
    maintenance_unit: str | None
    last_inspection_at: datetime | None
    last_inspection_result: str | None
    next_inspection_due: date | None
    last_maintenance_at: datetime | None
    next_maintenance_due: date | None
    last_filled_at: datetime | None
    status_since: datetime | None
    today: date
