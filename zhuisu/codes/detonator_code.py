"""工业雷管编码 (industrial detonator shell code), per the 工业雷管编码基本规则 (GA 441 family).

13 characters marked on each detonator shell, unique for ten years:

======  ============================================================================================
1–2     生产企业代号, 01–99 (assigned by the authority)
3       last digit of the production year
4–5     production month 01–12
6–7     production day 01–31
8       特征号 (feature: variety, shift, machine…): a digit, A–Z, or a–z except c, o, s, u, v, w, x, z
9–13    流水号, 5-digit serial
======  ============================================================================================

The box and case carry 1-D barcodes that link to the shell codes; those are not this scheme. No check
character. Validated: structure, enterprise 01–99, a month/day that exists (29 February allowed: the year is
one digit). Case matters (the feature character distinguishes ``A`` from ``a``). Electronic detonators' UIDs
(GA 1531-2018) are not handled.

>>> validate('53 3 08 15 A 12345')
'5330815A12345'
>>> validate('5331315A12345')
Traceback (most recent call last):
    ...
zhuisu.codes.errors.InvalidComponent: production date --13-15 does not exist
>>> validate('5330815c12345')
Traceback (most recent call last):
    ...
zhuisu.codes.errors.InvalidComponent: feature character 'c' is not allowed (c o s u v w x z are excluded)
>>> parts('5330815A12345')
{'enterprise_code': '53', 'year_digit': '3', 'month': 8, 'day': 15, 'feature': 'A', 'serial': '12345'}
"""

import re
import string
from typing import Any

from zhuisu.codes import _checks
from zhuisu.codes.errors import InvalidCode, InvalidComponent, InvalidFormat

FEATURE_CHARACTERS = (
    string.digits + string.ascii_uppercase + "".join(sorted(set(string.ascii_lowercase) - set("cosuvwxz")))
)
_SHAPE = re.compile(r"[0-9]{7}[0-9A-Za-z][0-9]{5}")
_DAYS = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def compact(number: str) -> str:
    """Remove spaces and hyphens (case is kept)."""
    return _checks.clean(number)


def validate(number: str) -> str:
    """Return the compact code, or raise an ``InvalidCode`` subclass."""
    number = compact(number)
    _checks.require_length(number, 13)
    if not _SHAPE.fullmatch(number):
        raise InvalidFormat(
            "expected 7 digits, a feature character and a 5-digit serial",
            "应为 7 位数字、1 位特征号和 5 位流水号",
        )
    if number[:2] == "00":
        raise InvalidComponent("enterprise code 00 does not exist", "生产企业代号不能为 00", component="enterprise")
    month, day = int(number[3:5]), int(number[5:7])
    if not (1 <= month <= 12 and 1 <= day <= _DAYS[month - 1]):
        raise InvalidComponent(
            f"production date --{month:02d}-{day:02d} does not exist",
            f"生产日期 {month:02d} 月 {day:02d} 日不存在",
            component="production_date",
        )
    if number[7] not in FEATURE_CHARACTERS:
        raise InvalidComponent(
            f"feature character {number[7]!r} is not allowed (c o s u v w x z are excluded)",
            f"特征号 {number[7]!r} 不允许使用（小写字母 c、o、s、u、v、w、x、z 除外）",
            component="feature",
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
    """Enterprise code, year digit, month, day, feature character, serial."""
    number = validate(number)
    return {
        "enterprise_code": number[:2],
        "year_digit": number[2],
        "month": int(number[3:5]),
        "day": int(number[5:7]),
        "feature": number[7],
        "serial": number[8:],
    }
