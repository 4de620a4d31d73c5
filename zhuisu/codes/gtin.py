"""GTIN-8/12/13/14 (商品条码, Global Trade Item Number), per GB 12904 and GS1 General Specifications §3.3.2.

A GTIN is digits only: a GS1 prefix (China: 690–699), a company number, an item reference and a mod-10 check
digit (weights 3,1 from the right). GTIN-14 adds a leading packaging indicator. ``parts`` uses ``biip`` for
the GS1 prefix and company prefix tables.

>>> validate('6921168509256')
'6921168509256'
>>> validate('6921168509257')
Traceback (most recent call last):
    ...
zhuisu.codes.errors.InvalidChecksum: check digit should be 6, got 7
>>> validate('69211685092')
Traceback (most recent call last):
    ...
zhuisu.codes.errors.InvalidLength: length should be one of 8, 12, 13, 14, got 11
>>> calc_check_digit('690123456789')
'2'
>>> to_gtin14('6901234567892')
'06901234567892'
>>> p = parts('6921168509256')
>>> p['format'], p['gs1_prefix'], p['prefix_usage'], p['company_prefix'], p['check_digit']
('GTIN-13', '692', 'GS1 China', '69211685', '6')
>>> format(' 6 921168 509256 ')
'6921168509256'
"""

from typing import Any

from biip import ParseError
from biip.gtin import Gtin

from zhuisu.codes import _checks
from zhuisu.codes.errors import InvalidCode

LENGTHS = (8, 12, 13, 14)


def compact(number: str) -> str:
    """Remove spaces and hyphens."""
    return _checks.clean(number)


def calc_check_digit(payload: str) -> str:
    """The check digit for the GTIN without its check digit."""
    return _checks.gs1_check_digit(compact(payload))


def validate(number: str) -> str:
    """Return the compact GTIN, or raise an ``InvalidCode`` subclass."""
    number = compact(number)
    _checks.require_digits(number)
    _checks.require_length(number, *LENGTHS)
    _checks.require_check(calc_check_digit(number[:-1]), number[-1])
    return number


def is_valid(number: str) -> bool:
    try:
        return bool(validate(number))
    except InvalidCode:
        return False


def format(number: str) -> str:
    """The GTIN as printed under the barcode (all digits, no separators)."""
    return compact(number)


def to_gtin14(number: str) -> str:
    """The GTIN left-padded with zeros to 14 digits, the form used in AI (01) and Digital Link."""
    return validate(number).zfill(14)


def parts(number: str) -> dict[str, Any]:
    """Decode a valid GTIN: format, GTIN-14 form, GS1 prefix and its usage, company prefix, item reference."""
    number = validate(number)
    result: dict[str, Any] = {
        "gtin14": number.zfill(14),
        "format": f"GTIN-{len(number)}",
        "gs1_prefix": None,
        "prefix_usage": None,
        "company_prefix": None,
        "item_reference": None,
        "packaging_level": None,
        "check_digit": number[-1],
    }
    try:
        gtin = Gtin.parse(number)
    except (
        ParseError,
        ValueError,
        AssertionError,
    ):  # pragma: no cover - validate() already checked the digits
        return result
    result.update(gs1_prefix_parts(gtin))
    result["format"] = f"GTIN-{int(gtin.format)}"
    result["item_reference"] = gtin.item_reference
    result["packaging_level"] = gtin.packaging_level
    return result


def gs1_prefix_parts(obj: Any) -> dict[str, Any]:
    """The GS1 prefix, its usage and the company prefix of a parsed ``biip`` GTIN/SSCC/GLN."""
    prefix = getattr(obj, "prefix", None)
    company = getattr(obj, "company_prefix", None)
    return {
        "gs1_prefix": prefix.value if prefix else None,
        "prefix_usage": prefix.usage if prefix else None,
        "company_prefix": company.value if company else None,
    }
