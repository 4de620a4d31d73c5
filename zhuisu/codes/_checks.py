"""Small validation steps shared by the code modules (cleaning, length, alphabet, GS1 check digit, dates)."""

import datetime as dt
import re

from stdnum import ean

from zhuisu.codes.errors import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

_SEPARATORS = re.compile(r"[\s\-\u2010-\u2015\u00a0\u3000]+")
_DIGITS = re.compile(r"[0-9]*")


def clean(value: str, *, upper: bool = False) -> str:
    """Remove whitespace (incl. full-width and no-break spaces) and hyphens/dashes; optionally upper-case."""
    if not isinstance(value, str):
        raise InvalidFormat("the code must be text", "代码必须是文本")
    value = _SEPARATORS.sub("", value)
    return value.upper() if upper else value


def require_length(value: str, *lengths: int) -> None:
    if len(value) not in lengths:
        raise InvalidLength(lengths[0] if len(lengths) == 1 else lengths, len(value))


def require_digits(value: str) -> None:
    # str.isdigit() accepts other scripts' digits (e.g. "٣"); codes only use ASCII 0-9.
    if not _DIGITS.fullmatch(value):
        raise InvalidFormat("the code must contain only digits 0-9", "代码只能包含数字 0-9")


def require_alphabet(value: str, alphabet: str, what_en: str, what_zh: str) -> None:
    bad = sorted({c for c in value if c not in alphabet})
    if bad:
        shown = "".join(bad[:5])
        raise InvalidFormat(f"{what_en} may not contain {shown!r}", f"{what_zh}不能包含字符 {shown!r}")


def require_check(expected: str, got: str) -> None:
    if expected != got:
        raise InvalidChecksum(expected, got)


def gs1_check_digit(payload: str) -> str:
    """The GS1 mod-10 check digit (weights 3,1 from the right), as for GTIN, GLN and SSCC."""
    return ean.calc_check_digit(payload)


def parse_date(year: int, month: int, day: int, component: str) -> dt.date:
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise InvalidComponent(
            f"{component} {year:04d}-{month:02d}-{day:02d} is not a real date",
            f"{component} {year:04d}-{month:02d}-{day:02d} 不是有效日期",
            component=component,
        ) from None
