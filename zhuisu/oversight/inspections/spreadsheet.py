"""Inspection reports from a spreadsheet (XLSX, or CSV in UTF-8), one row per test item, zh-CN headers (English
accepted); the rows of one report (same lab and report number) make one report. All rows or none: every report is
recorded under a savepoint, and any bad row rolls it back and raises ``SpreadsheetRejected`` listing each bad row
with its row number (as the spreadsheet shows it), its column and why (``parties.spreadsheets`` does the same for
master data).
"""

from datetime import date, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from zhuisu.errors import ZhuisuError
from zhuisu.kit.i18n import pair
from zhuisu.models import Inspection, Party
from zhuisu.oversight.inspections import permissions, service
from zhuisu.oversight.inspections.schemas import InspectionCreate, ReportItem
from zhuisu.parties.spreadsheets import SpreadsheetRejected, read_rows

#: key → (zh-CN header, English header, required).
COLUMNS: dict[str, tuple[str, str, bool]] = {
    "lab": (*pair("Lab"), True),
    "report_number": (*pair("Report number"), True),
    "sample": (*pair("Sample"), False),
    "code": (*pair("Lot or code"), True),
    "inspected_on": (*pair("Inspected on"), True),
    "item": (*pair("Test item"), True),
    "value": (*pair("Value"), True),
    "unit": (*pair("Unit"), False),
    "limit": (*pair("Limit"), False),
    "item_result": (*pair("Item result"), True),
    "result": (*pair("Overall result"), True),
}
_RESULTS = {"合格": "pass", "pass": "pass", "不合格": "fail", "fail": "fail"}


def _header(key: str) -> str:
    return COLUMNS[key][0]


def _positions(header: list[Any]) -> dict[str, int]:
    names = {str(h).strip().rstrip("*").lower(): i for i, h in enumerate(header) if h is not None}
    found = {}
    for key, (zh, en, _) in COLUMNS.items():
        index = names.get(zh.lower(), names.get(en.lower()))
        if index is not None:
            found[key] = index
    missing = [zh for key, (zh, _, required) in COLUMNS.items() if required and key not in found]
    if missing:
        raise SpreadsheetRejected(
            f"缺少必填列：{'、'.join(missing)}",
            message_en=f"missing columns: {', '.join(missing)}",
            errors=[{"row": 1, "column": m, "code": "missing_column", "message": "missing column"} for m in missing],
        )
    return found


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    return str(value).strip()


class _BadCell(Exception):
    def __init__(self, key: str, code: str, zh: str, en: str) -> None:
        super().__init__(en)
        self.key, self.code, self.zh, self.en = key, code, zh, en


def _cells(row: list[Any], at: dict[str, int]) -> dict[str, str]:
    values = {key: _text(row[i]) if i < len(row) else "" for key, i in at.items()}
    for key, (zh, en, required) in COLUMNS.items():
        if required and not values.get(key):
            raise _BadCell(key, "missing_value", f"「{zh}」不能为空", f"'{en}' is empty")
    for key in ("item_result", "result"):
        if values[key].lower() not in _RESULTS:
            raise _BadCell(
                key,
                "invalid_result",
                f"「{_header(key)}」应为 合格 或 不合格：{values[key]}",
                f"pass or fail, got {values[key]}",
            )
        values[key] = _RESULTS[values[key].lower()]
    try:
        values["inspected_on"] = date.fromisoformat(values["inspected_on"][:10]).isoformat()
    except ValueError:
        raise _BadCell(
            "inspected_on",
            "invalid_date",
            f"「检验日期」应为 YYYY-MM-DD：{values['inspected_on']}",
            "a date YYYY-MM-DD",
        ) from None
    return values


def import_reports(session: Session, data: bytes, filename: str, *, actor: Party, lang: str = "zh") -> list[Inspection]:
    """Record the reports of a spreadsheet, all or none. Raises SpreadsheetRejected (nothing written), and the
    permission errors of ``service.record_inspection`` (a caller who may not record reports: nothing read)."""
    permissions.check_record(actor, None, None)
    rows = read_rows(data, filename)
    if not rows:
        raise SpreadsheetRejected("文件为空", message_en="the file is empty", errors=[])
    at = _positions(rows[0])
    errors: list[dict[str, Any]] = []
    reports: dict[tuple[str, str], tuple[int, dict[str, str], list[ReportItem]]] = {}
    for number, row in enumerate(rows[1:], start=2):
        if all(_text(v) == "" for v in row):
            continue
        try:
            values = _cells(list(row), at)
        except _BadCell as bad:
            header = COLUMNS[bad.key][0 if lang == "zh" else 1]
            errors.append(
                {"row": number, "column": header, "code": bad.code, "message": bad.zh if lang == "zh" else bad.en}
            )
            continue
        key = (values["lab"], values["report_number"])
        first, head, items = reports.setdefault(key, (number, values, []))
        item = ReportItem(
            name=values["item"],
            value=values["value"],
            unit=values.get("unit", ""),
            limit=values.get("limit", ""),
            result=values["item_result"],
        )
        items.append(item)
        if values["result"] != head["result"] or values["code"] != head["code"]:
            errors.append(_row_error(number, "result" if values["result"] != head["result"] else "code", lang, first))
    if not errors and not reports:
        raise SpreadsheetRejected("文件没有数据行", message_en="the file has no data rows", errors=[])
    recorded: list[Inspection] = []
    savepoint = session.begin_nested()
    for first, head, items in [] if errors else reports.values():
        try:
            body = InspectionCreate(
                lab=head["lab"],
                report_number=head["report_number"],
                sample=head.get("sample", ""),
                code=head["code"],
                items=items,
                result=head["result"],
                inspected_on=date.fromisoformat(head["inspected_on"]),
            )
            with session.begin_nested():
                recorded.append(service.record_inspection(session, body, actor=actor))
        except (ValidationError, IntegrityError) as exc:
            errors.append({"row": first, "column": "", "code": "invalid_row", "message": str(exc).splitlines()[0]})
        except ZhuisuError as exc:
            if exc.status_code == 403:
                savepoint.rollback()
                raise
            column = COLUMNS[
                "code"
                if exc.code == "unrecognised_code"
                else "result"
                if exc.code == "inconsistent_result"
                else "report_number"
            ]
            errors.append(
                {
                    "row": first,
                    "column": column[0 if lang == "zh" else 1],
                    "code": exc.code,
                    "message": exc.localized(lang),
                }
            )
    if errors:
        savepoint.rollback()
        first_error = errors[0]
        raise SpreadsheetRejected(
            f"{len(errors)} 行有误，未导入任何数据；"
            f"第 {first_error['row']} 行「{first_error['column']}」：{first_error['message']}",
            message_en=f"{len(errors)} rows are invalid, nothing was imported; row {first_error['row']} "
            f"({first_error['column']}): {first_error['message']}",
            errors=errors,
        )
    savepoint.commit()
    return recorded


def _row_error(number: int, key: str, lang: str, first: int) -> dict[str, Any]:
    zh, en, _ = COLUMNS[key]
    return {
        "row": number,
        "column": zh if lang == "zh" else en,
        "code": "inconsistent_report",
        "message": f"与同一报告第 {first} 行的「{zh}」不同"
        if lang == "zh"
        else f"differs from row {first} of the same report",
    }


def template() -> bytes:
    """An empty CSV template (UTF-8 with BOM) with the zh-CN headers and one example row."""
    header = ",".join(zh + ("*" if required else "") for zh, _, required in COLUMNS.values())
    example = (
        "示范市食品检验检测中心,JC2026-0001,青菜样品,(01)06901234567892(10)L1,2026-12-01,毒死蜱,0.01,mg/kg,≤0.02,"
        "合格,合格"
    )
    return ("\ufeff" + header + "\n" + example + "\n").encode("utf-8")
