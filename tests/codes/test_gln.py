from typing import Any

import pytest

from zhuisu.codes import gln
from zhuisu.codes.errors import InvalidChecksum, InvalidCode, InvalidFormat, InvalidLength

VALID = [
    pytest.param(
        "6901234000009",
        {
            "gs1_prefix": "690",
            "prefix_usage": "GS1 China",
            "company_prefix": "6901234",
            "location_reference": "00000",
            "check_digit": "9",
        },
        id="china",
    ),
    pytest.param(
        "0614141000005",
        {
            "gs1_prefix": "061",
            "prefix_usage": "GS1 US",
            "company_prefix": "0614141",
            "location_reference": "00000",
            "check_digit": "5",
        },
        id="gs1-us",
    ),
]

INVALID = [
    pytest.param("6901234000008", InvalidChecksum, "check digit should be 9, got 8", id="wrong-check-digit"),
    pytest.param("690123400000", InvalidLength, "length should be 13, got 12", id="length-12"),
    pytest.param("690123400000X", InvalidFormat, "the code must contain only digits 0-9", id="letter"),
]


@pytest.mark.parametrize(("number", "parts"), VALID)
def test_valid(number: str, parts: dict[str, Any]) -> None:
    assert gln.validate(number) == number
    assert gln.format(f" {number[:7]}-{number[7:]} ") == number
    assert gln.parts(number) == parts


@pytest.mark.parametrize(("number", "error", "message"), INVALID)
def test_invalid(number: str, error: type[InvalidCode], message: str) -> None:
    with pytest.raises(error) as info:
        gln.validate(number)
    assert str(info.value) == message
    assert gln.is_valid(number) is False


def test_calc_check_digit() -> None:
    assert gln.calc_check_digit("690123400000") == "9"
