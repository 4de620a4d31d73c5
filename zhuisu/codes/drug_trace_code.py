"""药品追溯码 (drug traceability code, 码上放心 / former 中国药品电子监管码), 20 digits, the first one 8.

Structure (NMPA/T 1002-2019 terms; the layout as observed on labels and in Alibaba Health's API, see
standards.md §1.3): a 7-digit 药品标识码 (product identification code: marketing-authorisation holder,
product, dosage form, strength and packaging level, so each packaging level has its own prefix) followed by a
13-digit serial part (生产标识码), e.g. the label "药品标识码：8385793 序列号：0000879766660".

Validated: 20 ASCII digits, first digit 8. Not validated: secondary sources describe the 13-digit part as a
9-digit serial number plus a 4-digit verification code, but no algorithm for it is public, so it is neither
split nor checked; only the issuing platform can tell a well-formed code from a genuine one. Drug codes in GS1
form (common on imports) are GS1 element strings, not this scheme.

>>> validate('8385793 0000879766660')
'83857930000879766660'
>>> validate('93857930000879766660')
Traceback (most recent call last):
    ...
zhuisu.codes.errors.InvalidFormat: a drug trace code starts with 8, got '9'
>>> validate('8385793000087976666')
Traceback (most recent call last):
    ...
zhuisu.codes.errors.InvalidLength: length should be 20, got 19
>>> parts('83857930000879766660')
{'product_code': '8385793', 'serial': '0000879766660'}
"""

from typing import Any

from zhuisu.codes import _checks
from zhuisu.codes.errors import InvalidCode, InvalidFormat


def compact(number: str) -> str:
    """Remove spaces and hyphens."""
    return _checks.clean(number)


def validate(number: str) -> str:
    """Return the compact code, or raise an ``InvalidCode`` subclass (structure only, see above)."""
    number = compact(number)
    _checks.require_digits(number)
    _checks.require_length(number, 20)
    if number[0] != "8":
        raise InvalidFormat(
            f"a drug trace code starts with 8, got {number[0]!r}",
            f"药品追溯码应以 8 开头，实际为 {number[0]!r}",
        )
    return number


def is_valid(number: str) -> bool:
    try:
        return bool(validate(number))
    except InvalidCode:
        return False


def format(number: str) -> str:
    return validate(number)


def parts(number: str) -> dict[str, Any]:
    """The 7-digit 药品标识码 and the 13-digit serial part."""
    number = validate(number)
    return {"product_code": number[:7], "serial": number[7:]}
