from typing import Any

import pytest

from zhuisu.codes import special_equipment_code as sec
from zhuisu.codes.errors import InvalidCode, InvalidComponent, InvalidFormat, InvalidLength

VALID = [
    pytest.param(
        "2150 23010 2015 00098",
        "215023010201500098",
        {
            "variety_code": "2150",
            "category": "2",
            "category_name": "压力容器",
            "manufacturer_code": "23010",
            "licence_region": "23",
            "licence_region_name": "黑龙江省",
            "licence_unit_number": "010",
            "manufacture_year": 2015,
            "sequence": "00098",
        },
        id="tsg-08-example",
    ),
    pytest.param(
        "23t0-10001-2020-00001",
        "23T010001202000001",
        {
            "variety_code": "23T0",
            "category": "2",
            "category_name": "压力容器",
            "manufacturer_code": "10001",
            "licence_region": "10",
            "licence_region_name": "国家级许可机关",
            "licence_unit_number": "001",
            "manufacture_year": 2020,
            "sequence": "00001",
        },
        id="variety-with-letter-national-licence",
    ),
    pytest.param(
        "311011001201800123",
        "311011001201800123",
        {
            "variety_code": "3110",
            "category": "3",
            "category_name": "电梯",
            "manufacturer_code": "11001",
            "licence_region": "11",
            "licence_region_name": "北京市",
            "licence_unit_number": "001",
            "manufacture_year": 2018,
            "sequence": "00123",
        },
        id="elevator",
    ),
    pytest.param(
        "4A0010001199 5A0001",
        "4A00100011995A0001",
        {
            "variety_code": "4A00",
            "category": "4",
            "category_name": "起重机械",
            "manufacturer_code": "10001",
            "licence_region": "10",
            "licence_region_name": "国家级许可机关",
            "licence_unit_number": "001",
            "manufacture_year": 1995,
            "sequence": "A0001",
        },
        id="sequence-above-99999",
    ),
]

INVALID = [
    pytest.param(
        "215099010201500098",
        InvalidComponent,
        "unknown licensing region '99' in the manufacturer code",
        id="region-99",
    ),
    pytest.param("015023010201500098", InvalidComponent, "unknown equipment category '0'", id="category-0"),
    pytest.param(
        "215023010189900098",
        InvalidComponent,
        "year of manufacture 1899 is outside 1900-2099",
        id="year-1899",
    ),
    pytest.param("21502301020150009", InvalidLength, "length should be 18, got 17", id="length-17"),
    pytest.param(
        "2150230A0201500098",
        InvalidFormat,
        "expected 4 variety characters, 5+4 digits, then a 5-character sequence",
        id="letter-in-manufacturer",
    ),
    pytest.param("2150_3010201500098", InvalidFormat, "a special equipment code may not contain '_'", id="underscore"),
]


@pytest.mark.parametrize(("number", "compact", "parts"), VALID)
def test_valid(number: str, compact: str, parts: dict[str, Any]) -> None:
    assert sec.validate(number) == compact
    assert sec.format(number) == compact
    assert sec.parts(number) == parts


@pytest.mark.parametrize(("number", "error", "message"), INVALID)
def test_invalid(number: str, error: type[InvalidCode], message: str) -> None:
    with pytest.raises(error) as info:
        sec.validate(number)
    assert str(info.value) == message
    assert sec.is_valid(number) is False
