"""Data-logger exports (温度记录仪导出文件) as CSV: one reading per row — its time, the temperature, optionally the
relative humidity and the device. Pure: bytes in, readings out, or an ``InvalidInput`` naming the row and column.

What is accepted, as the usual loggers write it:

- the text in UTF-8 (with or without a byte-order mark) or GBK/GB 18030 (what Chinese-language Excel saves);
- fields separated by ``,``, ``;`` or a tab (the header row decides), quoted or not;
- lines before the header (a logger's preamble: its model, the trip's name) are skipped: the header is the first row,
  among the first 30, naming a time column and a temperature column;
- headers in Chinese or English, case and spaces ignored, a unit in brackets allowed (``温度(℃)``,
  ``Temperature [°F]``): see ``HEADERS``; a time may also come as a date column and a time column (``日期`` +
  ``时间``); other columns are ignored;
- times as ``2026-12-01 08:00:00``, ``2026/12/01 08:00``, ``2026.12.01 08:00``, ``2026年12月1日 08:00:00`` or RFC 3339
  (``2026-12-01T08:00:00+08:00``, ``…Z``); a time without a zone is Beijing time (UTC+8);
- temperatures in °C, or in °F when the header says so (``°F``, ``℉``, ``华氏``), with a decimal point or comma;
  humidity in %RH (0 to 100).

A row with every field empty is skipped; any other row that cannot be read makes the whole file refused (the error
names the line and the column), so a file is recorded whole or not at all.
"""

import csv
import io
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from zhuisu.errors import InvalidInput, TooLarge
from zhuisu.kit.i18n import cpair
from zhuisu.kit.time import BEIJING

Column = Literal["time", "date", "clock", "temperature", "humidity", "device"]
#: Header names (lower case, spaces, underscores and a bracketed unit removed) → column.
HEADERS: dict[str, Column] = {
    **dict.fromkeys(
        (
            "timestamp",
            "datetime",
            "date/time",
            "dateandtime",
            "recordedat",
            "recordtime",
            "readingtime",
            "时间",
            "记录时间",
            "采集时间",
            "采样时间",
            "日期时间",
            "时间戳",
            "测量时间",
        ),
        "time",
    ),
    **dict.fromkeys(("date", "日期"), "date"),
    **dict.fromkeys(("time", "时刻", "钟点"), "clock"),
    **dict.fromkeys(
        ("temperature", "temp", "temperature1", "temp1", "温度", "温度值", "温度1", "测量温度"), "temperature"
    ),
    **dict.fromkeys(("humidity", "relativehumidity", "rh", "hum", "湿度", "相对湿度", "湿度值"), "humidity"),
    **dict.fromkeys(
        (
            "device",
            "deviceid",
            "logger",
            "loggerid",
            "serial",
            "serialnumber",
            "sn",
            "设备",
            "设备号",
            "设备编号",
            "设备id",
            "记录仪",
            "记录仪编号",
            "记录仪id",
            "序列号",
        ),
        "device",
    ),
}
#: Names of the columns in the errors (zh, en).
COLUMN_NAMES: dict[Column, tuple[str, str]] = {
    "time": cpair("logger column", "time"),
    "date": cpair("logger column", "date"),
    "clock": cpair("logger column", "time"),
    "temperature": cpair("logger column", "temperature"),
    "humidity": cpair("logger column", "humidity"),
    "device": cpair("logger column", "device"),
}
MAX_ROWS = 200_000
_HEADER_SEARCH = 30
_UNIT = re.compile(r"[\(\[（【].*?[\)\]）】]")
_FAHRENHEIT = re.compile(r"°f|℉|华氏|fahrenheit|\(f\)|\[f\]", re.IGNORECASE)
_CHINESE_DATE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日\s*(.*)$")
_FORMATS = (
    "%Y-%m-%d %H:%M:%S",
    "%Y-%m-%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y.%m.%d %H:%M:%S",
    "%Y.%m.%d %H:%M",
    "%Y-%m-%d %H:%M:%S.%f",
    "%Y/%m/%d %H:%M:%S.%f",
)


@dataclass(frozen=True)
class Row:
    """One reading of the file: its line, time (aware), temperature as logged, humidity (%RH) and device."""

    line: int
    time: datetime
    temperature: float
    humidity: float | None
    device: str


@dataclass(frozen=True)
class LogFile:
    """A parsed file: its encoding, separator, the temperatures' unit (``CEL`` or ``FAH``) and its readings in the
    order of the file."""

    encoding: str
    separator: str
    uom: str
    rows: tuple[Row, ...]


def _invalid(line: int, column: Column | None, zh: str, en: str) -> InvalidInput:
    name_zh, name_en = COLUMN_NAMES[column] if column else ("", "")
    where_zh = f"第 {line} 行" + (f"“{name_zh}”列" if column else "")
    where_en = f"line {line}" + (f", column {name_en}" if column else "")
    return InvalidInput(
        f"{where_zh}：{zh}",
        message_en=f"{where_en}: {en}",
        field="file",
        row=line,
        column=name_en or None,
    )


def decode(data: bytes) -> tuple[str, str]:
    """The text of ``data`` and its encoding (``utf-8`` or ``gbk``). Raises InvalidInput for neither.

    >>> decode("时间".encode("gbk")), decode("\\ufeff时间".encode("utf-8"))
    (('时间', 'gbk'), ('时间', 'utf-8'))
    """
    try:
        return data.decode("utf-8-sig"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gbk"
    except UnicodeDecodeError:
        raise InvalidInput(
            "文件既不是 UTF-8 也不是 GBK 编码的文本",
            message_en="the file is neither UTF-8 nor GBK text",
            field="file",
        ) from None


def header_key(text: str) -> str:
    """A header as ``HEADERS`` keys it.

    >>> header_key(" 温度(℃) "), header_key("Device ID"), header_key("Date_Time")
    ('温度', 'deviceid', 'datetime')
    """
    return re.sub(r"[\s_\-]", "", _UNIT.sub("", text)).lower()


def parse_time(text: str) -> datetime | None:
    """A reading's time, aware (Beijing when no zone is given), or None when it is not one.

    >>> parse_time("2026-12-01 08:00:00").isoformat(), parse_time("2026/12/1 8:05").isoformat()
    ('2026-12-01T08:00:00+08:00', '2026-12-01T08:05:00+08:00')
    >>> parse_time("2026-12-01T00:00:00Z").isoformat(), parse_time("2026年12月1日 08:00").isoformat()
    ('2026-12-01T00:00:00+00:00', '2026-12-01T08:00:00+08:00')
    >>> parse_time("yesterday") is None
    True
    """
    value = text.strip()
    chinese = _CHINESE_DATE.match(value)
    if chinese:
        year, month, day, rest = chinese.groups()
        value = f"{year}-{int(month):02d}-{int(day):02d} {rest.strip() or '00:00'}"
    try:
        found = datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        found = None
        for fmt in _FORMATS:
            try:
                found = datetime.strptime(value, fmt)
                break
            except ValueError:
                continue
    if found is None:
        return None
    return found if found.tzinfo is not None else found.replace(tzinfo=BEIJING)


def _number(text: str) -> float | None:
    value = text.strip().replace(",", ".").replace("℃", "").replace("°C", "").replace("%", "").strip()
    try:
        number = float(value)
    except ValueError:
        return None
    return number if number == number and abs(number) != float("inf") else None


def _separator(line: str) -> str:
    counts = {sep: line.count(sep) for sep in (",", ";", "\t")}
    return max(counts, key=lambda sep: counts[sep]) if any(counts.values()) else ","


def _header(lines: list[str]) -> tuple[int, str, dict[Column, int], str]:
    """(index of the header line, separator, column → position, temperature unit)."""
    for index, line in enumerate(lines[:_HEADER_SEARCH]):
        sep = _separator(line)
        cells = next(csv.reader([line], delimiter=sep), [])
        columns: dict[Column, int] = {}
        uom = "CEL"
        for position, cell in enumerate(cells):
            column = HEADERS.get(header_key(cell))
            if column is not None and column not in columns:
                columns[column] = position
                if column == "temperature" and _FAHRENHEIT.search(cell):
                    uom = "FAH"
        if "clock" in columns and "date" not in columns and "time" not in columns:
            columns["time"] = columns.pop("clock")
        if "temperature" in columns and ("time" in columns or "date" in columns):
            return index, sep, columns, uom
    raise InvalidInput(
        "找不到表头：需要时间列（时间/记录时间/timestamp…）和温度列（温度/temperature…）",
        message_en="no header row: a time column (时间, timestamp, …) and a temperature column (温度, temperature, …) "
        "are needed",
        field="file",
    )


def parse(data: bytes, *, default_device: str = "") -> LogFile:
    """The readings of a logger's CSV export. Raises InvalidInput naming the line and column of the first row that
    cannot be read (a file without a usable header or without readings, likewise), TooLarge past ``MAX_ROWS``."""
    text, encoding = decode(data)
    lines = text.splitlines()
    start, sep, columns, uom = _header(lines)
    rows: list[Row] = []
    reader = csv.reader(lines[start + 1 :], delimiter=sep)
    for offset, cells in enumerate(reader):
        line = start + 2 + offset
        if not any(c.strip() for c in cells):
            continue
        if len(rows) >= MAX_ROWS:
            raise TooLarge(
                f"一个文件最多 {MAX_ROWS} 条读数", message_en=f"at most {MAX_ROWS} readings per file", field="file"
            )
        rows.append(_row(line, cells, columns, uom, default_device))
    if not rows:
        raise InvalidInput("文件中没有读数", message_en="the file holds no readings", field="file")
    return LogFile(encoding, sep, uom, tuple(rows))


def _cell(cells: list[str], columns: dict[Column, int], column: Column) -> str:
    position = columns.get(column)
    return cells[position].strip() if position is not None and position < len(cells) else ""


def _row(line: int, cells: list[str], columns: dict[Column, int], uom: str, default_device: str) -> Row:
    if "time" in columns:
        stamp_column: Column = "time"
        stamp = _cell(cells, columns, "time")
        if "date" in columns and "clock" in columns:
            stamp = f"{_cell(cells, columns, 'date')} {_cell(cells, columns, 'clock')}"
    else:
        stamp_column = "date"
        stamp = f"{_cell(cells, columns, 'date')} {_cell(cells, columns, 'clock')}".strip()
    when = parse_time(stamp)
    if when is None and stamp_column == "time" and "date" in columns:  # 日期 + 时间 (a clock time)
        when = parse_time(f"{_cell(cells, columns, 'date')} {stamp}")
    if when is None:
        raise _invalid(
            line,
            stamp_column,
            f"“{stamp}”不是时间（应如 2026-12-01 08:00:00，或带时区的 RFC 3339 时间）",
            f"{stamp!r} is not a time (expected e.g. 2026-12-01 08:00:00, or RFC 3339 with a zone)",
        )
    raw = _cell(cells, columns, "temperature")
    temperature = _number(raw)
    celsius = temperature if temperature is None or uom == "CEL" else (temperature - 32) * 5 / 9
    if temperature is None or celsius is None or not -100 <= celsius <= 100:
        raise _invalid(
            line,
            "temperature",
            f"“{raw}”不是有效温度（应为 -100 到 100 °C 之间的数）",
            f"{raw!r} is not a temperature (expected a number between -100 and 100 °C)",
        )
    humidity: float | None = None
    raw_humidity = _cell(cells, columns, "humidity")
    if raw_humidity:
        humidity = _number(raw_humidity)
        if humidity is None or not 0 <= humidity <= 100:
            raise _invalid(
                line,
                "humidity",
                f"“{raw_humidity}”不是有效的相对湿度（应为 0 到 100 之间的数）",
                f"{raw_humidity!r} is not a relative humidity (expected a number from 0 to 100)",
            )
    device = _cell(cells, columns, "device") or default_device.strip()
    if not device:
        raise _invalid(
            line,
            "device",
            zh="缺少设备编号（在文件中或导入时填写）",
            en="no device id (in the file, or given with the import)",
        )
    return Row(line, when, temperature, humidity, device)


def sample(rows: list[tuple[str, str, str]]) -> bytes:
    """A small CSV in a logger's shape (tests, docs): (time, temperature, device) rows under a Chinese header."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["时间", "温度(℃)", "设备编号"])
    writer.writerows(rows)
    return out.getvalue().encode()
