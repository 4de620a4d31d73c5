"""GS1 Digital Link URIs (GS1 Digital Link Standard: URI Syntax 1.2), uncompressed, on any domain, parsed with
``biip``.

The path carries a primary key and its qualifiers as numeric AIs (``/01/{gtin}/10/{lot}/21/{serial}``),
possibly after a path prefix (``https://trace.example.cn/shop/01/…``); AI query parameters (``?17=270131``)
carry data attributes. The canonical value is the canonical URI on ``https://id.gs1.org`` (§4.12): the
resolver's domain says where to look the code up, not what it identifies, so it is kept in ``parts["domain"]``
instead. Check digits and dates are verified as for element strings. Short key names (``/gtin/…``) are not
supported by ``biip`` and are reported as invalid; a compressed Digital Link (one path segment of base64url, GS1
Digital Link compression) is expanded by ``decompressed`` (``gs1-compression``, the Python port of GS1's own
prototype) before anything reads it.

>>> validate('https://trace.example.cn/p/01/6921168509256/10/ABC123?17=270131&linkType=gs1:pip')
'https://id.gs1.org/01/06921168509256/10/ABC123?17=270131'
>>> validate('https://id.gs1.org/01/06921168509257')
Traceback (most recent call last):
    ...
zhuisu.codes.errors.InvalidChecksum: check digit should be 6, got 7
>>> p = parts('HTTPS://TRACE.EXAMPLE.CN/01/06921168509256/21/SN0001')
>>> p['domain'], p['gtin'], p['serial'], p['element_string']
('trace.example.cn', '06921168509256', 'SN0001', '(01)06921168509256(21)SN0001')
"""

import re
from typing import Any
from urllib.parse import urlsplit

import gs1 as gs1_compression
from biip import ParseError
from biip.gs1_digital_link_uris import GS1DigitalLinkURI

from zhuisu.codes.errors import InvalidCode, InvalidFormat
from zhuisu.codes.gs1_element_string import (
    check_element_strings,
    classify_parse_error,
    element_parts,
    split_symbology_identifier,
)


def _parse(uri: str) -> tuple[str | None, GS1DigitalLinkURI]:
    if not isinstance(uri, str):
        raise InvalidFormat("the code must be text", "代码必须是文本")
    symbology, body = split_symbology_identifier(uri.strip())
    body = body.strip()
    if not body.lower().startswith(("http://", "https://")):
        raise InvalidFormat(
            "a Digital Link URI starts with http:// or https://", "数字链接 URI 应以 http:// 或 https:// 开头"
        )
    try:
        link = GS1DigitalLinkURI.parse(body)
    except ParseError as exc:
        if "GS1 AI (" in str(exc):
            raise classify_parse_error(str(exc)) from None
        raise InvalidFormat(f"not a GS1 Digital Link URI: {exc}", f"不是有效的 GS1 数字链接：{exc}") from None
    except ValueError as exc:
        raise InvalidFormat(f"not a GS1 Digital Link URI: {exc}", f"不是有效的 GS1 数字链接：{exc}") from None
    check_element_strings(link.element_strings)
    return symbology, link


def compact(uri: str) -> str:
    """The canonical URI when the text parses, else the stripped text (never raises)."""
    try:
        return validate(uri)
    except InvalidCode:
        return uri.strip() if isinstance(uri, str) else ""


def validate(uri: str) -> str:
    """Return the canonical ``https://id.gs1.org/…`` URI, or raise an ``InvalidCode`` subclass."""
    return _parse(uri)[1].as_canonical_uri()


def is_valid(uri: str) -> bool:
    try:
        return bool(validate(uri))
    except InvalidCode:
        return False


def format(uri: str) -> str:
    return validate(uri)


def to_element_string(uri: str) -> str:
    """The same data as a GS1 element string HRI."""
    return _parse(uri)[1].as_gs1_message().as_hri()


def parts(uri: str) -> dict[str, Any]:
    """Decode: the resolver domain and path prefix, the element-string HRI, and the fields of the elements."""
    symbology, link = _parse(uri)
    split = urlsplit(link.value)
    path = split.path
    first_key = link.element_strings[0].ai.ai
    index = path.find(f"/{first_key}/")
    return {
        "symbology_identifier": symbology,
        "domain": (split.hostname or "").lower(),
        "path_prefix": path[:index] if index > 0 else "",
        "element_string": link.as_gs1_message().as_hri(),
        **element_parts(link.element_strings),
    }


#: A compressed Digital Link: the domain, then one path segment of base64url characters (at least a GTIN's worth).
_COMPRESSED = re.compile(r"^https?://[^/?#]+/([A-Za-z0-9_-]{8,})/?(?:[?#].*)?$")


def decompressed(uri: str) -> str | None:
    """The uncompressed Digital Link of a compressed one (on its own domain), or None when ``uri`` is not one.

    >>> decompressed("https://id.gs1.org/AQyNo0UVqEIC4"), decompressed("https://trace.example.cn/AA9S5bitGIEA")
    ('https://id.gs1.org/01/06901234567892/21/7', 'https://trace.example.cn/00/069012340000000016')
    >>> decompressed("https://trace.example.cn/portal"), decompressed("https://id.gs1.org/01/06901234567892")
    (None, None)
    """
    match = _COMPRESSED.match(uri.strip())
    if match is None:
        return None
    try:
        expanded = gs1_compression.decompress_gs1_digital_link(uri.strip(), False)
    except Exception:  # the prototype raises what its parser meets; any of it means "not a compressed link"
        return None
    if not isinstance(expanded, str) or not _is_uncompressed(expanded):
        return None
    return expanded


def _is_uncompressed(uri: str) -> bool:
    try:
        _parse(uri)
    except (InvalidCode, ValueError):
        return False
    return True
