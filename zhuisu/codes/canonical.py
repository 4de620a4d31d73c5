"""The canonical form of a code, as the store keeps it: the one owner of canonicalization.

EPC pure-identity URNs (``urn:epc:id:sgtin:…``, class URNs ``urn:epc:class:lgtin:…``) become canonical GS1 Digital
Link URIs on ``https://id.gs1.org`` (GS1 Digital Link URI Syntax 1.2 §4.11, EPC Tag Data Standard 2.0); Digital Link
URIs on any domain are moved to ``https://id.gs1.org`` without their query string. ``canonical_code`` also reads
what a scanner or a person gives (GS1 element strings, bare GTIN, SSCC, GLN, every scheme ``recognize`` knows).
Identifiers of other schemes are kept as given (异构识别: foreign codes are never rejected).
"""

import re
from functools import lru_cache
from urllib.parse import unquote

from biip import ParseError
from biip.gs1_messages import GS1Message

from zhuisu.codes import epc_urn, gs1_digital_link, special_equipment_code, zhuisu_code
from zhuisu.codes.recognize import recognize
from zhuisu.errors import InvalidInput

_GS1_KEYS = {"gtin": "01", "sscc": "00", "gln": "414"}
_DL_RE = re.compile(
    r"^https?://[^/?#]+((?:/[^/?#]+)*?/(?:00|01|253|255|401|402|414|417|8003|8004|8006|8010|8017|8018)/[^?#]*)(?:[?#].*)?$"
)
#: A code's page on a zhuisu node (what a label's QR carries for a code that is not GS1): ``https://node/c/{code}``.
_NODE_PAGE = re.compile(r"^https?://[^/?#]+(?:/[^?#]*?)?/c/([^?#]+)(?:[?#].*)?$", re.IGNORECASE)
_NEEDS_ENCODING = re.compile(r"[%!\"&()*+,:<>]")


@lru_cache(maxsize=65536)
def canonical_id(value: str) -> str:
    """The canonical form of an EPC, EPC class or location identifier.

    >>> canonical_id("urn:epc:id:sgtin:0614141.107346.2017")
    'https://id.gs1.org/01/10614141073464/21/2017'
    >>> canonical_id("https://example.com/01/09521234543213/21/abc?linkType=all")
    'https://id.gs1.org/01/09521234543213/21/abc'
    >>> canonical_id("https://example.com/01/6921168509256/21/a!b"), canonical_id("urn:epc:id:sgtin:6921168.050925.a!b")
    ('https://id.gs1.org/01/06921168509256/21/a%21b', 'https://id.gs1.org/01/06921168509256/21/a%21b')
    >>> canonical_id("urn:example:lot:ABC-1"), canonical_id("URN:zhuisu:code:zs1-110105-a1b2c3-0000000001-o")
    ('urn:example:lot:ABC-1', 'urn:zhuisu:code:ZS1110105A1B2C30000000001O')
    """
    value = value.strip()
    if value[:16].lower() == zhuisu_code.URN_PREFIX:
        return zhuisu_code.URN_PREFIX + zhuisu_code.compact(value)
    if value.startswith("urn:epc:"):
        try:
            return epc_urn.to_digital_link(value)
        except ValueError:
            return value
    match = _DL_RE.match(value)
    if match:
        return "https://id.gs1.org" + _normalise_path(_strip_dl_prefix(match.group(1)))
    expanded = gs1_digital_link.decompressed(value) if value.lower().startswith("http") else None
    if expanded is not None:
        return canonical_id(expanded)
    return value


def _strip_dl_prefix(path: str) -> str:
    # A Digital Link may carry a path prefix before the primary key ("/shop/01/…"); the canonical form drops it.
    found = re.search(r"/(?:00|01|253|255|401|402|414|417|8003|8004|8006|8010|8017|8018)/", path)
    return path[found.start() :] if found else path


def _normalise_path(path: str) -> str:
    """GS1 Digital Link 1.2 §4.12: a GTIN-8/12/13 as GTIN-14, and values %-encoded the one canonical way
    (``!`` → ``%21``, ``%2f`` → ``%2F``), so the URI a URN becomes equals the same key written by hand. A trailing
    ``*`` (a MATCH_ prefix pattern) is kept as it is."""
    if path.startswith("/01/"):
        end = path.find("/", 4)
        gtin = path[4:] if end < 0 else path[4:end]
        if len(gtin) in (8, 12, 13) and gtin.isdigit():
            path = "/01/" + gtin.zfill(14) + ("" if end < 0 else path[end:])
    if not _NEEDS_ENCODING.search(path):
        return path
    star = "*" if path.endswith("*") else ""
    segments = (path[:-1] if star else path).split("/")
    return "/".join(epc_urn.percent_encode(unquote(s)) for s in segments) + star


@lru_cache(maxsize=65536)
def canonical_code(text: str) -> str:
    """The canonical form of a code as the store keeps it. Raises InvalidInput for an empty one.

    Cached: a scan asks for it at each layer it passes (page, story, trace), and the answer depends on the text
    alone, so it is worked out once.

    >>> canonical_code("(01)06901234567892(21)A1"), canonical_code(" urn:epc:id:sgtin:6901234.056789.A1 ")
    ('https://id.gs1.org/01/06901234567892/21/A1', 'https://id.gs1.org/01/06901234567892/21/A1')
    >>> canonical_code("ZS1-110105-A1B2C3-0000000001-O")
    'urn:zhuisu:code:ZS1110105A1B2C30000000001O'
    >>> canonical_code("https://trace.example.cn/AQyNo0UVqEIC4")  # a compressed Digital Link
    'https://id.gs1.org/01/06901234567892/21/7'
    >>> canonical_code("http://127.0.0.1:8000/c/ZS1110105A1B2C30000000001O")
    'urn:zhuisu:code:ZS1110105A1B2C30000000001O'
    >>> canonical_code("https://zhuisu.cn/code/231037002202000002")  # a 特种设备代码, not the SSCC its digits spell
    'https://zhuisu.cn/code/231037002202000002'
    >>> canonical_code("https://trace.example.cn/c/urn%3Aexample%3Alot%3A7"), canonical_code("https://x.cn/about")
    ('urn:example:lot:7', 'https://x.cn/about')
    """
    text = text.strip()
    if not text:
        raise InvalidInput("请提供追溯码", message_en="a code is required")
    if text.lower().startswith("urn:") or _DL_RE.match(text):
        return canonical_id(text)
    expanded = gs1_digital_link.decompressed(text)
    if expanded is not None:
        return canonical_id(expanded)
    node = _NODE_PAGE.match(text)
    if node:
        return canonical_code(unquote(node.group(1)))
    if text.startswith(special_equipment_code.URL_PREFIX) and special_equipment_code.is_valid(
        text.removeprefix(special_equipment_code.URL_PREFIX)
    ):
        return text  # as events name it: its 18 digits may also spell a valid SSCC, the URL never does
    found = recognize(text)
    if found.valid and found.parts.get("carrier") == "url":
        return canonical_code(found.value)
    if text.lower().startswith(("http://", "https://")):
        return text
    if found.valid and found.scheme == "gs1-element-string":
        try:
            return canonical_id(GS1Message.parse_hri(found.value).as_gs1_digital_link_uri().as_canonical_uri())
        except (ParseError, ValueError):
            return found.value
    if found.valid and found.scheme == "zhuisu":
        return zhuisu_code.URN_PREFIX + found.value  # as events name it (``issuance.commissioning.epc_of``)
    if found.valid and found.scheme in _GS1_KEYS:
        value = found.value.zfill(14) if found.scheme == "gtin" else found.value
        return f"https://id.gs1.org/{_GS1_KEYS[found.scheme]}/{value}"
    return found.value if found.valid else text
