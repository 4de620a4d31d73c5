"""EPC pure-identity URNs of the GS1 keys, per the GS1 EPC Tag Data Standard (TDS) 2.0, §6 and §7.

Parses ``urn:epc:id:{scheme}:…`` for the GS1-key schemes (sgtin, sscc, sgln, grai, giai, gsrn, gsrnp, gdti,
cpi, sgcn, ginc, gsin, itip, upui, pgln), the EPC class URN ``urn:epc:class:lgtin:…`` and the pattern URNs
whose only wildcard is the serial (``urn:epc:idpat:sgtin:0614141.107346.*``: all instances of a class). Each
gives the GS1 key (check digit computed) and its key qualifier, and from those the canonical GS1 Digital Link
URI on ``https://id.gs1.org`` (GS1 Digital Link URI Syntax 1.2, §4.11). URN %-escapes are decoded, and the
Digital Link percent-encodes what GS1 Digital Link requires. The non-GS1 schemes (gid, usdod, adi, bic, imovn)
are not supported.

>>> to_digital_link("urn:epc:id:sgtin:0614141.107346.2017")
'https://id.gs1.org/01/10614141073464/21/2017'
>>> to_digital_link("urn:epc:id:sgtin:0614141.812345.6789%2F!")
'https://id.gs1.org/01/80614141123458/21/6789%2F%21'
>>> to_digital_link("urn:epc:id:sgln:0614141.07346.1234"), to_digital_link("urn:epc:id:sgln:4012345.00011.0")
('https://id.gs1.org/414/0614141073467/254/1234', 'https://id.gs1.org/414/4012345000115')
>>> to_digital_link("urn:epc:class:lgtin:4012345.012345.Lot987")
'https://id.gs1.org/01/04012345123456/10/Lot987'
>>> urn = parse("urn:epc:id:sscc:4012345.0000000333")
>>> urn.scheme, urn.company_prefix, urn.fields, urn.key_ai, urn.key
('sscc', '4012345', ('0000000333',), '00', '040123450000003338')
>>> is_epc_urn("urn:epc:id:sgtin:0614141.107346.2017"), is_epc_urn("urn:epc:id:sgtin:0614141.10734.2017")
(True, False)
>>> parse("urn:epc:id:sgtin:0614141.10734.2017")
Traceback (most recent call last):
    ...
zhuisu.codes.epc_urn.InvalidEpcUrn: urn:epc:id:sgtin:0614141.10734.2017: the company prefix and \
indicator/item reference must have 13 digits, got 12
"""

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import unquote

# Characters an EPC URN component may carry unescaped, or as %-escapes (GS1 AI encodable character set 82).
_URN_PLAIN = re.compile(r"[A-Za-z0-9!'()*+,\-.:;=_]*")
_URN_TEXT = re.compile(r"(?:[A-Za-z0-9!'()*+,\-.:;=_]|%[0-9A-Fa-f]{2})*")
_CHARSET_82 = frozenset("!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcdefghijklmnopqrstuvwxyz")
_ESCAPABLE = _CHARSET_82 | {"#"}  # "#" only occurs in CPI component/part references (character set 39)
_CPI_CHARS = frozenset("#-/0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
# Characters percent-encoded in a GS1 Digital Link path segment; the others of set 82 stay as they are.
_DL_ESCAPES = {ord(c): f"%{ord(c):02X}" for c in ' !"#%&()*+,/:<>?'}

_Qualifiers = tuple[tuple[str, str], ...]
_Parsed = tuple[str, str, _Qualifiers]


class InvalidEpcUrn(ValueError):
    """The text is not a well-formed EPC URN of a supported GS1-key scheme."""


@dataclass(frozen=True, slots=True)
class EpcUrn:
    """One parsed EPC URN.

    ``fields`` holds the components after the company prefix, %-escapes decoded (a pattern keeps its
    ``*``); ``key_ai`` and ``key`` are the GS1 key's application identifier and value (check digit computed,
    serial included where the key holds one, as GRAI does); ``qualifiers`` are ``(ai, value)`` pairs.
    """

    urn: str
    kind: str
    scheme: str
    company_prefix: str
    fields: tuple[str, ...]
    key_ai: str
    key: str
    qualifiers: _Qualifiers


def check_digit(digits: str) -> str:
    """The GS1 mod-10 check digit (weights 3, 1, 3, … from the right), GS1 General Specifications §7.9.

    >>> check_digit('061414107346'), check_digit('1061414107346')
    ('7', '4')
    """
    odd, even = digits[-1::-2].encode(), digits[-2::-2].encode()  # summing bytes: faster than int() per digit
    return str(-(3 * (sum(odd) - 48 * len(odd)) + sum(even) - 48 * len(even)) % 10)


def percent_encode(value: str) -> str:
    """A GS1 AI value as a GS1 Digital Link path segment (``/`` → ``%2F``, ``!`` → ``%21``, …).

    >>> percent_encode("AB/1!(2)'-.")
    "AB%2F1%21%282%29'-."
    """
    return value.translate(_DL_ESCAPES)


def is_epc_urn(value: object) -> bool:
    """Whether ``value`` is a well-formed EPC URN this module can convert."""
    if not isinstance(value, str) or not value.startswith("urn:epc:"):
        return False
    try:
        parse(value)
    except InvalidEpcUrn:
        return False
    return True


def to_digital_link(urn: str) -> str:
    """The canonical GS1 Digital Link URI (``https://id.gs1.org/…``) of an EPC URN, or ``InvalidEpcUrn``."""
    key_ai, key, qualifiers = _parse(urn)[4]
    link = f"https://id.gs1.org/{key_ai}/{key.translate(_DL_ESCAPES)}"
    for ai, value in qualifiers:
        link += f"/{ai}/{value.translate(_DL_ESCAPES)}"
    return link


def parse(urn: str) -> EpcUrn:
    """Parse an EPC URN; raises ``InvalidEpcUrn`` saying what is wrong."""
    kind, scheme, company_prefix, fields, (key_ai, key, qualifiers) = _parse(urn)
    return EpcUrn(urn, kind, scheme, company_prefix, fields, key_ai, key, qualifiers)


def _parse(urn: str) -> tuple[str, str, str, tuple[str, ...], _Parsed]:
    if not isinstance(urn, str):
        raise InvalidEpcUrn(f"an EPC URN must be text, got {type(urn).__name__}")
    head = urn.split(":", 4)
    if len(head) != 5 or head[0] != "urn" or head[1] != "epc":
        raise InvalidEpcUrn(f"{urn}: an EPC URN has the form urn:epc:id|class|idpat:scheme:components")
    kind, scheme, body = head[2], head[3], head[4]
    spec = _SCHEMES.get((kind, scheme))
    if spec is None:
        raise InvalidEpcUrn(f"{urn}: unsupported EPC URN scheme {kind}:{scheme}")
    count, parser = spec
    parts = body.split(".", count)
    if len(parts) != count + 1:
        raise InvalidEpcUrn(f"{urn}: {kind}:{scheme} has {count + 1} dot-separated components, got {len(parts)}")
    company_prefix = parts[0]
    if not (6 <= len(company_prefix) <= 12 and company_prefix.isdigit() and company_prefix.isascii()):
        raise InvalidEpcUrn(f"{urn}: the company prefix must be 6 to 12 digits, got {company_prefix!r}")
    pattern = kind == "idpat"
    if pattern and (parts[-1] != "*" or "*" in body[:-1]):
        raise InvalidEpcUrn(f"{urn}: only patterns whose last component alone is '*' are supported")
    try:
        fields = [_decode(f) for f in parts[1:]]
        if scheme != "cpi" and any("#" in f for f in fields):
            raise InvalidEpcUrn("'#' is outside the GS1 AI character set 82")
        key = parser(company_prefix, [*fields[:-1], ""] if pattern else fields, pattern)
    except InvalidEpcUrn as exc:
        raise InvalidEpcUrn(f"{urn}: {exc}") from None
    return kind, scheme, company_prefix, tuple(fields), key


def _decode(component: str) -> str:
    if "%" not in component and _URN_PLAIN.fullmatch(component):
        return component
    if not _URN_TEXT.fullmatch(component):
        bad = "".join(sorted({c for c in component if c != "%" and not _URN_TEXT.fullmatch(c)}))
        if not bad:
            raise InvalidEpcUrn(f"{component!r} has a malformed %-escape (% must be followed by two hex digits)")
        raise InvalidEpcUrn(f"character(s) {bad!r} must be %-escaped or are not allowed in an EPC URN")
    decoded = unquote(component)
    if not _ESCAPABLE.issuperset(decoded):
        raise InvalidEpcUrn(f"{component!r} escapes a character outside the GS1 AI character set 82")
    return decoded


def _digits(value: str, what: str, length: int | None = None) -> str:
    if value and not (value.isdigit() and value.isascii()):
        raise InvalidEpcUrn(f"the {what} must be digits, got {value!r}")
    if length is not None and len(value) != length:
        raise InvalidEpcUrn(f"the {what} must have {length} digits, got {len(value)}")
    return value


def _text(value: str, what: str, max_length: int, *, optional: bool = False) -> str:
    if not value and not optional:
        raise InvalidEpcUrn(f"the {what} is empty")
    if len(value) > max_length:
        raise InvalidEpcUrn(f"the {what} may have at most {max_length} characters, got {len(value)}")
    return value


def _with_check(digits: str) -> str:
    return digits + check_digit(digits)


def _gtin(prefix: str, item: str) -> str:
    body = _digits(prefix + item, "company prefix and indicator/item reference", 13)
    return _with_check(body[len(prefix)] + prefix + item[1:])  # the indicator digit goes first


def _sgtin(prefix: str, f: list[str], pattern: bool) -> _Parsed:
    serial = () if pattern else (("21", _text(f[1], "serial", 20)),)
    return "01", _gtin(prefix, f[0]), serial


def _lgtin(prefix: str, f: list[str], pattern: bool) -> _Parsed:
    return "01", _gtin(prefix, f[0]), (("10", _text(f[1], "lot", 20)),)


def _upui(prefix: str, f: list[str], pattern: bool) -> _Parsed:
    tpx = () if pattern else (("235", _text(f[1], "third-party controlled serial", 28)),)
    return "01", _gtin(prefix, f[0]), tpx


def _itip(prefix: str, f: list[str], pattern: bool) -> _Parsed:
    piece_total = _digits(f[1], "piece number", 2) + _digits(f[2], "total count", 2)
    serial = () if pattern else (("21", _text(f[3], "serial", 20)),)
    return "8006", _gtin(prefix, f[0]) + piece_total, serial


def _sscc(prefix: str, f: list[str], pattern: bool) -> _Parsed:
    _digits(prefix + f[0], "company prefix and extension/serial reference", 17)
    return "00", _with_check(f[0][:1] + prefix + f[0][1:]), ()


def _sgln(prefix: str, f: list[str], pattern: bool) -> _Parsed:
    gln = _with_check(_digits(prefix + f[0], "company prefix and location reference", 12))
    extension = _text(f[1], "GLN extension", 20)
    return "414", gln, (() if extension == "0" else (("254", extension),))


def _pgln(prefix: str, f: list[str], pattern: bool) -> _Parsed:
    return "417", _with_check(_digits(prefix + f[0], "company prefix and party reference", 12)), ()


def _grai(prefix: str, f: list[str], pattern: bool) -> _Parsed:
    body = _with_check(_digits("0" + prefix + f[0], "zero, company prefix and asset type", 13))
    return "8003", body + _text(f[1], "serial", 16, optional=pattern), ()


def _gdti(prefix: str, f: list[str], pattern: bool) -> _Parsed:
    body = _with_check(_digits(prefix + f[0], "company prefix and document type", 12))
    return "253", body + _text(f[1], "serial", 17, optional=True), ()


def _sgcn(prefix: str, f: list[str], pattern: bool) -> _Parsed:
    body = _with_check(_digits(prefix + f[0], "company prefix and coupon reference", 12))
    return "255", body + _digits(_text(f[1], "serial", 12, optional=pattern), "serial"), ()


def _gsrn(prefix: str, f: list[str], pattern: bool) -> _Parsed:
    return "8018", _with_check(_digits(prefix + f[0], "company prefix and service reference", 17)), ()


def _gsrnp(prefix: str, f: list[str], pattern: bool) -> _Parsed:
    return "8017", _with_check(_digits(prefix + f[0], "company prefix and service reference", 17)), ()


def _gsin(prefix: str, f: list[str], pattern: bool) -> _Parsed:
    return "402", _with_check(_digits(prefix + f[0], "company prefix and shipper reference", 16)), ()


def _giai(prefix: str, f: list[str], pattern: bool) -> _Parsed:
    return "8004", prefix + _text(f[0], "asset reference", 30 - len(prefix)), ()


def _ginc(prefix: str, f: list[str], pattern: bool) -> _Parsed:
    return "401", prefix + _text(f[0], "consignment reference", 30 - len(prefix)), ()


def _cpi(prefix: str, f: list[str], pattern: bool) -> _Parsed:
    reference = _text(f[0], "component/part reference", 30 - len(prefix))
    if not _CPI_CHARS.issuperset(reference):
        raise InvalidEpcUrn(f"the component/part reference may only hold 0-9 A-Z - # /, got {reference!r}")
    serial = () if pattern else (("8011", _digits(_text(f[1], "serial", 12), "serial")),)
    return "8010", prefix + reference, serial


_Parser = Callable[[str, list[str], bool], _Parsed]
# scheme -> (number of components after the company prefix, parser)
_ID_SCHEMES: dict[str, tuple[int, _Parser]] = {
    "sgtin": (2, _sgtin), "sscc": (1, _sscc), "sgln": (2, _sgln), "grai": (2, _grai), "giai": (1, _giai),
    "gsrn": (1, _gsrn), "gsrnp": (1, _gsrnp), "gdti": (2, _gdti), "cpi": (2, _cpi), "sgcn": (2, _sgcn),
    "ginc": (1, _ginc), "gsin": (1, _gsin), "itip": (4, _itip), "upui": (2, _upui), "pgln": (1, _pgln),
}  # fmt: skip
_SCHEMES: dict[tuple[str, str], tuple[int, _Parser]] = {
    **{("id", scheme): spec for scheme, spec in _ID_SCHEMES.items()},
    ("class", "lgtin"): (2, _lgtin),
    **{("idpat", s): _ID_SCHEMES[s] for s in ("sgtin", "grai", "gdti", "sgcn", "cpi", "itip", "upui")},
}
