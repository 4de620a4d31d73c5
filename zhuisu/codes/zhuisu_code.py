"""zhuisu trace codes (追溯码) issued by this platform.

Layout, 26 characters from ``0-9A-Z`` (lower case is accepted and upper-cased)::

    ZS 1 110105 A1B2C3 0000000001 X
    │  │ │      │      │          └ check character, ISO 7064 MOD 37,36 over the 25 characters before it
    │  │ │      │      └ serial (10), assigned by the party: 36^10 codes per party and kind
    │  │ │      └ party number (6), assigned by the platform within the region
    │  │ └ GB/T 2260 region code (6 digits) of the issuing party; the province must exist
    │  └ 追溯单元类型 (GB/T 38155): 1 单品 (single item), 2 批次 (batch/lot), 3 品类 (product class)
    └ scheme prefix

The printed form groups the fields with hyphens (``ZS1-110105-A1B2C3-0000000001-X``); spaces and hyphens are
ignored on input, and so is a ``urn:zhuisu:code:`` prefix. MOD 37,36 detects every single-character error and
every transposition of adjacent characters. ``build`` issues a code from its fields.

>>> code = build("1", "110105", "A1B2C3", "1")
>>> code
'ZS1110105A1B2C30000000001O'
>>> format(code)
'ZS1-110105-A1B2C3-0000000001-O'
>>> validate('zs1-110105-a1b2c3-0000000001-o')
'ZS1110105A1B2C30000000001O'
>>> validate('ZS1110105A1B2C30000000002O')
Traceback (most recent call last):
    ...
zhuisu.codes.errors.InvalidChecksum: check digit should be M, got O
>>> parts('urn:zhuisu:code:ZS2440300000042000000A7F3M')['kind_name']
'批次'
"""

import re
from typing import Any

from stdnum.iso7064 import mod_37_36

from zhuisu.codes import _checks
from zhuisu.codes._regions import PROVINCES, region_info
from zhuisu.codes.errors import InvalidCode, InvalidComponent, InvalidFormat

PREFIX = "ZS"
URN_PREFIX = "urn:zhuisu:code:"
ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
LENGTH = 26
KINDS = {"1": "单品", "2": "批次", "3": "品类"}
_SHAPE = re.compile(r"ZS[0-9][0-9]{6}[0-9A-Z]{6}[0-9A-Z]{10}[0-9A-Z]")


def compact(number: str) -> str:
    """Remove spaces, hyphens and a ``urn:zhuisu:code:`` prefix; upper-case."""
    number = _checks.clean(number)
    if number.lower().startswith(URN_PREFIX):
        number = number[len(URN_PREFIX) :]
    return number.upper()


def calc_check_digit(number: str) -> str:
    """The check character for the first 25 characters (``ZS`` included)."""
    return mod_37_36.calc_check_digit(compact(number)[: LENGTH - 1])


def validate(number: str) -> str:
    """Return the compact code, or raise an ``InvalidCode`` subclass."""
    number = compact(number)
    if not number.startswith(PREFIX):
        raise InvalidFormat("a zhuisu code starts with ZS", "本平台追溯码应以 ZS 开头")
    _checks.require_alphabet(number, ALPHABET, "a zhuisu code", "本平台追溯码")
    _checks.require_length(number, LENGTH)
    if not _SHAPE.fullmatch(number):
        raise InvalidFormat("the region must be 6 digits", "行政区划代码应为 6 位数字")
    _checks.require_check(calc_check_digit(number), number[-1])
    if number[2] not in KINDS:
        raise InvalidComponent(
            f"unknown trace unit kind {number[2]!r} (1 item, 2 batch, 3 class)",
            f"未知的追溯单元类型 {number[2]!r}（1 单品，2 批次，3 品类）",
            component="kind",
        )
    if number[3:5] not in PROVINCES:
        raise InvalidComponent(
            f"unknown province code {number[3:5]!r}",
            f"未知的省级行政区划代码 {number[3:5]!r}",
            component="region",
        )
    return number


def is_valid(number: str) -> bool:
    try:
        return bool(validate(number))
    except InvalidCode:
        return False


def format(number: str) -> str:
    """Fields separated by hyphens: ``ZS1-110105-A1B2C3-0000000001-X``."""
    n = validate(number)
    return f"{n[:3]}-{n[3:9]}-{n[9:15]}-{n[15:25]}-{n[25]}"


def build(kind: str, region: str, party: str, serial: str) -> str:
    """Issue a code (party and serial left-padded with zeros); raises ``InvalidCode`` if a field is wrong."""
    party, serial = compact(party), compact(serial)
    if len(party) > 6 or len(serial) > 10:
        raise InvalidFormat("party has at most 6 and serial at most 10 characters", "主体编号最多 6 位，序号最多 10 位")
    body = f"{PREFIX}{kind}{region}{party.zfill(6)}{serial.zfill(10)}"
    _checks.require_alphabet(body, ALPHABET, "a zhuisu code", "本平台追溯码")
    return validate(body + mod_37_36.calc_check_digit(body))


def parts(number: str) -> dict[str, Any]:
    """Kind, region (code and names), party number, serial, check character."""
    n = validate(number)
    region = region_info(n[3:9])
    return {
        "kind": n[2],
        "kind_name": KINDS[n[2]],
        "region": n[3:9],
        "region_province": region["province"],
        "region_name": region["name"],
        "party": n[9:15],
        "serial": n[15:25],
        "check_digit": n[25],
    }
