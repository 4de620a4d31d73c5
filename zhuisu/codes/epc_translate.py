"""GS1 Digital Link URIs → EPC pure-identity URNs (EPC Tag Data Standard 2.0 §6/§7, GS1 Digital Link 1.2), and EPC
pattern URNs → the Digital Link prefixes they match.

``epc_urn`` goes from URN to Digital Link, which needs nothing but the URN. The way back needs the length of the
GS1 Company Prefix inside the key, which a GS1 key does not carry: it comes from the GS1 Company Prefix length
table bundled with ``biip`` (``GS1CompanyPrefix.extract``), applied as the GS1 RFID/Barcode Interoperability
Guideline says: to the digits after the indicator digit of a GTIN-14 (and of an ITIP), after the extension digit
of an SSCC, after the leading zero of a GRAI, and from the first digit of the other keys. When the table does not
know the prefix (unallocated ranges, restricted-circulation numbers, GCPs of length 0 in the table), or a key or
qualifier has no EPC form (``/22/`` CPV without serial, AIs outside TDS), ``to_epc_urn`` raises
``Untranslatable`` saying which and why; ``gcp_length=`` lets a caller who knows the length supply it.

>>> to_epc_urn("https://id.gs1.org/01/10614141073464/21/2017")
'urn:epc:id:sgtin:0614141.107346.2017'
>>> to_epc_urn("https://example.com/shop/01/04012345123456/10/Lot987?17=270101")
'urn:epc:class:lgtin:4012345.012345.Lot987'
>>> to_epc_urn("https://id.gs1.org/414/0614141073467/254/1234"), to_epc_urn("https://id.gs1.org/414/4012345000115")
('urn:epc:id:sgln:0614141.07346.1234', 'urn:epc:id:sgln:4012345.00011.0')
>>> to_epc_urn("https://id.gs1.org/01/04012345666663")
'urn:epc:idpat:sgtin:4012345.066666.*'
>>> to_epc_urn("https://id.gs1.org/01/02012345666665/21/1")
Traceback (most recent call last):
    ...
zhuisu.codes.epc_translate.Untranslatable: https://id.gs1.org/01/02012345666665/21/1: the GS1 Company Prefix \
length of GTIN 02012345666665 is not in the GS1 Company Prefix table
>>> to_epc_urn("https://id.gs1.org/01/02012345666665/21/1", gcp_length=9)
'urn:epc:id:sgtin:201234566.0666.1'
>>> match_patterns("urn:epc:idpat:sgln:0614141.*.*")
['https://id.gs1.org/414/0614141*']
"""

import re
from functools import lru_cache
from urllib.parse import unquote

from biip.gs1_prefixes import GS1CompanyPrefix

from zhuisu.codes import epc_urn

_DL = re.compile(
    r"^https?://[^/?#]+(?:/[^/?#]+)*?/((?:00|01|253|255|401|402|414|417|8003|8004|8006|8010|8017|8018)/[^?#]*)"
)
# Characters of GS1 AI set 82 an EPC URN component must %-escape (TDS 2.0 §6.2.2); "#" only occurs in CPI.
_URN_ESCAPES = {ord(c): f"%{ord(c):02X}" for c in '"%&/<>?#'}
_KEY_NAMES = {
    "00": "SSCC", "01": "GTIN", "253": "GDTI", "255": "GCN", "401": "GINC", "402": "GSIN", "414": "GLN",
    "417": "PGLN", "8003": "GRAI", "8004": "GIAI", "8006": "ITIP", "8010": "CPID", "8017": "GSRNP", "8018": "GSRN",
}  # fmt: skip
#: Key AI → (offset of the company prefix in the key, number of digits the prefix and reference fill, check digit).
_LAYOUT: dict[str, tuple[int, int, bool]] = {
    "01": (1, 12, True), "8006": (1, 12, True), "00": (1, 16, True), "414": (0, 12, True), "417": (0, 12, True),
    "253": (0, 12, True), "255": (0, 12, True), "8003": (1, 12, True), "8018": (0, 17, True), "8017": (0, 17, True),
    "402": (0, 16, True), "8004": (0, 0, False), "401": (0, 0, False), "8010": (0, 0, False),
}  # fmt: skip
#: EPC pattern scheme → (key AI, offset of the company prefix in the key) for company-prefix-only patterns.
_PATTERN_KEYS = {
    "sgtin": ("01", 1), "upui": ("01", 1), "itip": ("8006", 1), "sscc": ("00", 1), "sgln": ("414", 0),
    "pgln": ("417", 0), "grai": ("8003", 1), "giai": ("8004", 0), "gsrn": ("8018", 0), "gsrnp": ("8017", 0),
    "gdti": ("253", 0), "sgcn": ("255", 0), "ginc": ("401", 0), "gsin": ("402", 0), "cpi": ("8010", 0),
}  # fmt: skip
_COMPONENTS = {
    "sgtin": 3, "upui": 3, "itip": 5, "sscc": 2, "sgln": 3, "pgln": 2, "grai": 3, "giai": 2, "gsrn": 2,
    "gsrnp": 2, "gdti": 3, "sgcn": 3, "ginc": 2, "gsin": 2, "cpi": 3,
}  # fmt: skip
_SERIAL_IN_KEY = frozenset({"grai", "gdti", "sgcn"})  # the serial is appended to the key, not a /21/ qualifier


class Untranslatable(ValueError):
    """A Digital Link that has no EPC URN, or whose company prefix length is not known; ``reason`` says why."""

    def __init__(self, identifier: str, reason: str, reason_zh: str) -> None:
        super().__init__(f"{identifier}: {reason}")
        self.identifier = identifier
        self.reason = reason
        self.reason_zh = reason_zh


def is_digital_link(value: str) -> bool:
    """Whether ``value`` is an uncompressed GS1 Digital Link URI of a key with an EPC scheme."""
    return value.startswith(("https://", "http://")) and _DL.match(value) is not None


def gcp_length(key_ai: str, key: str) -> int | None:
    """The GS1 Company Prefix length of a key, from the GS1 table, or None when the table does not know it.

    >>> gcp_length("01", "10614141073464"), gcp_length("00", "306141410000000019"), gcp_length("414", "6901234567892")
    (7, 7, 7)
    >>> gcp_length("01", "02012345666665") is None
    True
    """
    offset = _LAYOUT[key_ai][0] if key_ai in _LAYOUT else 0
    digits = re.match(r"\d*", key[offset:])
    found = GS1CompanyPrefix.extract(digits.group(0)) if digits and digits.group(0) else None
    return len(found.value) if found is not None and 6 <= len(found.value) <= 12 else None


def _escape(value: str) -> str:
    return value.translate(_URN_ESCAPES)


def _split(uri: str) -> list[tuple[str, str]]:
    match = _DL.match(uri)
    if match is None:
        raise Untranslatable(
            uri, "not a GS1 Digital Link URI of a key with an EPC scheme", "不是可转换为 EPC 的 GS1 数字链接"
        )
    segments = match.group(1).rstrip("/").split("/")
    if len(segments) % 2:
        raise Untranslatable(uri, "the path does not alternate AIs and values", "路径不是“AI/值”成对的形式")
    return [(segments[i], unquote(segments[i + 1])) for i in range(0, len(segments), 2)]


@lru_cache(maxsize=65536)
def to_epc_urn(uri: str, *, gcp_length: int | None = None) -> str:
    """The EPC URN of a GS1 Digital Link URI: ``urn:epc:id:…``, ``urn:epc:class:lgtin:…`` for a GTIN with a lot,
    ``urn:epc:idpat:…`` for a key without its serial (EPCIS 2.0 class-level identifiers). Raises ``Untranslatable``."""
    pairs = _split(uri)
    (key_ai, key), qualifiers = pairs[0], dict(pairs[1:])
    if len(qualifiers) != len(pairs) - 1:
        raise Untranslatable(uri, "an AI is repeated", "AI 重复出现")
    length = gcp_length if gcp_length is not None else _table_length(uri, key_ai, key)
    prefix, reference = _divide(uri, key_ai, key, length)
    return _build(uri, key_ai, key, prefix, reference, qualifiers)


def _table_length(uri: str, key_ai: str, key: str) -> int:
    length = gcp_length(key_ai, key)
    if length is None:
        name = _KEY_NAMES[key_ai]
        raise Untranslatable(
            uri,
            f"the GS1 Company Prefix length of {name} {key} is not in the GS1 Company Prefix table",
            f"GS1 厂商识别代码长度表中没有 {name} {key} 的厂商识别代码长度",
        )
    return length


def _divide(uri: str, key_ai: str, key: str, length: int) -> tuple[str, str]:
    """The company prefix and the reference after it (indicator/extension digit first, check digit dropped)."""
    offset, filled, checked = _LAYOUT[key_ai]
    digits = key[: offset + filled + 1] if checked else key
    if checked and not (digits.isdigit() and digits.isascii() and len(digits) == offset + filled + 1):
        raise Untranslatable(uri, f"{_KEY_NAMES[key_ai]} {key} is malformed", f"{_KEY_NAMES[key_ai]} {key} 格式错误")
    if checked and epc_urn.check_digit(digits[:-1]) != digits[-1]:
        raise Untranslatable(uri, f"the check digit of {key} is wrong", f"{key} 的校验位错误")
    prefix = key[offset : offset + length]
    if not (6 <= length <= 12 and prefix.isdigit() and len(prefix) == length) or (checked and length > filled):
        raise Untranslatable(
            uri, f"a GS1 Company Prefix of {length} digits does not fit {key}", f"{length} 位厂商识别代码与 {key} 不符"
        )
    lead = "" if key_ai == "8003" else key[:offset]  # a GRAI's leading zero is filler, not an indicator digit
    reference = lead + key[offset + length : offset + filled] if checked else key[length:]
    if not checked and not reference:
        raise Untranslatable(
            uri,
            f"{_KEY_NAMES[key_ai]} {key} holds nothing after its company prefix",
            f"{key} 缺少厂商识别代码之后的部分",
        )
    return prefix, reference


def _build(uri: str, key_ai: str, key: str, prefix: str, ref: str, q: dict[str, str]) -> str:
    offset, filled, _ = _LAYOUT[key_ai]
    extra = set(q)
    if key_ai == "01":
        if "21" in q:
            return _only(uri, q, {"21", "10", "22"}, f"urn:epc:id:sgtin:{prefix}.{ref}.{_escape(q['21'])}")
        if "10" in q:
            return _only(uri, q, {"10"}, f"urn:epc:class:lgtin:{prefix}.{ref}.{_escape(q['10'])}")
        if "235" in q:
            return _only(uri, q, {"235"}, f"urn:epc:id:upui:{prefix}.{ref}.{_escape(q['235'])}")
        return _only(uri, q, set(), f"urn:epc:idpat:sgtin:{prefix}.{ref}.*")
    if key_ai == "8006":
        piece, total = key[14:16], key[16:18]
        if len(key) != 18 or not (piece + total).isdigit():
            raise Untranslatable(uri, f"ITIP {key} is malformed", f"ITIP {key} 格式错误")
        head = f"{prefix}.{ref}.{piece}.{total}"
        if "21" in q:
            return _only(uri, q, {"21"}, f"urn:epc:id:itip:{head}.{_escape(q['21'])}")
        return _only(uri, q, set(), f"urn:epc:idpat:itip:{head}.*")
    if key_ai == "414":
        return _only(uri, q, {"254"}, f"urn:epc:id:sgln:{prefix}.{ref}.{_escape(q.get('254', '0'))}")
    if key_ai == "8010":
        if "8011" in q:
            return _only(uri, q, {"8011"}, f"urn:epc:id:cpi:{prefix}.{_escape(ref)}.{q['8011']}")
        return _only(uri, q, set(), f"urn:epc:idpat:cpi:{prefix}.{_escape(ref)}.*")
    if extra:
        return _only(uri, q, set(), "")
    scheme = _SIMPLE[key_ai]
    if scheme in _SERIAL_IN_KEY:
        serial = key[offset + filled + 1 :]
        if not serial:
            return f"urn:epc:idpat:{scheme}:{prefix}.{ref}.*"
        return f"urn:epc:id:{scheme}:{prefix}.{ref}.{_escape(serial)}"
    return f"urn:epc:id:{scheme}:{prefix}.{_escape(ref)}"


_SIMPLE = {
    "00": "sscc", "417": "pgln", "8003": "grai", "8004": "giai", "8018": "gsrn", "8017": "gsrnp",
    "253": "gdti", "255": "sgcn", "401": "ginc", "402": "gsin",
}  # fmt: skip


def _only(uri: str, qualifiers: dict[str, str], allowed: set[str], urn: str) -> str:
    extra = sorted(set(qualifiers) - allowed)
    if extra:
        shown = ", ".join(f"({ai})" for ai in extra)
        raise Untranslatable(
            uri,
            f"the qualifier(s) {shown} have no EPC URN form with this key",
            f"限定符 {shown} 与该标识代码组合时没有 EPC URN 形式",
        )
    return urn


def match_patterns(urn: str) -> list[str] | None:
    """What an EPC pattern URN (``urn:epc:idpat:…``, TDS 2.0 §8) matches, as canonical Digital Link values and
    prefixes (a trailing ``*``); None when ``urn`` is not a pattern of a GS1-key scheme.

    >>> match_patterns("urn:epc:idpat:sgtin:0614141.107346.*")
    ['https://id.gs1.org/01/10614141073464', 'https://id.gs1.org/01/10614141073464/*']
    >>> match_patterns("urn:epc:idpat:grai:4012345.00022.*")
    ['https://id.gs1.org/8003/04012345000221*']
    >>> match_patterns("urn:epc:idpat:sscc:0614141.*")[:2], match_patterns("urn:epc:idpat:giai:*.*")
    (['https://id.gs1.org/00/00614141*', 'https://id.gs1.org/00/10614141*'], ['https://id.gs1.org/8004/*'])
    """
    head = urn.split(":", 4)
    if len(head) != 5 or head[:3] != ["urn", "epc", "idpat"] or head[3] not in _COMPONENTS:
        return None
    scheme, parts = head[3], head[4].split(".")
    if len(parts) != _COMPONENTS[scheme] or "*" not in parts:
        return None
    first = parts.index("*")
    if any(p != "*" for p in parts[first:]) or any("*" in p for p in parts[:first]):
        return None
    key_ai, offset = _PATTERN_KEYS[scheme]
    base = f"https://id.gs1.org/{key_ai}/"
    if first == 0:
        return [base + "*"]
    prefix = parts[0]
    if not (6 <= len(prefix) <= 12 and prefix.isdigit() and prefix.isascii()):
        return None
    if first == 1:
        return (
            [f"{base}{d}{prefix}*" for d in "0123456789"]
            if offset and key_ai != "8003"
            else [f"{base}{offset * '0'}{prefix}*"]
        )
    return _key_patterns(urn, scheme, parts, first)


def _key_patterns(urn: str, scheme: str, parts: list[str], first: int) -> list[str] | None:
    """A pattern fixing the key (all but the serial) or more: the key itself and what lies under it."""
    filled = [*parts[:first], *("0" * 2 if scheme == "itip" and i < 4 else "0" for i in range(first, len(parts)))]
    try:
        sample = epc_urn.parse(f"urn:epc:id:{scheme}:{'.'.join(filled)}")
    except epc_urn.InvalidEpcUrn:
        return None
    if scheme == "itip" and first < 4:
        return [f"https://id.gs1.org/8006/{sample.key[:14]}" + ("*" if first == 2 else f"{parts[2]}*")]
    if scheme in _SERIAL_IN_KEY:
        return [f"https://id.gs1.org/{sample.key_ai}/{sample.key[:-1]}*"]
    if scheme == "sgln":
        link = f"https://id.gs1.org/414/{sample.key}"
        return [link, link + "/*"]
    if scheme in ("sgtin", "upui", "itip", "cpi"):
        link = f"https://id.gs1.org/{sample.key_ai}/{epc_urn.percent_encode(sample.key)}"
        return [link, link + "/*"]
    return None
