from typing import Any

import pytest

from zhuisu.codes import sc_licence as sc
from zhuisu.codes.errors import InvalidCode, InvalidComponent, InvalidFormat, InvalidLength

VALID = [
    pytest.param(
        "SC11532139200465",
        "SC11532139200465",
        {
            "kind": "食品",
            "category": "115",
            "category_name": "酒类",
            "province": "32",
            "province_name": "江苏省",
            "region": "321392",
            "region_name": None,
            "sequence": "0046",
            "check_digit": "5",
        },
        id="liquor-development-zone-county",
    ),
    pytest.param(
        "sc 118 34 02 03 0503 7",
        "SC11834020305037",
        {
            "kind": "食品",
            "category": "118",
            "category_name": "炒货食品及坚果制品",
            "province": "34",
            "province_name": "安徽省",
            "region": "340203",
            "region_name": "弋江区",
            "sequence": "0503",
            "check_digit": "7",
        },
        id="nuts-lower-case-spaced",
    ),
    pytest.param(
        "SC20344010600019",
        "SC20344010600019",
        {
            "kind": "食品添加剂",
            "category": "203",
            "category_name": "复配食品添加剂",
            "province": "44",
            "province_name": "广东省",
            "region": "440106",
            "region_name": "天河区",
            "sequence": "0001",
            "check_digit": "9",
        },
        id="compound-additive",
    ),
]

INVALID = [
    pytest.param("SC13232139200465", InvalidComponent, "unknown food category '32'", id="food-32"),
    pytest.param("SC20432139200465", InvalidComponent, "unknown additive category '04'", id="additive-04"),
    pytest.param(
        "SC31532139200465",
        InvalidComponent,
        "the first digit must be 1 (food) or 2 (additive), got '3'",
        id="kind-3",
    ),
    pytest.param("SC11599139200465", InvalidComponent, "unknown province code '99'", id="province-99"),
    pytest.param("SC1153213920046", InvalidLength, "length should be 14, got 13", id="13-digits"),
    pytest.param("QS11532139200465", InvalidFormat, "a food production licence number starts with SC", id="qs"),
    pytest.param("SC1153213920046X", InvalidFormat, "the code must contain only digits 0-9", id="letter"),
]


@pytest.mark.parametrize(("number", "compact", "parts"), VALID)
def test_valid(number: str, compact: str, parts: dict[str, Any]) -> None:
    assert sc.validate(number) == compact
    assert sc.format(number) == compact
    assert sc.parts(number) == parts


@pytest.mark.parametrize(("number", "error", "message"), INVALID)
def test_invalid(number: str, error: type[InvalidCode], message: str) -> None:
    with pytest.raises(error) as info:
        sc.validate(number)
    assert str(info.value) == message
    assert sc.is_valid(number) is False


def test_category_tables() -> None:
    assert (len(sc.FOOD_CATEGORIES), sc.FOOD_CATEGORIES[1], sc.FOOD_CATEGORIES[31]) == (
        31,
        "粮食加工品",
        "其他食品",
    )
    assert sc.ADDITIVE_CATEGORIES == {1: "食品添加剂", 2: "食品用香精", 3: "复配食品添加剂"}
