"""食品生产许可证编号 (food production licence number, "SC" number), per the 《食品生产许可管理办法》 and its
numbering rule (国家食品药品监督管理总局 2015 年第 198 号公告).

"SC" (生产) followed by 14 digits:

======  =================================================================================================
1       1 = 食品 (food), 2 = 食品添加剂 (food additive)
2–3     category: food 01 粮食加工品 … 31 其他食品 (the order of art. 11 of the 办法); additives 01–03
4–9     GB/T 2260 region of the licensee: province (4–5), city (6–7), county (8–9)
10–13   sequence number within the region and category
14      check digit
======  =================================================================================================

Validated: prefix, 14 digits, the food/additive digit, the category and the province. The check digit's
algorithm is not public, so it is not verified. City and county digits are decoded, not enforced (licences use
local codes for development zones that GB/T 2260 does not list).

>>> validate('sc 115 32139 2 0046 5')
'SC11532139200465'
>>> validate('SC13232139200465')
Traceback (most recent call last):
    ...
zhuisu.codes.errors.InvalidComponent: unknown food category '32'
>>> p = parts('SC11834020305037')
>>> p['kind'], p['category_name'], p['province_name'], p['region_name'], p['sequence']
('食品', '炒货食品及坚果制品', '安徽省', '弋江区', '0503')
"""

from typing import Any

from zhuisu.codes import _checks
from zhuisu.codes._regions import PROVINCES, region_info
from zhuisu.codes.errors import InvalidCode, InvalidComponent, InvalidFormat

PREFIX = "SC"
FOOD_CATEGORIES = dict(
    enumerate(
        (
            "粮食加工品", "食用油、油脂及其制品", "调味品", "肉制品", "乳制品", "饮料", "方便食品",
            "饼干", "罐头", "冷冻饮品", "速冻食品", "薯类和膨化食品", "糖果制品", "茶叶及相关制品",
            "酒类", "蔬菜制品", "水果制品", "炒货食品及坚果制品", "蛋制品", "可可及焙烤咖啡产品", "食糖",
            "水产制品", "淀粉及淀粉制品", "糕点", "豆制品", "蜂产品", "保健食品", "特殊医学用途配方食品",
            "婴幼儿配方食品", "特殊膳食食品", "其他食品",
        ),
        start=1,
    )
)  # fmt: skip
ADDITIVE_CATEGORIES = {1: "食品添加剂", 2: "食品用香精", 3: "复配食品添加剂"}
KINDS = {"1": ("食品", FOOD_CATEGORIES), "2": ("食品添加剂", ADDITIVE_CATEGORIES)}


def compact(number: str) -> str:
    """Remove spaces and hyphens and upper-case."""
    return _checks.clean(number, upper=True)


def validate(number: str) -> str:
    """Return the compact licence number, or raise an ``InvalidCode`` subclass."""
    number = compact(number)
    if not number.startswith(PREFIX):
        raise InvalidFormat("a food production licence number starts with SC", "食品生产许可证编号应以 SC 开头")
    digits = number[len(PREFIX) :]
    _checks.require_digits(digits)
    _checks.require_length(digits, 14)
    if digits[0] not in KINDS:
        raise InvalidComponent(
            f"the first digit must be 1 (food) or 2 (additive), got {digits[0]!r}",
            f"第 1 位应为 1（食品）或 2（食品添加剂），实际为 {digits[0]!r}",
            component="kind",
        )
    kind, categories = KINDS[digits[0]]
    if int(digits[1:3]) not in categories:
        raise InvalidComponent(
            f"unknown {'food' if digits[0] == '1' else 'additive'} category {digits[1:3]!r}",
            f"未知的{kind}类别编号 {digits[1:3]!r}",
            component="category",
        )
    if digits[3:5] not in PROVINCES:
        raise InvalidComponent(
            f"unknown province code {digits[3:5]!r}",
            f"未知的省级行政区划代码 {digits[3:5]!r}",
            component="province",
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
    """Kind, category (code and name), province, region, sequence and (unverified) check digit."""
    digits = validate(number)[len(PREFIX) :]
    kind, categories = KINDS[digits[0]]
    region = region_info(digits[3:9])
    return {
        "kind": kind,
        "category": digits[:3],
        "category_name": categories[int(digits[1:3])],
        "province": digits[3:5],
        "province_name": region["province"],
        "region": digits[3:9],
        "region_name": region["name"],
        "sequence": digits[9:13],
        "check_digit": digits[13],
    }
