"""The resolver directory's keys: what part of a code says which node answers for it (pure; no database). The
federation records directory entries by them (``exchange.federation``); the portal's resolver looks codes up by them
(``portal.federated``).

A GS1 key's company prefix is where its digits start (after the indicator or extension digit of a GTIN, SSCC or
GRAI), so an entry ``gs1 6901234`` matches every GTIN, SSCC, GLN … of that prefix; a zhuisu code names its issuer
(``zhuisu``: region and party number, 12 characters) and its region (``region``: a 2-, 4- or 6-digit GB/T 2260
prefix matches). The longest matching prefix wins, issuer before region.

>>> keys("https://id.gs1.org/01/06901234111118/21/1")
[('gs1', '6901234111118')]
>>> keys("https://id.gs1.org/414/6901234000016")
[('gs1', '6901234000016')]
>>> keys("urn:zhuisu:code:ZS137010200000100000000014")
[('zhuisu', '370102000001'), ('region', '370102')]
>>> keys("urn:epc:id:sgtin:6901234.012345.1")
[]
"""

import re

KINDS = ("gs1", "zhuisu", "region")
_GS1 = re.compile(r"^https://id\.gs1\.org/(\d{2,4})/(\d+)")
#: Primary keys whose first digit is not part of the company prefix (indicator, extension, filler digit).
_SKIP_FIRST = {"01", "00", "8003"}
_ZHUISU = re.compile(r"^urn:zhuisu:code:ZS\d(\d{6})([0-9A-Z]{6})")
_PREFIX = {
    "gs1": re.compile(r"^\d{4,12}$"),
    "zhuisu": re.compile(r"^\d{6}[0-9A-Z]{6}$"),
    "region": re.compile(r"^\d{2}(\d{2}){0,2}$"),
}


def keys(canonical: str) -> list[tuple[str, str]]:
    """The (kind, value) pairs of a canonical code the directory is searched by, most specific first."""
    gs1 = _GS1.match(canonical)
    if gs1:
        ai, digits = gs1.groups()
        return [("gs1", digits[1:] if ai in _SKIP_FIRST else digits)]
    zhuisu = _ZHUISU.match(canonical)
    if zhuisu:
        region, party = zhuisu.groups()
        return [("zhuisu", region + party), ("region", region)]
    return []


def valid_prefix(kind: str, prefix: str) -> bool:
    """Whether ``prefix`` is well formed for ``kind``: a GS1 company prefix of 4–12 digits, a zhuisu issuer
    (6-digit region and 6-character party number), or a region of 2, 4 or 6 digits.

    >>> valid_prefix("gs1", "6901234"), valid_prefix("region", "3701"), valid_prefix("zhuisu", "370102")
    (True, True, False)
    """
    pattern = _PREFIX.get(kind)
    return pattern is not None and bool(pattern.match(prefix))
