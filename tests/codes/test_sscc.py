from typing import Any

import pytest

from zhuisu.codes import sscc
from zhuisu.codes.errors import InvalidChecksum, InvalidCode, InvalidFormat, InvalidLength

VALID = [
    pytest.param(
        "106141412345678908",
        "106141412345678908",
        {
            "extension_digit": "1",
            "gs1_prefix": "061",
            "prefix_usage": "GS1 US",
            "company_prefix": "0614141",
            "serial_reference": "234567890",
            "check_digit": "8",
        },
        id="gs1-example",
    ),
    pytest.param(
        "0 6901234 000000001 6",
        "069012340000000016",
        {
            "extension_digit": "0",
            "gs1_prefix": "690",
            "prefix_usage": "GS1 China",
            "company_prefix": "6901234",
            "serial_reference": "000000001",
            "check_digit": "6",
        },
        id="china-hri-spacing",
    ),
]

INVALID = [
    pytest.param("106141412345678909", InvalidChecksum, "check digit should be 8, got 9", id="wrong-check-digit"),
    pytest.param("10614141234567890", InvalidLength, "length should be 18, got 17", id="length-17"),
    pytest.param("1061414123456789O8", InvalidFormat, "the code must contain only digits 0-9", id="letter-o"),
]


@pytest.mark.parametrize(("number", "compact", "parts"), VALID)
def test_valid(number: str, compact: str, parts: dict[str, Any]) -> None:
    assert sscc.validate(number) == compact
    assert sscc.is_valid(number) is True
    assert sscc.parts(number) == parts


@pytest.mark.parametrize(("number", "error", "message"), INVALID)
def test_invalid(number: str, error: type[InvalidCode], message: str) -> None:
    with pytest.raises(error) as info:
        sscc.validate(number)
    assert str(info.value) == message
    assert sscc.is_valid(number) is False


def test_format_groups_by_company_prefix() -> None:
    assert sscc.format("069012340000000016") == "0 6901234 000000001 6"


def test_calc_check_digit() -> None:
    assert sscc.calc_check_digit("10614141234567890") == "8"
