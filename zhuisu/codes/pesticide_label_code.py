"""农药标签二维码单元识别代码 (pesticide label QR unit identification code), per MOA 公告第 2579 号 (2017).

The QR code (QR or Data Matrix) holds a trace URL plus this 32-digit code (``recognize`` finds it inside the
URL):

======  ===============================================================================
1       登记类别: 1 = PD (正式登记), 2 = WP (卫生用农药), 3 = 临时登记
2–7     the last six digits of the 农药登记证号
8       生产类型: 1 = 登记证持有人生产, 2 = 委托加工, 3 = 委托分装
9–11    规格码 (package specification code, chosen by the company)
12–32   random digits (21)
======  ===============================================================================

No check digit is defined. Validated: 32 ASCII digits, and the category and production-type digits are known
values.

>>> validate('1081234 1 001 000000000000000012345')
'10812341001000000000000000012345'
>>> validate('40812341001000000000000000012345')
Traceback (most recent call last):
    ...
zhuisu.codes.errors.InvalidComponent: unknown registration category '4' (1 = PD, 2 = WP, 3 = temporary)
>>> p = parts('10812342001000000000000000012345')
>>> p['registration_category_name'], p['registration_no_suffix'], p['production_type_name'], p['spec_code']
('PD', '081234', '委托加工', '001')
"""

from typing import Any

from zhuisu.codes import _checks
from zhuisu.codes.errors import InvalidCode, InvalidComponent

CATEGORIES = {"1": "PD", "2": "WP", "3": "临时登记"}
PRODUCTION_TYPES = {"1": "登记证持有人生产", "2": "委托加工", "3": "委托分装"}


def compact(number: str) -> str:
    """Remove spaces and hyphens."""
    return _checks.clean(number)


def validate(number: str) -> str:
    """Return the compact code, or raise an ``InvalidCode`` subclass."""
    number = compact(number)
    _checks.require_digits(number)
    _checks.require_length(number, 32)
    if number[0] not in CATEGORIES:
        raise InvalidComponent(
            f"unknown registration category {number[0]!r} (1 = PD, 2 = WP, 3 = temporary)",
            f"未知的登记类别代码 {number[0]!r}（1=PD，2=WP，3=临时登记）",
            component="registration_category",
        )
    if number[7] not in PRODUCTION_TYPES:
        raise InvalidComponent(
            f"unknown production type {number[7]!r} (1 holder, 2 contract production, 3 contract packing)",
            f"未知的生产类型代码 {number[7]!r}（1=持有人生产，2=委托加工，3=委托分装）",
            component="production_type",
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
    """Registration category, registration-number suffix, production type, specification code, random part."""
    number = validate(number)
    return {
        "registration_category": number[0],
        "registration_category_name": CATEGORIES[number[0]],
        "registration_no_suffix": number[1:7],
        "production_type": number[7],
        "production_type_name": PRODUCTION_TYPES[number[7]],
        "spec_code": number[8:11],
        "random": number[11:],
    }
