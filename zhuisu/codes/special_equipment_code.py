"""特种设备代码 (special equipment code), per the 特种设备代码编号方法 annex of TSG 08-2017
(特种设备使用管理规则).

18 characters, no spaces, assigned at manufacture (imported equipment: at first installation) and kept for
life:

======  ===================================================================================================
1–4     设备品种代码: the variety code from the 特种设备目录 (e.g. 2150 第二类压力容器,
        3110 曳引驱动乘客电梯); the first character is the category (1 锅炉 … 9 场(厂)内专用机动车辆);
        some varieties contain a letter (23T0)
5–9     制造单位代号: 2-digit code of the licensing authority's region (province code, 10 = national)
        and the 3-digit unit sequence number from the manufacturing licence (TS2223010 → 23010)
10–13   制造年份 (year of manufacture)
14–18   制造顺序号 (5-digit sequence; above 99999 the first digit is replaced by a letter)
======  ===================================================================================================

No check character is defined. Validated: the alphabet, the category, the licensing region, and a year
1900–2099. The varieties below category level are decoded only for the category (the catalogue is revised from
time to time). Use-registration certificate numbers (使用登记证编号) are a different format and are not
handled here.

>>> validate('2150 23010 2015 00098')
'215023010201500098'
>>> validate('215099010201500098')
Traceback (most recent call last):
    ...
zhuisu.codes.errors.InvalidComponent: unknown licensing region '99' in the manufacturer code
>>> p = parts('311011001201800123')
>>> p['category_name'], p['licence_region_name'], p['manufacture_year'], p['sequence']
('电梯', '北京市', 2018, '00123')
"""

import re
from typing import Any

from zhuisu.codes import _checks
from zhuisu.codes._regions import PROVINCES
from zhuisu.codes.errors import InvalidCode, InvalidComponent, InvalidFormat

CATEGORIES = {
    "1": "锅炉", "2": "压力容器", "3": "电梯", "4": "起重机械", "5": "客运索道", "6": "大型游乐设施",
    "7": "压力管道元件", "8": "压力管道", "9": "场（厂）内专用机动车辆", "F": "安全附件",
}  # fmt: skip
NATIONAL_AUTHORITY = "10"
#: How events name a 特种设备代码 (EPCIS identifiers are URIs), and its canonical form: as a bare string, an
#: 18-digit code may also be a valid SSCC (one in ten are), which the URL form never is.
URL_PREFIX = "https://zhuisu.cn/code/"
_SHAPE = re.compile(r"[0-9A-Z]{4}[0-9]{9}[0-9A-Z][0-9]{4}")


def compact(number: str) -> str:
    """Remove spaces and hyphens and upper-case."""
    return _checks.clean(number, upper=True)


def validate(number: str) -> str:
    """Return the compact code, or raise an ``InvalidCode`` subclass."""
    number = compact(number)
    _checks.require_alphabet(number, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ", "a special equipment code", "特种设备代码")
    _checks.require_length(number, 18)
    if not _SHAPE.fullmatch(number):
        raise InvalidFormat(
            "expected 4 variety characters, 5+4 digits, then a 5-character sequence",
            "应为 4 位品种代码、5 位制造单位代号、4 位年份和 5 位顺序号",
        )
    if number[0] not in CATEGORIES:
        raise InvalidComponent(
            f"unknown equipment category {number[0]!r}",
            f"未知的设备种类代码 {number[0]!r}",
            component="category",
        )
    region = number[4:6]
    if region != NATIONAL_AUTHORITY and region not in PROVINCES:
        raise InvalidComponent(
            f"unknown licensing region {region!r} in the manufacturer code",
            f"制造单位代号中的行政区域代码 {region!r} 无效",
            component="manufacturer_code",
        )
    year = int(number[9:13])
    if not 1900 <= year <= 2099:
        raise InvalidComponent(
            f"year of manufacture {year} is outside 1900-2099", f"制造年份 {year} 不合理", component="year"
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
    """Variety and category, manufacturer code (licensing region and unit number), year, sequence."""
    number = validate(number)
    region = number[4:6]
    return {
        "variety_code": number[:4],
        "category": number[0],
        "category_name": CATEGORIES[number[0]],
        "manufacturer_code": number[4:9],
        "licence_region": region,
        "licence_region_name": "国家级许可机关" if region == NATIONAL_AUTHORITY else PROVINCES[region],
        "licence_unit_number": number[6:9],
        "manufacture_year": int(number[9:13]),
        "sequence": number[13:],
    }
