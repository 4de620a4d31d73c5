"""统一社会信用代码 (USCC, Unified Social Credit Code), per GB 32100-2015; check digit via ``stdnum.cn.uscc``.

18 characters from ``0-9A-HJ-NPQRTUWXY`` (no I, O, S, V, Z):

====  ==========================================================================
1     登记管理部门代码 (registration department, GB 32100 表2)
2     机构类别代码 (organisation type within that department, 表3)
3–8   登记管理机关行政区划码 (6-digit GB/T 2260 code of the registering authority)
9–17  主体标识码 (organisation code; GB 11714 structure, its 9th character a check)
18    check character: weights 3^i mod 31, ``alphabet[(31 - Σ mod 31) mod 31]``
====  ==========================================================================

Validated: alphabet, length, the check character, and that the department/type pair is in 表2/表3. The region
is decoded, not enforced (central registrations use 100000); the organisation code's own GB 11714 check is
reported in ``parts`` (``organisation_code_check_ok``) but not enforced. python-stdnum's ``validate`` is not
used because it requires the first 8 characters to be digits, which rejects the lawful departments ``A``,
``N`` and ``Y``.

>>> validate('91110000600037341L')
'91110000600037341L'
>>> validate('9144 0300 7084 6113 6t')
'91440300708461136T'
>>> validate('91440300708461136X')
Traceback (most recent call last):
    ...
zhuisu.codes.errors.InvalidChecksum: check digit should be T, got X
>>> validate('94440300708461136H')
Traceback (most recent call last):
    ...
zhuisu.codes.errors.InvalidComponent: unknown organisation type '4' for registration department '9'
>>> p = parts('91330100716105852F')
>>> p['registration_department_name'], p['org_type_name'], p['region_name'], p['organisation_code']
('工商', '企业', '杭州市', '716105852')
"""

from typing import Any

from stdnum.cn import uscc as stdnum_uscc

from zhuisu.codes import _checks
from zhuisu.codes._regions import region_info
from zhuisu.codes.errors import InvalidCode, InvalidComponent

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"

#: GB 32100-2015 表2 (departments) and 表3 (organisation types per department).
DEPARTMENTS: dict[str, tuple[str, dict[str, str]]] = {
    "1": ("机构编制", {"1": "机关", "2": "事业单位", "3": "中央编办直接管理机构编制的群众团体", "9": "其他"}),
    "2": ("外交", {"1": "外国常驻新闻机构", "9": "其他"}),
    "3": (
        "司法行政",
        {
            "1": "律师执业机构", "2": "公证处", "3": "基层法律服务所", "4": "司法鉴定机构", "5": "仲裁委员会",
            "9": "其他",
        },
    ),
    "4": ("文化", {"1": "外国在华文化中心", "9": "其他"}),
    "5": ("民政", {"1": "社会团体", "2": "民办非企业单位", "3": "基金会", "9": "其他"}),
    "6": (
        "旅游",
        {"1": "外国旅游部门常驻代表机构", "2": "港澳台地区旅游部门常驻内地（大陆）代表机构", "9": "其他"},
    ),
    "7": ("宗教", {"1": "宗教活动场所", "2": "宗教院校", "9": "其他"}),
    "8": ("工会", {"1": "基层工会", "9": "其他"}),
    "9": ("工商", {"1": "企业", "2": "个体工商户", "3": "农民专业合作社"}),
    "A": ("中央军委改革和编制办公室", {"1": "军队事业单位", "9": "其他"}),
    "N": ("农业", {"1": "组级集体经济组织", "2": "村级集体经济组织", "3": "乡镇级集体经济组织", "9": "其他"}),
    "Y": ("其他", {"1": "其他"}),
}  # fmt: skip

_ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
_ORG_VALUES = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"


def compact(number: str) -> str:
    """Remove spaces and hyphens and upper-case."""
    return _checks.clean(number, upper=True)


def calc_check_digit(number: str) -> str:
    """The check character for the first 17 characters."""
    return stdnum_uscc.calc_check_digit(compact(number)[:17])


def validate(number: str) -> str:
    """Return the compact USCC, or raise an ``InvalidCode`` subclass."""
    number = compact(number)
    _checks.require_alphabet(number, ALPHABET, "a USCC", "统一社会信用代码")
    _checks.require_length(number, 18)
    _checks.require_digits(number[2:8])
    _checks.require_check(calc_check_digit(number), number[17])
    department = DEPARTMENTS.get(number[0])
    if department is None:
        raise InvalidComponent(
            f"unknown registration department {number[0]!r}",
            f"未知的登记管理部门代码 {number[0]!r}",
            component="registration_department",
        )
    if number[1] not in department[1]:
        raise InvalidComponent(
            f"unknown organisation type {number[1]!r} for registration department {number[0]!r}",
            f"登记管理部门 {number[0]!r} 下没有机构类别 {number[1]!r}",
            component="org_type",
        )
    return number


def is_valid(number: str) -> bool:
    try:
        return bool(validate(number))
    except InvalidCode:
        return False


def format(number: str) -> str:
    return compact(number)


def organisation_code_check(code: str) -> str:
    """The GB 11714 check character of the first 8 characters of an organisation code (``X`` for 10)."""
    total = sum(_ORG_VALUES.index(c) * w for c, w in zip(code[:8], _ORG_WEIGHTS, strict=True))
    value = 11 - total % 11
    return {10: "X", 11: "0"}.get(value, str(value))


def parts(number: str) -> dict[str, Any]:
    """Decode a valid USCC: department and type (codes, names), region, organisation code, check character."""
    number = validate(number)
    department_name, types = DEPARTMENTS[number[0]]
    region = region_info(number[2:8])
    organisation = number[8:17]
    return {
        "registration_department": number[0],
        "registration_department_name": department_name,
        "org_type": number[1],
        "org_type_name": types[number[1]],
        "region": number[2:8],
        "region_province": region["province"],
        "region_name": region["name"],
        "organisation_code": organisation,
        "organisation_code_check_ok": organisation_code_check(organisation) == organisation[8],
        "check_digit": number[17],
    }
