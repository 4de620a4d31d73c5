"""兽药追溯码 (veterinary drug traceability code), per MOA 公告第 2210 号 and the 国家兽药产品追溯系统 rules.

24 digits, printed as a QR code (GB/T 18284, UTF-8), one per sales packaging unit (packaging levels are linked
when there are two or more): digits 1–8 the date the code was requested (YYYYMMDD), 9–13 the enterprise
identifier assigned by the national system, 14–24 random digits. No check digit is defined.

Validated: 24 ASCII digits and a real date from 2015 (the year the rule was issued) to 2099; anything later or
earlier is an impossible request date for this scheme.

>>> validate('2019 0815 12345 67890123456')
'201908151234567890123456'
>>> validate('201902301234567890123456')
Traceback (most recent call last):
    ...
zhuisu.codes.errors.InvalidComponent: request date 2019-02-30 is not a real date
>>> parts('201908151234567890123456')
{'request_date': '2019-08-15', 'enterprise_id': '12345', 'random': '67890123456'}
"""

from typing import Any

from zhuisu.codes import _checks
from zhuisu.codes.errors import InvalidCode, InvalidComponent

FIRST_YEAR, LAST_YEAR = 2015, 2099


def compact(number: str) -> str:
    """Remove spaces and hyphens."""
    return _checks.clean(number)


def validate(number: str) -> str:
    """Return the compact code, or raise an ``InvalidCode`` subclass."""
    number = compact(number)
    _checks.require_digits(number)
    _checks.require_length(number, 24)
    year = int(number[:4])
    _checks.parse_date(year, int(number[4:6]), int(number[6:8]), "request date")
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise InvalidComponent(
            f"request year {year} is outside {FIRST_YEAR}-{LAST_YEAR}",
            f"申请年份 {year} 不在 {FIRST_YEAR}–{LAST_YEAR} 范围内",
            component="request date",
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
    """The request date (ISO), the 5-digit enterprise identifier and the 11 random digits."""
    number = validate(number)
    date = f"{number[:4]}-{number[4:6]}-{number[6:8]}"
    return {"request_date": date, "enterprise_id": number[8:13], "random": number[13:]}
