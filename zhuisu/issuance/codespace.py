"""The code spaces issuance allocates from, and the codes a serial range stands for (pure, no database).

A counter key names one code space:

- ``gs1/01/{gtin14}``: serials of a GTIN. Serial *n* is the SGTIN ``https://id.gs1.org/01/{gtin}/21/{n}``
  (GS1 Digital Link URI Syntax 1.2, canonical form; AI 21 in plain decimal, no leading zeros).
- ``zhuisu/{region}/{party}/{kind}``: serials of a party in the ``zhuisu`` scheme (see
  :mod:`zhuisu.codes.zhuisu_code`); serial *n* is written in base 36, 10 characters. Kind 1 codes items,
  kind 2 lots.
- ``zhuisu-party/{region}``: the platform's numbering of parties within a GB/T 2260 region (base 36, 6
  characters).

>>> codes_of("gs1/01/06901234567892", 9, 2)
['https://id.gs1.org/01/06901234567892/21/9', 'https://id.gs1.org/01/06901234567892/21/10']
>>> codes_of("zhuisu/110105/00000A/1", 36, 1)
['ZS111010500000A0000000010S']
>>> locate("gs1-digital-link", {"gtin": "06901234567892", "serial": "10"})
('gs1/01/06901234567892', 10)
>>> locate("zhuisu", {"kind": "1", "region": "110105", "party": "00000A", "serial": "0000000010"})
('zhuisu/110105/00000A/1', 36)
>>> locate("gs1-digital-link", {"gtin": "06901234567892", "serial": "010"}) is None
True
"""

import re
from typing import Any

from zhuisu.codes import zhuisu_code

GS1_DL = "https://id.gs1.org"
ITEM = "1"
LOT = "2"
SERIAL_WIDTH = 10
PARTY_WIDTH = 6
_DIGITS = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#: Lot numbers: the part of GS1's character set 82 that needs no escaping in a Digital Link path.
LOT_PATTERN = re.compile(r"[0-9A-Za-z._-]{1,20}")
_GS1_SCHEMES = ("gs1-digital-link", "gs1-element-string")


def to_base36(number: int, width: int) -> str:
    """``number`` in upper-case base 36, left-padded with zeros to ``width``.

    >>> to_base36(36 ** 2 + 35, 4)
    '010Z'
    """
    digits, rest = "", number
    while rest:
        rest, digit = divmod(rest, 36)
        digits = _DIGITS[digit] + digits
    if len(digits) > width:
        raise OverflowError(f"{number} does not fit in {width} base-36 characters")
    return digits.rjust(width, "0")


def gs1_counter(gtin: str) -> str:
    return f"gs1/01/{gtin}"


def zhuisu_counter(region: str, party_number: str, kind: str) -> str:
    return f"zhuisu/{region}/{party_number}/{kind}"


def region_counter(region: str) -> str:
    return f"zhuisu-party/{region}"


def gs1_item_code(gtin: str, serial: int) -> str:
    return f"{GS1_DL}/01/{gtin}/21/{serial}"


def gs1_lot_code(gtin: str, lot: str) -> str:
    return f"{GS1_DL}/01/{gtin}/10/{lot}"


def zhuisu_code_of(region: str, party_number: str, kind: str, serial: int) -> str:
    return zhuisu_code.build(kind, region, party_number, to_base36(serial, SERIAL_WIDTH))


def codes_of(counter: str, first: int, count: int) -> list[str]:
    """The codes of serials ``first`` … ``first + count - 1`` of ``counter``."""
    space, *fields = counter.split("/")
    if space == "gs1":
        gtin = fields[1]
        return [gs1_item_code(gtin, n) for n in range(first, first + count)]
    if space == "zhuisu":
        region, party_number, kind = fields
        return [zhuisu_code_of(region, party_number, kind, n) for n in range(first, first + count)]
    raise ValueError(f"counter {counter!r} does not issue codes")


def element_string(code: str) -> str:
    """The GS1 element string (HRI) of an SGTIN Digital Link this module built.

    >>> element_string("https://id.gs1.org/01/06901234567892/21/10")
    '(01)06901234567892(21)10'
    """
    _, _, path = code.partition(f"{GS1_DL}/")
    parts = path.split("/")
    return "".join(f"({ai}){value}" for ai, value in zip(parts[::2], parts[1::2], strict=True))


def locate(scheme: str, parts: dict[str, Any]) -> tuple[str, int] | None:
    """The counter and serial of a recognised item code, if it is one issuance could have issued."""
    if scheme in _GS1_SCHEMES and "gtin" in parts and "serial" in parts:
        serial = str(parts["serial"])
        if serial.isdigit() and serial == str(int(serial)):
            return gs1_counter(str(parts["gtin"])), int(serial)
        return None
    if scheme == "zhuisu":
        counter = zhuisu_counter(parts["region"], parts["party"], parts["kind"])
        return counter, int(parts["serial"], 36)
    return None
