"""Reading loggers' CSV exports (``sectors.coldchain.logfile``): headers in Chinese and English, separators,
encodings, times with and without a zone, and bad rows named by line and column."""

from datetime import UTC, datetime, timedelta, timezone

import pytest

from zhuisu.errors import InvalidInput
from zhuisu.sectors.coldchain import logfile

BEIJING = timezone(timedelta(hours=8))


def test_a_chinese_header_in_gbk_with_humidity() -> None:
    data = "时间,温度(℃),湿度(%RH),设备编号\n2026-12-01 08:00:00,3.5,61.2,TL-1\n2026-12-01 08:10:00,4.5,,TL-1\n"
    log = logfile.parse(data.encode("gbk"))
    assert (log.encoding, log.separator, log.uom) == ("gbk", ",", "CEL")
    assert log.rows == (
        logfile.Row(2, datetime(2026, 12, 1, 8, tzinfo=BEIJING), 3.5, 61.2, "TL-1"),
        logfile.Row(3, datetime(2026, 12, 1, 8, 10, tzinfo=BEIJING), 4.5, None, "TL-1"),
    )


def test_an_english_export_with_a_preamble_semicolons_and_a_zone() -> None:
    data = (
        "\ufeffLogger model;XL-200\nTrip;Jinan-Qingdao\n\n"
        "No.;Date/Time;Temperature [°F];Serial Number\n"
        "1;2026-12-01T00:00:00Z;39,2;SN 7\n"
        "2;2026-12-01T00:05:00+08:00;41;SN 7\n"
    )
    log = logfile.parse(data.encode())
    assert (log.encoding, log.separator, log.uom) == ("utf-8", ";", "FAH")
    assert [(r.line, r.time, r.temperature, r.device) for r in log.rows] == [
        (5, datetime(2026, 12, 1, tzinfo=UTC), 39.2, "SN 7"),
        (6, datetime(2026, 12, 1, 0, 5, tzinfo=BEIJING), 41.0, "SN 7"),
    ]


def test_a_date_and_a_time_column_and_the_device_given_with_the_import() -> None:
    data = "日期\t时间\t温度\n2026/12/1\t8:05\t-18.5\n\t\t\n2026年12月2日\t09:00:00\t-17\n"
    log = logfile.parse(data.encode(), default_device="冷库探头 3")
    assert [(r.line, r.time, r.temperature, r.device) for r in log.rows] == [
        (2, datetime(2026, 12, 1, 8, 5, tzinfo=BEIJING), -18.5, "冷库探头 3"),
        (4, datetime(2026, 12, 2, 9, tzinfo=BEIJING), -17.0, "冷库探头 3"),
    ]


@pytest.mark.parametrize(
    ("_case", "data", "row", "column", "message_en"),
    [
        (
            "a time that is not one",
            "时间,温度,设备\n2026-12-01 08:00,3,T\n昨天,3,T\n",
            3,
            "time",
            "line 3, column time: '昨天' is not a time (expected e.g. 2026-12-01 08:00:00, or RFC 3339 with a zone)",
        ),
        (
            "a temperature that is not a number",
            "timestamp,temperature,device\n2026-12-01 08:00,abc,T\n",
            2,
            "temperature",
            "line 2, column temperature: 'abc' is not a temperature (expected a number between -100 and 100 °C)",
        ),
        (
            "an implausible temperature",
            "timestamp,temperature,device\n2026-12-01 08:00,250,T\n",
            2,
            "temperature",
            "line 2, column temperature: '250' is not a temperature (expected a number between -100 and 100 °C)",
        ),
        (
            "a humidity above 100",
            "时间,温度,湿度,设备\n2026-12-01 08:00,3,120,T\n",
            2,
            "humidity",
            "line 2, column humidity: '120' is not a relative humidity (expected a number from 0 to 100)",
        ),
        (
            "no device",
            "时间,温度\n2026-12-01 08:00,3\n",
            2,
            "device",
            "line 2, column device: no device id (in the file, or given with the import)",
        ),
    ],
)
def test_a_bad_row_is_named_by_line_and_column(_case: str, data: str, row: int, column: str, message_en: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        logfile.parse(data.encode())
    assert (raised.value.extra["row"], raised.value.extra["column"], raised.value.message_en) == (
        row,
        column,
        message_en,
    )


def test_the_chinese_message_names_the_line_and_column() -> None:
    with pytest.raises(InvalidInput) as raised:
        logfile.parse("时间,温度,设备\n2026-12-01 08:00,热,T\n".encode())
    assert raised.value.message == "第 2 行“温度”列：“热”不是有效温度（应为 -100 到 100 °C 之间的数）"


@pytest.mark.parametrize(
    ("_case", "data", "message_en"),
    [
        (
            "no header",
            b"a,b\n1,2\n",
            "no header row: a time column (\u65f6\u95f4, timestamp, \u2026) and a temperature",
        ),
        ("no readings", "时间,温度,设备\n,,\n".encode(), "the file holds no readings"),
        ("not text", b"\xff\xfe\x00\x81\x00", "the file is neither UTF-8 nor GBK text"),
    ],
)
def test_a_file_without_readings(_case: str, data: bytes, message_en: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        logfile.parse(data)
    assert raised.value.message_en.startswith(message_en)
