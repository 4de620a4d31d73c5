"""Spreadsheet import of master data: XLSX/CSV templates with zh-CN headers, all rows or none.

Four kinds: ``parties``, ``licences``, ``locations``, ``products``. ``template`` builds an empty workbook (or
CSV) whose first row holds the headers (``*`` marks a required column) and whose second sheet explains them.
``import_rows`` applies every row inside a savepoint; when any row fails, the savepoint is rolled back and
``SpreadsheetRejected`` lists each bad row with its row number (as the spreadsheet shows it), column and reason,
so nothing is half-imported.
"""

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from openpyxl import Workbook, load_workbook
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from zhuisu.errors import InvalidInput, ZhuisuError
from zhuisu.models import Party
from zhuisu.parties import masterdata
from zhuisu.parties import service as parties_service


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    note: str = ""

    @property
    def title(self) -> str:
        return self.header + ("*" if self.required else "")


class SpreadsheetRejected(InvalidInput):
    code = "spreadsheet_rejected"


COLUMNS: dict[str, list[Column]] = {
    "parties": [
        Column("name", "名称", True),
        Column("uscc", "统一社会信用代码", note="18 位，含校验位"),
        Column("party_type", "主体类型", note="enterprise/individual/institution/government/platform"),
        Column("roles", "角色", note="多个用、或逗号分隔：producer、market、pharmacy …"),
        Column("region", "行政区划代码", note="GB/T 2260，6 位"),
        Column("gln", "GLN", note="13 位"),
        Column("product_class", "产品类别", note="目录类别编号，如 food.dairy"),
        Column("address", "地址"),
    ],
    "licences": [
        Column("party", "主体统一社会信用代码", True),
        Column("licence_type", "许可证类型", True, "如 sc_food_production、drug_distribution"),
        Column("number", "许可证号", True),
        Column("issuer", "发证机关"),
        Column("valid_from", "有效期起", True, "YYYY-MM-DD"),
        Column("valid_to", "有效期至", note="YYYY-MM-DD"),
        Column("scope", "许可范围"),
    ],
    "locations": [
        Column("party", "主体统一社会信用代码", True),
        Column("name", "位置名称", True),
        Column("gln", "GLN"),
        Column("code", "追溯位置码", note="无 GLN 时填 zhuisu 编码"),
        Column("address", "地址"),
        Column("region", "行政区划代码"),
    ],
    "products": [
        Column("producer", "生产者统一社会信用代码"),
        Column("name", "产品名称", True),
        Column("gtin", "GTIN"),
        Column("code_scheme", "产品代码体系", note="如 drug-trace-code"),
        Column("code", "产品代码"),
        Column("spec", "规格"),
        Column("class_id", "目录类别", True, "如 drug.preparation"),
    ],
}


def check_kind(kind: str) -> list[Column]:
    if kind not in COLUMNS:
        raise InvalidInput(
            f"没有模板 {kind}，可选：{'、'.join(COLUMNS)}",
            message_en=f"no template {kind}; one of {', '.join(COLUMNS)}",
        )
    return COLUMNS[kind]


def template(kind: str, fmt: str) -> bytes:
    """An empty template of ``kind`` as ``xlsx`` or ``csv`` (UTF-8 with BOM, so spreadsheet programs read it)."""
    columns = check_kind(kind)
    if fmt == "csv":
        buffer = io.StringIO()
        csv.writer(buffer).writerow([c.title for c in columns])
        return ("\ufeff" + buffer.getvalue()).encode("utf-8")
    if fmt != "xlsx":
        raise InvalidInput("格式应为 xlsx 或 csv", message_en="format must be xlsx or csv")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = kind
    sheet.append([c.title for c in columns])
    notes = book.create_sheet("说明")
    notes.append(["列", "必填", "说明"])
    for c in columns:
        notes.append([c.header, "是" if c.required else "否", c.note])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def read_rows(data: bytes, filename: str) -> list[list[Any]]:
    """The rows of an uploaded XLSX (first sheet) or CSV file, header row included."""
    if filename.lower().endswith(".csv"):
        try:
            text = data.decode("utf-8-sig") if not data.startswith(b"\xff\xfe") else data.decode("utf-16")
            # newline="": the csv module sees every line ending as sent (a lone \r too), as its documentation asks
            return [list(r) for r in csv.reader(io.StringIO(text, newline=""))]
        except UnicodeDecodeError as exc:
            raise InvalidInput(
                "CSV 文件应为 UTF-8 或 UTF-16 编码", message_en=f"the CSV file must be UTF-8 or UTF-16: {exc}"
            ) from exc
        except csv.Error as exc:  # e.g. a field past csv.field_size_limit()
            raise InvalidInput(f"无法读取 CSV 文件：{exc}", message_en=f"cannot read the CSV file: {exc}") from exc
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a file that is not a workbook
        raise InvalidInput(f"无法读取 XLSX 文件：{exc}", message_en=f"cannot read the XLSX file: {exc}") from exc
    sheet = book.worksheets[0]
    return [list(r) for r in sheet.iter_rows(values_only=True)]


def _records(kind: str, rows: list[list[Any]]) -> list[tuple[int, dict[str, Any]]]:
    columns = check_kind(kind)
    if not rows:
        raise SpreadsheetRejected("文件为空", message_en="the file is empty", errors=[])
    by_title = {str(h).strip().rstrip("*"): i for i, h in enumerate(rows[0]) if h is not None}
    missing = [c.header for c in columns if c.required and c.header not in by_title]
    if missing:
        raise SpreadsheetRejected(
            f"缺少必填列：{'、'.join(missing)}",
            message_en=f"missing columns: {', '.join(missing)}",
            errors=[{"row": 1, "column": m, "message": "missing column"} for m in missing],
        )
    out = []
    for number, row in enumerate(rows[1:], start=2):
        values = {c.key: _cell(row, by_title.get(c.header)) for c in columns}
        if any(v is not None for v in values.values()):
            out.append((number, values))
    return out


def _cell(row: list[Any], index: int | None) -> Any:
    if index is None or index >= len(row):
        return None
    value = row[index]
    if isinstance(value, str):
        value = value.strip() or None
    return value


def _date(value: Any, header: str) -> date | None:
    if value is None or isinstance(value, date):
        return value.date() if isinstance(value, datetime) else value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(
            f"{header} 应为日期 YYYY-MM-DD：{value}", message_en=f"{header}: a date YYYY-MM-DD, got {value}"
        ) from None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _party(session: Session, value: Any, header: str) -> Party:
    party = parties_service.find_party_by_identifier(session, _text(value) or "")
    if party is None:
        raise InvalidInput(f"{header} 找不到主体：{value}", message_en=f"{header}: no party {value}")
    return party


def _apply_party(session: Session, r: dict[str, Any], actor: Party | None) -> None:
    roles = [x.strip() for x in str(r["roles"] or "").replace("、", ",").split(",") if x.strip()]
    parties_service.create_party(
        session,
        name=str(r["name"]),
        uscc=_text(r["uscc"]),
        gln=_text(r["gln"]),
        region=_text(r["region"]),
        party_type=r["party_type"],
        roles=roles,
        product_class=r["product_class"],
        address=r["address"],
        actor=actor,
    )


def _apply_licence(session: Session, r: dict[str, Any], actor: Party | None) -> None:
    masterdata.add_licence(
        session,
        _party(session, r["party"], "主体统一社会信用代码"),
        licence_type=str(r["licence_type"]),
        number=_text(r["number"]) or "",
        valid_from=_date(r["valid_from"], "有效期起") or date.min,
        valid_to=_date(r["valid_to"], "有效期至"),
        issuer=r["issuer"] or "",
        scope=r["scope"] or "",
        actor=actor,
    )


def _apply_location(session: Session, r: dict[str, Any], actor: Party | None) -> None:
    masterdata.add_location(
        session,
        _party(session, r["party"], "主体统一社会信用代码"),
        name=str(r["name"]),
        gln=_text(r["gln"]),
        code=_text(r["code"]),
        address=r["address"] or "",
        region=_text(r["region"]),
        actor=actor,
    )


def _apply_product(session: Session, r: dict[str, Any], actor: Party | None) -> None:
    producer = _party(session, r["producer"], "生产者统一社会信用代码") if r["producer"] else None
    masterdata.register_product(
        session,
        name=str(r["name"]),
        class_id=str(r["class_id"]),
        producer=producer,
        gtin=_text(r["gtin"]),
        code_scheme=r["code_scheme"],
        code=_text(r["code"]),
        spec=r["spec"] or "",
        actor=actor,
    )


_APPLY: dict[str, Callable[[Session, dict[str, Any], Party | None], None]] = {
    "parties": _apply_party,
    "licences": _apply_licence,
    "locations": _apply_location,
    "products": _apply_product,
}


def import_rows(
    session: Session, kind: str, rows: list[list[Any]], *, actor: Party | None = None, lang: str = "zh"
) -> int:
    """Apply every data row; returns how many were imported. Raises SpreadsheetRejected (nothing imported)."""
    records = _records(kind, rows)
    errors: list[dict[str, Any]] = []
    savepoint = session.begin_nested()
    for number, record in records:
        try:
            with session.begin_nested():
                _APPLY[kind](session, record, actor)
        except ZhuisuError as exc:
            errors.append({"row": number, "message": exc.localized(lang), "code": exc.code})
        except IntegrityError as exc:
            errors.append(
                {
                    "row": number,
                    "message": f"与已有数据冲突 / conflicts with existing data: {exc.orig}",
                    "code": "conflict",
                }
            )
    if errors:
        savepoint.rollback()
        first = errors[0]
        raise SpreadsheetRejected(
            f"{len(errors)} 行有误，未导入任何数据；第 {first['row']} 行：{first['message']}",
            message_en=f"{len(errors)} rows are invalid, nothing was imported; row {first['row']}: {first['message']}",
            errors=errors,
        )
    savepoint.commit()
    return len(records)
