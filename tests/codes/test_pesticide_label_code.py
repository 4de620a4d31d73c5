from typing import Any

import pytest

from zhuisu.codes import pesticide_label_code as pesticide
from zhuisu.codes.errors import InvalidCode, InvalidComponent, InvalidFormat, InvalidLength

VALID = [
    pytest.param(
        "10812341001000000000000000012345",
        {
            "registration_category": "1",
            "registration_category_name": "PD",
            "registration_no_suffix": "081234",
            "production_type": "1",
            "production_type_name": "登记证持有人生产",
            "spec_code": "001",
            "random": "000000000000000012345",
        },
        id="pd-holder",
    ),
    pytest.param(
        "2 081234 2 015 987654321098765432109",
        {
            "registration_category": "2",
            "registration_category_name": "WP",
            "registration_no_suffix": "081234",
            "production_type": "2",
            "production_type_name": "委托加工",
            "spec_code": "015",
            "random": "987654321098765432109",
        },
        id="wp-contract-spaced",
    ),
    pytest.param(
        "30000013002000000000000000000001",
        {
            "registration_category": "3",
            "registration_category_name": "临时登记",
            "registration_no_suffix": "000001",
            "production_type": "3",
            "production_type_name": "委托分装",
            "spec_code": "002",
            "random": "000000000000000000001",
        },
        id="temporary-packing",
    ),
]

INVALID = [
    pytest.param(
        "40812341001000000000000000012345",
        InvalidComponent,
        "unknown registration category '4' (1 = PD, 2 = WP, 3 = temporary)",
        id="category-4",
    ),
    pytest.param(
        "10812344001000000000000000012345",
        InvalidComponent,
        "unknown production type '4' (1 holder, 2 contract production, 3 contract packing)",
        id="production-type-4",
    ),
    pytest.param("1081234100100000000000000001234", InvalidLength, "length should be 32, got 31", id="length-31"),
    pytest.param("PD812341001000000000000000012345", InvalidFormat, "the code must contain only digits 0-9", id="pd"),
]


@pytest.mark.parametrize(("number", "parts"), VALID)
def test_valid(number: str, parts: dict[str, Any]) -> None:
    compact = number.replace(" ", "")
    assert pesticide.validate(number) == compact
    assert pesticide.format(number) == compact
    assert pesticide.parts(number) == parts


@pytest.mark.parametrize(("number", "error", "message"), INVALID)
def test_invalid(number: str, error: type[InvalidCode], message: str) -> None:
    with pytest.raises(error) as info:
        pesticide.validate(number)
    assert str(info.value) == message
    assert pesticide.is_valid(number) is False
