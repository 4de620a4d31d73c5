from typing import Any

import pytest

from zhuisu.codes import gtin
from zhuisu.codes.errors import InvalidChecksum, InvalidCode, InvalidFormat, InvalidLength

VALID = [
    pytest.param(
        "6921168509256",
        "6921168509256",
        {
            "gtin14": "06921168509256",
            "format": "GTIN-13",
            "gs1_prefix": "692",
            "prefix_usage": "GS1 China",
            "company_prefix": "69211685",
            "item_reference": "0925",
            "packaging_level": None,
            "check_digit": "6",
        },
        id="gtin13-china",
    ),
    pytest.param(
        " 6 921168 509256-",
        "6921168509256",
        None,
        id="gtin13-hri-spacing",
    ),
    pytest.param(
        "96385074",
        "96385074",
        {
            "gtin14": "00000096385074",
            "format": "GTIN-8",
            "gs1_prefix": "963",
            "prefix_usage": "Global Office - GTIN-8",
            "company_prefix": None,
            "item_reference": "8507",
            "packaging_level": None,
            "check_digit": "4",
        },
        id="gtin8",
    ),
    pytest.param(
        "614141000036",
        "614141000036",
        {
            "gtin14": "00614141000036",
            "format": "GTIN-12",
            "gs1_prefix": "061",
            "prefix_usage": "GS1 US",
            "company_prefix": "0614141",
            "item_reference": "00003",
            "packaging_level": None,
            "check_digit": "6",
        },
        id="gtin12-upc",
    ),
    pytest.param(
        "10614141000033",
        "10614141000033",
        {
            "gtin14": "10614141000033",
            "format": "GTIN-14",
            "gs1_prefix": "061",
            "prefix_usage": "GS1 US",
            "company_prefix": "0614141",
            "item_reference": "00003",
            "packaging_level": 1,
            "check_digit": "3",
        },
        id="gtin14-case",
    ),
    pytest.param("06921168509256", "06921168509256", None, id="gtin13-padded-to-14"),
]

INVALID = [
    pytest.param("6921168509257", InvalidChecksum, "check digit should be 6, got 7", id="wrong-check-digit"),
    pytest.param("69211685092", InvalidLength, "length should be one of 8, 12, 13, 14, got 11", id="length-11"),
    pytest.param("692116850925612", InvalidLength, "length should be one of 8, 12, 13, 14, got 15", id="length-15"),
    pytest.param("692116850925A", InvalidFormat, "the code must contain only digits 0-9", id="letter"),
    pytest.param("６９２１１６８５０９２５６", InvalidFormat, "the code must contain only digits 0-9", id="fullwidth"),
    pytest.param("", InvalidLength, "length should be one of 8, 12, 13, 14, got 0", id="empty"),
]


class TestValidate:
    @pytest.mark.parametrize(("number", "expected", "_parts"), VALID)
    def test_valid(self, number: str, expected: str, _parts: Any) -> None:
        assert gtin.validate(number) == expected
        assert gtin.is_valid(number) is True
        assert gtin.format(number) == expected

    @pytest.mark.parametrize(("number", "error", "message"), INVALID)
    def test_invalid(self, number: str, error: type[InvalidCode], message: str) -> None:
        with pytest.raises(error) as info:
            gtin.validate(number)
        assert str(info.value) == message
        assert gtin.is_valid(number) is False


class TestParts:
    @pytest.mark.parametrize(("number", "_compact", "expected"), [p for p in VALID if p.values[2] is not None])
    def test_parts(self, number: str, _compact: str, expected: dict[str, Any]) -> None:
        assert gtin.parts(number) == expected

    def test_parts_of_invalid_raises(self) -> None:
        with pytest.raises(InvalidChecksum):
            gtin.parts("6921168509257")


class TestCheckDigit:
    @pytest.mark.parametrize(
        ("payload", "digit"),
        [("692116850925", "6"), ("690123456789", "2"), ("9638507", "4"), ("1061414100003", "3")],
    )
    def test_calc_check_digit(self, payload: str, digit: str) -> None:
        assert gtin.calc_check_digit(payload) == digit

    def test_checksum_error_carries_expected_digit(self) -> None:
        with pytest.raises(InvalidChecksum) as info:
            gtin.validate("6921168509250")
        assert (info.value.expected, info.value.got) == ("6", "0")
        assert info.value.message_zh == "校验位应为 6，实际为 0"

    def test_to_gtin14(self) -> None:
        assert gtin.to_gtin14("96385074") == "00000096385074"
