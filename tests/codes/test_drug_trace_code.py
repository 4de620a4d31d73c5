import pytest

from zhuisu.codes import drug_trace_code as drug
from zhuisu.codes.errors import InvalidCode, InvalidFormat, InvalidLength

VALID = [
    pytest.param("83857930000879766660", "83857930000879766660", id="label-example"),
    pytest.param("8385793 0000879766660", "83857930000879766660", id="printed-with-space"),
    pytest.param("8385-7930-0008-7976-6660", "83857930000879766660", id="hyphenated"),
]

INVALID = [
    pytest.param("93857930000879766660", InvalidFormat, "a drug trace code starts with 8, got '9'", id="not-8"),
    pytest.param("8385793000087976666", InvalidLength, "length should be 20, got 19", id="length-19"),
    pytest.param("838579300008797666601", InvalidLength, "length should be 20, got 21", id="length-21"),
    pytest.param("8385793000087976666A", InvalidFormat, "the code must contain only digits 0-9", id="letter"),
]


@pytest.mark.parametrize(("number", "compact"), VALID)
def test_valid(number: str, compact: str) -> None:
    assert drug.validate(number) == compact
    assert drug.format(number) == compact
    assert drug.parts(number) == {"product_code": "8385793", "serial": "0000879766660"}


@pytest.mark.parametrize(("number", "error", "message"), INVALID)
def test_invalid(number: str, error: type[InvalidCode], message: str) -> None:
    with pytest.raises(error) as info:
        drug.validate(number)
    assert str(info.value) == message
    assert drug.is_valid(number) is False


def test_no_check_digit_function_because_the_algorithm_is_not_public() -> None:
    assert not hasattr(drug, "calc_check_digit")
