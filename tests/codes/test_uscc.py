from typing import Any

import pytest

from zhuisu.codes import uscc
from zhuisu.codes.errors import InvalidChecksum, InvalidCode, InvalidComponent, InvalidFormat, InvalidLength


def _parts(**overrides: Any) -> dict[str, Any]:
    base = {
        "registration_department": "9",
        "registration_department_name": "工商",
        "org_type": "1",
        "org_type_name": "企业",
    }
    return {**base, **overrides}


VALID = [
    pytest.param(
        "91110000600037341L",
        "91110000600037341L",
        _parts(
            region="110000",
            region_province="北京市",
            region_name="北京市",
            organisation_code="600037341",
            organisation_code_check_ok=True,
            check_digit="L",
        ),
        id="stdnum-example",
    ),
    pytest.param(
        "9144 0300 7084 6113 6t",
        "91440300708461136T",
        _parts(
            region="440300",
            region_province="广东省",
            region_name="深圳市",
            organisation_code="708461136",
            organisation_code_check_ok=True,
            check_digit="T",
        ),
        id="spaced-lower-case",
    ),
    pytest.param(
        "N21101087177434693",
        "N21101087177434693",
        {
            "registration_department": "N",
            "registration_department_name": "农业",
            "org_type": "2",
            "org_type_name": "村级集体经济组织",
            "region": "110108",
            "region_province": "北京市",
            "region_name": "海淀区",
            "organisation_code": "717743469",
            "organisation_code_check_ok": True,
            "check_digit": "3",
        },
        id="department-letter-rejected-by-stdnum",
    ),
    pytest.param(
        "Y1100000000000001P",
        "Y1100000000000001P",
        {
            "registration_department": "Y",
            "registration_department_name": "其他",
            "org_type": "1",
            "org_type_name": "其他",
            "region": "100000",
            "region_province": None,
            "region_name": None,
            "organisation_code": "000000001",
            "organisation_code_check_ok": False,
            "check_digit": "P",
        },
        id="department-y-national-region",
    ),
]

INVALID = [
    pytest.param("91440300708461136X", InvalidChecksum, "check digit should be T, got X", id="wrong-check"),
    pytest.param("9144030070846113", InvalidLength, "length should be 18, got 16", id="too-short"),
    pytest.param("91440300708461I36T", InvalidFormat, "a USCC may not contain 'I'", id="letter-i"),
    pytest.param("9144O300708461136T", InvalidFormat, "a USCC may not contain 'O'", id="letter-o"),
    pytest.param("914403A0708461136T", InvalidFormat, "the code must contain only digits 0-9", id="region-letter"),
    pytest.param(
        "94440300708461136H",
        InvalidComponent,
        "unknown organisation type '4' for registration department '9'",
        id="unknown-type",
    ),
    pytest.param(
        "B1440300708461136" + uscc.calc_check_digit("B1440300708461136"),
        InvalidComponent,
        "unknown registration department 'B'",
        id="unknown-department",
    ),
]


@pytest.mark.parametrize(("number", "compact", "parts"), VALID)
def test_valid(number: str, compact: str, parts: dict[str, Any]) -> None:
    assert uscc.validate(number) == compact
    assert uscc.format(number) == compact
    assert uscc.parts(number) == parts


@pytest.mark.parametrize(("number", "error", "message"), INVALID)
def test_invalid(number: str, error: type[InvalidCode], message: str) -> None:
    with pytest.raises(error) as info:
        uscc.validate(number)
    assert str(info.value) == message
    assert uscc.is_valid(number) is False


def test_check_digit_agrees_with_stdnum() -> None:
    assert uscc.calc_check_digit("91330100716105852") == "F"


@pytest.mark.parametrize(("code", "check"), [("60003734", "1"), ("70846113", "6"), ("00000000", "0")])
def test_organisation_code_check(code: str, check: str) -> None:
    assert uscc.organisation_code_check(code) == check


def test_every_department_and_type_in_the_table_validates() -> None:
    for department, (_name, types) in uscc.DEPARTMENTS.items():
        for org_type in types:
            body = f"{department}{org_type}110108717743469"
            assert uscc.is_valid(body + uscc.calc_check_digit(body)), body
