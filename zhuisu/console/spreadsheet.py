"""Events spreadsheets for enterprises without an EPCIS system: one row per event, in XLSX or CSV.

``template`` writes the sheet to fill in (zh-CN headers, or English), with a notes sheet saying what each column
expects and one example row. ``import_spreadsheet`` reads an uploaded sheet (headers in either language), turns
each row into an EPCIS 2.0 event and captures the events through ``capture.service.capture_document`` with the
``proceed`` behaviour: the good rows are stored; each rejected row is listed with its spreadsheet row number, the
column and what was expected, and nothing of it is stored. Rows already captured come back as duplicates, so
uploading a sheet twice is harmless. Never commits.
"""

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from functools import partial
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy.orm import Session

from zhuisu.capture import service as capture_service
from zhuisu.codes import gln, special_equipment_code
from zhuisu.codes.canonical import canonical_code
from zhuisu.console import vocabulary
from zhuisu.console.columns import BY_HEADER, BY_KEY, COLUMNS, FIELD_COLUMN
from zhuisu.epcis.reports import EventError
from zhuisu.errors import InvalidInput, TooLarge, ZhuisuError
from zhuisu.kit.i18n import gettext, pair, pgettext
from zhuisu.kit.time import format_iso, utc_now
from zhuisu.models import Party
from zhuisu.sectors.equipment.lifecycle import CODE_URL

EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_ROWS = 10_000
_TYPES = {
    "objectevent": "ObjectEvent",
    "对象事件": "ObjectEvent",
    "aggregationevent": "AggregationEvent",
    "聚合事件": "AggregationEvent",
    "transformationevent": "TransformationEvent",
    "转换事件": "TransformationEvent",
}
_ACTIONS = {"ADD": "ADD", "OBSERVE": "OBSERVE", "DELETE": "DELETE", "新增": "ADD", "观察": "OBSERVE", "删除": "DELETE"}
_OFFSET = re.compile(r"^[+-](?:0\d|1[0-4]):[0-5]\d$")
_SPLIT = re.compile(r"[;；,，\s]+")
_SHORT_NAME = re.compile(r"^[a-z][a-z_]*$")


@dataclass(frozen=True)
class RowError:
    """Why a row was rejected: the column (None: the row as a whole), what was expected, and the message."""

    column: str | None
    expected_zh: str
    expected_en: str
    message_zh: str
    message_en: str

    def to_json(self, lang: str, cell: str | None = None) -> dict[str, Any]:
        column = BY_KEY[self.column].header(lang) if self.column in BY_KEY else None
        return {
            "column": column,
            "cell": cell,
            "expected": self.expected_en if lang == "en" else self.expected_zh,
            "message": self.message_en if lang == "en" else self.message_zh,
        }


@dataclass(frozen=True)
class RejectedRow:
    row: int
    errors: list[RowError]

    def to_json(self, lang: str, letters: dict[str, str] | None = None) -> dict[str, Any]:
        """``cell``: where the wrong value is (``E5``: the column's letter in the uploaded sheet and the row)."""
        letters = letters or {}
        return {
            "row": self.row,
            "errors": [
                e.to_json(lang, f"{letters[e.column]}{self.row}" if e.column in letters else None) for e in self.errors
            ],
        }


@dataclass
class UploadResult:
    """What became of an uploaded sheet: rows read, captured, already stored, and rejected with reasons."""

    filename: str
    rows: int = 0
    accepted: int = 0
    duplicates: int = 0
    rejected: list[RejectedRow] = field(default_factory=list)
    capture_id: str | None = None
    available: bool = True
    #: Column key → its letter in the uploaded sheet.
    letters: dict[str, str] = field(default_factory=dict)

    def stored_rejected(self) -> list[Any]:
        """The rejected rows as ``ConsoleUpload.rejected`` keeps them."""
        return [
            [r.row, [[e.column, e.expected_zh, e.expected_en, e.message_zh, e.message_en] for e in r.errors]]
            for r in self.rejected
        ]

    @classmethod
    def from_stored(
        cls,
        filename: str,
        counts: tuple[int, int, int],
        rejected: list[Any],
        letters: dict[str, str],
        capture_id: str | None,
    ) -> "UploadResult":
        """An upload as ``ConsoleUpload`` kept it (``counts``: rows, accepted, duplicates)."""
        rows = [RejectedRow(int(number), [RowError(*error) for error in errors]) for number, errors in rejected]
        return cls(filename, *counts, rejected=rows, capture_id=capture_id, letters=dict(letters))

    def to_json(self, lang: str) -> dict[str, Any]:
        return {
            "filename": self.filename,
            "rows": self.rows,
            "accepted": self.accepted,
            "duplicates": self.duplicates,
            "rejected": [r.to_json(lang, self.letters) for r in self.rejected],
            "captureID": self.capture_id,
        }


def template(lang: str = "zh") -> bytes:
    """The XLSX to fill in: the header row (and an example row) on the first sheet, each column's meaning on
    the second."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = gettext(lang, "events")
    sheet.append([c.header(lang) for c in COLUMNS])
    sheet.append([_example(c.key, c.example, lang) for c in COLUMNS])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    notes = book.create_sheet(gettext(lang, "notes"))
    notes.append([gettext(lang, "Column"), gettext(lang, "Required"), pgettext(lang, "column", "Expected")])
    for c in COLUMNS:
        required = gettext(lang, "yes") if c.required else ""
        notes.append([c.header(lang), required, c.expected_en if lang == "en" else c.expected_zh])
    _dropdowns(book, sheet, lang)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


#: What the dropdowns offer, per column and language (the Chinese names read back as CBV terms).
_CHOICES: dict[str, dict[str, list[str]]] = {
    "event_type": {
        "zh": ["对象事件", "聚合事件", "转换事件"],
        "en": ["ObjectEvent", "AggregationEvent", "TransformationEvent"],
    },
    "action": {"zh": ["观察", "新增", "删除"], "en": ["OBSERVE", "ADD", "DELETE"]},
    "biz_step": {"zh": list(vocabulary.BIZ_STEPS.values()), "en": list(vocabulary.BIZ_STEPS)},
    "disposition": {"zh": list(vocabulary.DISPOSITIONS.values()), "en": list(vocabulary.DISPOSITIONS)},
}
_ZH_EXAMPLES = {"action": "观察", "biz_step": "发货", "disposition": "运输中"}


def _example(key: str, example: str, lang: str) -> str:
    return _ZH_EXAMPLES.get(key, example) if lang == "zh" else example


def _dropdowns(book: Workbook, sheet: Any, lang: str) -> None:
    """A dropdown (data validation) on the columns whose values come from a list: the lists on a hidden sheet,
    a value outside them refused by Excel and WPS as it is typed."""
    lists = book.create_sheet(gettext(lang, "lists"))
    for n, (key, choices) in enumerate(_CHOICES.items(), start=1):
        letter = get_column_letter(n)
        lists.cell(row=1, column=n, value=BY_KEY[key].header(lang))
        for i, choice in enumerate(choices[lang], start=2):
            lists.cell(row=i, column=n, value=choice)
        column = get_column_letter(next(i for i, c in enumerate(COLUMNS, start=1) if c.key == key))
        rule = DataValidation(
            type="list",
            formula1=f"'{lists.title}'!${letter}$2:${letter}${len(choices[lang]) + 1}",
            allow_blank=True,
            showErrorMessage=True,
            errorTitle=BY_KEY[key].header(lang),
            error=BY_KEY[key].expected_en if lang == "en" else BY_KEY[key].expected_zh,
        )
        rule.add(f"{column}2:{column}{MAX_ROWS + 1}")
        sheet.add_data_validation(rule)
    lists.sheet_state = "hidden"


def template_csv(lang: str = "zh") -> bytes:
    """The same header and example row as CSV (UTF-8 with a BOM, so spreadsheet programs read the Chinese)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([c.header(lang) for c in COLUMNS])
    writer.writerow([_example(c.key, c.example, lang) for c in COLUMNS])
    return out.getvalue().encode("utf-8-sig")


def read_rows(data: bytes, filename: str) -> list[tuple[int, dict[str, Any]]]:
    """(spreadsheet row number, {column key: value}) of each non-blank data row; XLSX by content, else CSV.

    Raises ``InvalidInput`` for an unreadable file or a missing required column, ``TooLarge`` past ``MAX_ROWS``.
    """
    return read_sheet(data, filename)[0]


def read_sheet(data: bytes, filename: str) -> tuple[list[tuple[int, dict[str, Any]]], dict[str, str]]:
    """``read_rows``, and each known column's letter in the sheet (``{"event_time": "A", …}``)."""
    table = _xlsx_table(data) if data[:2] == b"PK" else _csv_table(data)
    if not table:
        raise InvalidInput("表格是空的", message_en="the spreadsheet is empty", filename=filename)
    keys = [BY_HEADER.get(str(h or "").strip().lower()) for h in table[0]]
    missing = [c for c in COLUMNS if c.required and c not in keys]
    if missing:
        raise InvalidInput(
            "表格缺少列：" + "、".join(c.zh for c in missing),
            message_en="the spreadsheet lacks the column(s): " + ", ".join(c.en for c in missing),
            filename=filename,
        )
    letters = {c.key: get_column_letter(i + 1) for i, c in enumerate(keys) if c is not None}
    rows = []
    for number, values in enumerate(table[1:], start=2):
        row = {c.key: v for c, v in zip(keys, values, strict=False) if c is not None and _text(v)}
        if row:
            rows.append((number, row))
    if len(rows) > MAX_ROWS:
        raise TooLarge(
            f"表格超过 {MAX_ROWS} 行", message_en=f"the spreadsheet has more than {MAX_ROWS} rows", limit=MAX_ROWS
        )
    return rows, letters


def _xlsx_table(data: bytes) -> list[list[Any]]:
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise InvalidInput("无法读取 XLSX 文件", message_en=f"the XLSX file cannot be read: {exc}") from exc
    sheet = book.worksheets[0]
    table = [list(row) for row in sheet.iter_rows(values_only=True, max_row=MAX_ROWS + 2)]
    book.close()
    return table


def _csv_table(data: bytes) -> list[list[Any]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        try:
            # newline="": the csv module sees every line ending as sent (a lone \r too), as its documentation asks
            return [row for row in csv.reader(io.StringIO(text, newline=""))]
        except csv.Error as exc:  # e.g. a field past csv.field_size_limit()
            raise InvalidInput(f"无法读取 CSV 文件：{exc}", message_en=f"the CSV file cannot be read: {exc}") from exc
    raise InvalidInput("CSV 文件应为 UTF-8 或 GB18030 编码", message_en="the CSV file must be UTF-8 or GB18030")


def _text(value: Any) -> str:
    if value is None:
        return ""
    return str(value).strip()


class _RowProblem(Exception):
    def __init__(self, error: RowError) -> None:
        super().__init__(error.message_en)
        self.error = error


class _RowProblems(Exception):
    """Several columns of one row are wrong: each is reported."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("; ".join(e.message_en for e in errors))
        self.errors = errors


def _each(*checks: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Run every check of independent columns; raise all their problems together."""
    out: dict[str, Any] = {}
    errors: list[RowError] = []
    for check in checks:
        try:
            out.update(check())
        except _RowProblem as problem:
            errors.append(problem.error)
        except _RowProblems as problems:
            errors.extend(problems.errors)
    if errors:
        raise _RowProblems(errors)
    return out


def _problem(key: str, value: Any, zh: str, en: str) -> _RowProblem:
    column = BY_KEY[key]
    shown = _text(value)
    return _RowProblem(
        RowError(
            key,
            column.expected_zh,
            column.expected_en,
            f"{column.zh}「{shown}」{zh}" if shown else f"{column.zh}{zh}",
            f"{column.en} {shown!r} {en}" if shown else f"{column.en} {en}",
        )
    )


def convert_row(row: dict[str, Any]) -> tuple[dict[str, Any] | None, list[RowError]]:
    """The EPCIS 2.0 event of one row, or the reasons it cannot be one (each column checked on its own)."""
    event: dict[str, Any] = {"type": _event_type(row)} if "event_type" in row else {"type": "ObjectEvent"}
    errors: list[RowError] = []
    for part in (_when, _what, _where, _why):
        try:
            event.update(part(row, event["type"]))
        except _RowProblem as problem:
            errors.append(problem.error)
        except _RowProblems as problems:
            errors.extend(problems.errors)
    return (None, errors) if errors else (event, [])


def _event_type(row: dict[str, Any]) -> str:
    value = _text(row["event_type"])
    found = _TYPES.get(value.lower())
    if found is None:
        raise _problem("event_type", value, *pair("is not a supported event type"))
    return found


def _when(row: dict[str, Any], _: str) -> dict[str, Any]:
    offset = _text(row.get("time_zone")) or "+08:00"
    errors = []
    if not _OFFSET.match(offset):
        errors.append(_problem("time_zone", offset, *pair("is not a UTC offset")).error)
        offset = "+08:00"  # so the time is still checked
    sign = -1 if offset[0] == "-" else 1
    zone = timezone(sign * timedelta(hours=int(offset[1:3]), minutes=int(offset[4:6])))
    moment = _moment(row.get("event_time"), zone)
    if moment is None:
        errors.append(
            _problem(
                "event_time",
                row.get("event_time"),
                "不是日期时间（如 2026-12-04 08:30、2026/12/4 8:30 或 2026年12月4日）",
                "is not a date and time (e.g. 2026-12-04 08:30, 2026/12/4 8:30 or 2026年12月4日)",
            ).error
        )
    if errors:
        raise _RowProblems(errors)
    assert moment is not None
    text = moment.astimezone(zone).isoformat(timespec="milliseconds")
    return {"eventTime": text, "eventTimeZoneOffset": offset}


#: A date as people write it in China — ``2026-12-04``, ``2026/12/4``, ``2026.12.4``, ``2026年12月4日`` — with an
#: optional time (``8:30``, ``08:30:15``, ``8时30分``) and offset. By hand rather than dateutil: its parser does not
#: read 年月日, and guesses day-first or month-first where this must not guess.
_DATE_TIME = re.compile(
    r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?"
    r"(?:\s*[T\s]\s*(\d{1,2})\s*[:：时]\s*(\d{1,2})\s*分?(?:\s*[:：]?\s*(\d{1,2}(?:\.\d+)?)\s*秒?)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?$"
)
#: Excel's day 0 (a date cell read without its format is a serial day number).
_EXCEL_EPOCH = datetime(1899, 12, 30)


def _moment(value: Any, zone: timezone) -> datetime | None:
    """The moment a cell names, or None.

    >>> z = timezone(timedelta(hours=8))
    >>> [_moment(v, z).isoformat() for v in ("2026-12-04", "2026/12/4 8:30", "2026年12月4日", "2026年12月4日 8时5分")]
    ['2026-12-04T00:00:00+08:00', '2026-12-04T08:30:00+08:00', '2026-12-04T00:00:00+08:00', '2026-12-04T08:05:00+08:00']
    >>> _moment("2026-12-04T08:30:00Z", z).isoformat(), _moment(46360.5, z).isoformat(), _moment("2026-13-01", z)
    ('2026-12-04T08:30:00+00:00', '2026-12-04T12:00:00+08:00', None)
    """
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=zone)
    if isinstance(value, date):
        return datetime.combine(value, time(), tzinfo=zone)
    if isinstance(value, int | float) and not isinstance(value, bool) and 20_000 < value < 80_000:
        return (_EXCEL_EPOCH + timedelta(days=float(value))).replace(tzinfo=zone)
    text = _text(value)
    match = _DATE_TIME.match(text)
    if match is None:
        try:
            parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            return None
        return parsed if parsed.tzinfo else parsed.replace(tzinfo=zone)
    year, month, day, hour, minute, second, offset = match.groups()
    seconds = float(second or 0)
    try:
        moment = datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(seconds),
            round((seconds % 1) * 1_000_000),
        )  # fmt: skip
    except ValueError:
        return None
    if offset:
        parsed_zone = UTC if offset == "Z" else _zone(offset)
        return moment.replace(tzinfo=parsed_zone)
    return moment.replace(tzinfo=zone)


def _zone(offset: str) -> timezone:
    digits = offset[1:].replace(":", "")
    sign = -1 if offset[0] == "-" else 1
    return timezone(sign * timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def _codes(row: dict[str, Any], key: str) -> list[str]:
    found = []
    for part in _SPLIT.split(_text(row.get(key))):
        if not part:
            continue
        try:
            code = canonical_code(part)
        except ZhuisuError:
            code = part
        if special_equipment_code.is_valid(code):  # 特种设备代码: as events name it (sectors.equipment)
            code = CODE_URL + special_equipment_code.compact(code)
        if not code.startswith(("https://", "http://", "urn:")):
            raise _problem(key, part, *pair("is not a code zhuisu recognises"))
        found.append(code)
    return found


def _what(row: dict[str, Any], event_type: str) -> dict[str, Any]:
    return _each(lambda: _action(row, event_type), lambda: _things(row, event_type))


def _action(row: dict[str, Any], event_type: str) -> dict[str, Any]:
    if event_type == "TransformationEvent":
        return {}
    action = _text(row.get("action")).upper() or "OBSERVE"
    if action not in _ACTIONS:
        raise _problem("action", row.get("action"), *pair("is not ADD, OBSERVE or DELETE"))
    return {"action": _ACTIONS[action]}


def _things(row: dict[str, Any], event_type: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    codes, quantities = _codes(row, "codes"), _quantity(row)
    if event_type == "AggregationEvent":
        out.update(parentID=_one_code(row, "parent"), childEPCs=codes)
        if quantities:
            out["childQuantityList"] = quantities
    elif event_type == "TransformationEvent":
        inputs, outputs = _codes(row, "inputs"), _codes(row, "outputs")
        if not inputs and not outputs:
            raise _problem("inputs", None, *pair("and Outputs cannot both be blank"))
        out.update(inputEPCList=inputs, outputEPCList=outputs + codes)
        if quantities:
            out["outputQuantityList"] = quantities
    else:
        if not codes and not quantities:
            raise _problem("codes", None, *pair("and Product lot cannot both be blank"))
        out["epcList"] = codes
        if quantities:
            out["quantityList"] = quantities
    return out


def _one_code(row: dict[str, Any], key: str) -> str:
    codes = _codes(row, key)
    if len(codes) != 1:
        raise _problem(key, row.get(key), *pair("must be exactly one code"))
    return codes[0]


def _quantity(row: dict[str, Any]) -> list[dict[str, Any]]:
    if "lot" not in row:
        return []
    lot = _one_code(row, "lot")
    try:
        amount = float(_text(row.get("quantity")))
    except ValueError:
        amount = 0.0
    if not amount > 0:
        raise _problem("quantity", row.get("quantity"), *pair("must be a number above 0"))
    element: dict[str, Any] = {"epcClass": lot, "quantity": int(amount) if amount.is_integer() else amount}
    if _text(row.get("uom")):
        element["uom"] = _text(row.get("uom")).upper()
    return [element]


def _where(row: dict[str, Any], _: str) -> dict[str, Any]:
    checks: list[Callable[[], dict[str, Any]]] = []
    for key, name in (("biz_location", "bizLocation"), ("read_point", "readPoint")):
        if key in row:
            checks.append(partial(_located, row, key, name))
    for key, name in (("source", "sourceList"), ("destination", "destinationList")):
        if key in row:
            checks.append(partial(_party, row, key, name))
    return _each(*checks)


def _located(row: dict[str, Any], key: str, name: str) -> dict[str, Any]:
    return {name: {"id": _place(row, key)}}


def _party(row: dict[str, Any], key: str, name: str) -> dict[str, Any]:
    return {name: [{"type": "owning_party", key: _place(row, key, ai="417")}]}


def _place(row: dict[str, Any], key: str, *, ai: str = "414") -> str:
    """A location (GLN, AI 414) or party (PGLN, AI 417) as its Digital Link; a URI as it is."""
    value = _text(row[key])
    if value.startswith(("https://", "http://", "urn:")):
        return value
    if gln.is_valid(value):
        return f"https://id.gs1.org/{ai}/{gln.compact(value)}"
    raise _problem(key, value, *pair("is not a valid GLN"))


def _why(row: dict[str, Any], _: str) -> dict[str, Any]:
    return _each(
        lambda: _term(row, "biz_step", "bizStep", vocabulary.biz_step),
        lambda: _term(row, "disposition", "disposition", vocabulary.disposition),
        lambda: _documents(row),
    )


def _term(row: dict[str, Any], key: str, name: str, read: Callable[[str], str]) -> dict[str, Any]:
    value = read(_text(row.get(key)))
    if value and not (_SHORT_NAME.match(value) or value.startswith(("https://", "urn:"))):
        raise _problem(key, value, *pair("is not one of the names offered (see the dropdown)"))
    return {name: value} if value else {}


def _documents(row: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    number = _text(row.get("document_number"))
    if number:
        kind = _text(row.get("document_type")) or "cert"
        if not _SHORT_NAME.match(kind):
            raise _problem("document_type", kind, *pair("must be a lower-case name"))
        out["bizTransactionList"] = [{"type": kind, "bizTransaction": f"urn:zhuisu:bt:{kind}:{number}"}]
    event_id = _text(row.get("event_id"))
    if event_id:
        if not event_id.startswith(("urn:", "https://", "http://", "ni:")):
            raise _problem("event_id", event_id, *pair("must be a URI"))
        out["eventID"] = event_id
    return out


def import_spreadsheet(session: Session, data: bytes, *, filename: str, actor: Party) -> UploadResult:
    """Capture the rows of an events spreadsheet; see the module docstring."""
    rows, letters = read_sheet(data, filename)
    result = UploadResult(filename=filename, rows=len(rows), letters=letters)
    events: list[tuple[int, dict[str, Any]]] = []
    for number, row in rows:
        event, errors = convert_row(row)
        if event is None:
            result.rejected.append(RejectedRow(number, errors))
        else:
            events.append((number, event))
    if events:
        _capture(session, events, result, filename=filename, actor=actor)
    result.rejected.sort(key=lambda r: r.row)
    return result


def _capture(
    session: Session, events: list[tuple[int, dict[str, Any]]], result: UploadResult, *, filename: str, actor: Party
) -> None:
    document = {
        "@context": EPCIS_CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": format_iso(utc_now()),
        "epcisBody": {"eventList": [event for _, event in events]},
    }
    captured = capture_service.capture_document(
        session, document, actor=actor, behaviour="proceed", source=f"spreadsheet:{filename}"[:200]
    )
    result.capture_id = captured.job.id
    for (number, _), outcome in zip(events, captured.outcomes, strict=True):
        if outcome.status == "captured":
            result.accepted += 1
        elif outcome.status == "duplicate":
            result.duplicates += 1
        else:
            result.rejected.append(RejectedRow(number, [_from_capture(e) for e in outcome.errors]))


def _from_capture(error: EventError) -> RowError:
    """A capture error as a row error: the column from the first segment of its pointer inside the event."""
    parts = error.pointer.split("/")
    name = parts[4] if len(parts) > 4 and parts[1:3] == ["epcisBody", "eventList"] else ""
    column = FIELD_COLUMN.get(name)
    expected_zh = BY_KEY[column].expected_zh if column else error.expected
    return RowError(column, expected_zh, error.expected, error.message_zh, error.message_en)
