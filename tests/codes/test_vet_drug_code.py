import pytest

from zhuisu.codes import vet_drug_code as vet
from zhuisu.codes.errors import InvalidCode, InvalidComponent, InvalidFormat, InvalidLength

VALID = [
    pytest.param(
        "201908151234567890123456",
        {"request_date": "2019-08-15", "enterprise_id": "12345", "random": "67890123456"},
        id="plain",
    ),
    pytest.param(
        "2020 0229 00042 00000000001",
        {"request_date": "2020-02-29", "enterprise_id": "00042", "random": "00000000001"},
        id="leap-day-spaced",
    ),
]

INVALID = [
    pytest.param(
        "201902301234567890123456",
        InvalidComponent,
        "request date 2019-02-30 is not a real date",
        id="feb-30",
    ),
    pytest.param(
        "201913011234567890123456",
        InvalidComponent,
        "request date 2019-13-01 is not a real date",
        id="month-13",
    ),
    pytest.param(
        "201408151234567890123456",
        InvalidComponent,
        "request year 2014 is outside 2015-2099",
        id="before-rule",
    ),
    pytest.param("20190815123456789012345", InvalidLength, "length should be 24, got 23", id="length-23"),
    pytest.param("2019081512345678901234X6", InvalidFormat, "the code must contain only digits 0-9", id="letter"),
]


@pytest.mark.parametrize(("number", "parts"), VALID)
def test_valid(number: str, parts: dict[str, str]) -> None:
    compact = number.replace(" ", "")
    assert vet.validate(number) == compact
    assert vet.format(number) == compact
    assert vet.parts(number) == parts


@pytest.mark.parametrize(("number", "error", "message"), INVALID)
def test_invalid(number: str, error: type[InvalidCode], message: str) -> None:
    with pytest.raises(error) as info:
        vet.validate(number)
    assert str(info.value) == message
    assert vet.is_valid(number) is False
