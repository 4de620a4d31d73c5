"""GLN (Global Location Number, 全球位置码), per the GS1 General Specifications.

13 digits: a GS1 company prefix, a location reference and a mod-10 check digit (as for GTIN). A GLN has the
same shape as a GTIN-13; only the context (AI 414/410–417, a party or location field) tells them apart.

>>> validate('6901234000009')
'6901234000009'
>>> validate('6901234000008')
Traceback (most recent call last):
    ...
zhuisu.codes.errors.InvalidChecksum: check digit should be 9, got 8
>>> parts('0614141000005')['company_prefix']
'0614141'
>>> p = parts('6901234000009')
>>> p['gs1_prefix'], p['prefix_usage'], p['company_prefix'], p['location_reference']
('690', 'GS1 China', '6901234', '00000')
"""

from typing import Any

from biip import ParseError
from biip.gln import Gln

from zhuisu.codes import _checks
from zhuisu.codes.errors import InvalidCode
from zhuisu.codes.gtin import gs1_prefix_parts


def compact(number: str) -> str:
    """Remove spaces and hyphens."""
    return _checks.clean(number)


def calc_check_digit(payload: str) -> str:
    """The check digit for the first 12 digits."""
    return _checks.gs1_check_digit(compact(payload))


def validate(number: str) -> str:
    """Return the compact GLN, or raise an ``InvalidCode`` subclass."""
    number = compact(number)
    _checks.require_digits(number)
    _checks.require_length(number, 13)
    _checks.require_check(calc_check_digit(number[:-1]), number[-1])
    return number


def is_valid(number: str) -> bool:
    try:
        return bool(validate(number))
    except InvalidCode:
        return False


def format(number: str) -> str:
    return compact(number)


def parts(number: str) -> dict[str, Any]:
    """Decode a valid GLN: GS1 prefix and its usage, company prefix, location reference, check digit."""
    number = validate(number)
    try:
        gln: Gln | None = Gln.parse(number)
    except (ParseError, ValueError):  # pragma: no cover - validate() already checked the digits
        gln = None
    result: dict[str, Any] = gs1_prefix_parts(gln)
    company = result["company_prefix"]
    result["location_reference"] = number[len(company) : 12] if company else None
    result["check_digit"] = number[-1]
    return result
