"""The special equipment register as an XLSX workbook (the desk's export): kept apart from the service, so that
capture, which runs the sector's interlocks, loads no spreadsheet library."""

from io import BytesIO
from typing import Any

from openpyxl import Workbook

from zhuisu.kit.i18n import cpair, pair
from zhuisu.sectors.equipment.lifecycle import CONDITIONS, RESULT_NAMES, beijing_day
from zhuisu.sectors.equipment.schemas import EquipmentPage

#: The workbook's columns: header (zh-CN, English) and the value of a row.
_COLUMNS: tuple[tuple[str, str, Any], ...] = (
    (*cpair("equipment column", "Code"), lambda r: r.label),
    (*cpair("equipment column", "Class"), lambda r: r.class_name),
    (*pair("Condition"), lambda r: r.condition_name),
    (*cpair("equipment column", "Type"), lambda r: r.equipment_type or ""),
    (*pair("Address"), lambda r: r.address or ""),
    (*pair("Region"), lambda r: r.region_name),
    (*pair("Registration certificate"), lambda r: r.registration_certificate or ""),
    (*pair("User unit"), lambda r: r.user_unit.name if r.user_unit else ""),
    (*pair("Maintenance unit"), lambda r: r.maintenance_unit.name if r.maintenance_unit else ""),
    (*pair("Last inspection"), lambda r: beijing_day(r.last_inspection_at) if r.last_inspection_at else None),
    (
        *cpair("equipment column", "Result"),
        lambda r: RESULT_NAMES[r.last_inspection_result][0] if r.last_inspection_result else "",
    ),
    (*cpair("equipment column", "Next inspection due"), lambda r: r.next_inspection_due),
    (*pair("Last maintenance"), lambda r: beijing_day(r.last_maintenance_at) if r.last_maintenance_at else None),
    (*pair("Next maintenance due"), lambda r: r.next_maintenance_due),
    (*pair("Fills"), lambda r: r.fills),
)


def workbook(page: EquipmentPage) -> bytes:
    """The list as an XLSX workbook: one sheet of equipment (Chinese and English headers), one of counts."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "设备 Equipment"
    sheet.append([f"{zh} {en}" for zh, en, _ in _COLUMNS])
    for item in page.items:
        sheet.append([value(item) for _, _, value in _COLUMNS])
    counts = book.create_sheet("统计 Counts")
    counts.append(["状态 Condition", "台数 Count"])
    for key, n in page.counts.items():
        counts.append([f"{CONDITIONS[key][0]} {CONDITIONS[key][1]}", n])
    counts.append([f"日期 Day (Beijing) {page.today.isoformat()}", None])
    out = BytesIO()
    book.save(out)
    return out.getvalue()
