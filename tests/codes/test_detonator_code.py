from typing import Any

import pytest

from zhuisu.codes import detonator_code as det
from zhuisu.codes.errors import InvalidCode, InvalidComponent, InvalidFormat, InvalidLength

VALID = [
    pytest.param(
        "53 3 08 15 A 12345",
        "5330815A12345",
        {
            "enterprise_code": "53",
            "year_digit": "3",
            "month": 8,
            "day": 15,
            "feature": "A",
            "serial": "12345",
        },
        id="upper-feature-spaced",
    ),
    pytest.param(
        "0191231a00001",
        "0191231a00001",
        {
            "enterprise_code": "01",
            "year_digit": "9",
            "month": 12,
            "day": 31,
            "feature": "a",
            "serial": "00001",
        },
        id="lower-feature",
    ),
    pytest.param(
        "9900229700000",
        "9900229700000",
        {
            "enterprise_code": "99",
            "year_digit": "0",
            "month": 2,
            "day": 29,
            "feature": "7",
            "serial": "00000",
        },
        id="digit-feature-leap-day",
    ),
]

INVALID = [
    pytest.param("5331315A12345", InvalidComponent, "production date --13-15 does not exist", id="month-13"),
    pytest.param("5330431A12345", InvalidComponent, "production date --04-31 does not exist", id="april-31"),
    pytest.param("5330800A12345", InvalidComponent, "production date --08-00 does not exist", id="day-0"),
    pytest.param("0030815A12345", InvalidComponent, "enterprise code 00 does not exist", id="enterprise-00"),
    pytest.param(
        "5330815o12345",
        InvalidComponent,
        "feature character 'o' is not allowed (c o s u v w x z are excluded)",
        id="feature-o",
    ),
    pytest.param("5330815A1234", InvalidLength, "length should be 13, got 12", id="length-12"),
    pytest.param(
        "53308AB123456",
        InvalidFormat,
        "expected 7 digits, a feature character and a 5-digit serial",
        id="letters-in-date",
    ),
]


@pytest.mark.parametrize(("number", "compact", "parts"), VALID)
def test_valid(number: str, compact: str, parts: dict[str, Any]) -> None:
    assert det.validate(number) == compact
    assert det.format(number) == compact
    assert det.parts(number) == parts


@pytest.mark.parametrize(("number", "error", "message"), INVALID)
def test_invalid(number: str, error: type[InvalidCode], message: str) -> None:
    with pytest.raises(error) as info:
        det.validate(number)
    assert str(info.value) == message
    assert det.is_valid(number) is False


def test_feature_alphabet() -> None:
    assert det.FEATURE_CHARACTERS == "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabdefghijklmnpqrty"
