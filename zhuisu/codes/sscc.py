"""SSCC (Serial Shipping Container Code, 系列货运包装箱代码), per GS1 General Specifications §3.3.1 (AI 00).

18 digits: an extension digit, a GS1 company prefix, a serial reference and a mod-10 check digit (as for
GTIN).

>>> validate('106141412345678908')
'106141412345678908'
>>> validate('106141412345678909')
Traceback (most recent call last):
    ...
zhuisu.codes.errors.InvalidChecksum: check digit should be 8, got 9
>>> calc_check_digit('06901234000000001')
'6'
>>> format('069012340000000016')
'0 6901234 000000001 6'
>>> p = parts('106141412345678908')
>>> p['extension_digit'], p['company_prefix'], p['serial_reference'], p['prefix_usage']
('1', '0614141', '234567890', 'GS1 US')
"""

from typing import Any

from biip import ParseError
from biip.sscc import Sscc

from zhuisu.codes import _checks
from zhuisu.codes.errors import InvalidCode
from zhuisu.codes.gtin import gs1_prefix_parts


def compact(number: str) -> str:
    """Remove spaces and hyphens."""
    return _checks.clean(number)


def calc_check_digit(payload: str) -> str:
    """The check digit for the first 17 digits."""
    return _checks.gs1_check_digit(compact(payload))


def validate(number: str) -> str:
    """Return the compact SSCC, or raise an ``InvalidCode`` subclass."""
    number = compact(number)
    _checks.require_digits(number)
    _checks.require_length(number, 18)
    _checks.require_check(calc_check_digit(number[:-1]), number[-1])
    return number


def is_valid(number: str) -> bool:
    try:
        return bool(validate(number))
    except InvalidCode:
        return False


def _parse(number: str) -> Sscc | None:
    try:
        return Sscc.parse(number)
    except (ParseError, ValueError):  # pragma: no cover - validate() already checked the digits
        return None


def format(number: str) -> str:
    """Extension digit, company prefix, serial reference and check digit separated by spaces, when known."""
    number = validate(number)
    sscc = _parse(number)
    if sscc is None or sscc.company_prefix is None:
        return number
    return sscc.as_hri()


def parts(number: str) -> dict[str, Any]:
    """Decode a valid SSCC: extension digit, GS1 prefix, company prefix, serial reference, check digit."""
    number = validate(number)
    sscc = _parse(number)
    result: dict[str, Any] = {"extension_digit": number[0], **gs1_prefix_parts(sscc)}
    company = result["company_prefix"]
    result["serial_reference"] = number[1 + len(company) : 17] if company else None
    result["check_digit"] = number[-1]
    return result
