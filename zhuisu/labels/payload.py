"""What a label's symbol carries for a code, the line printed under it, and one code's symbol as PNG or SVG.

A QR Code carries a URL a phone camera opens (``resolver_url``): on this node's resolver (``base_url``) — a GS1
code as a GS1 Digital Link on the node's domain (or on ``id.gs1.org`` when the node says so), any other code as
``{node}/c/{code}``; without a node, the code in its canonical form. A scanner reads the code back out of either
(``recognize`` takes Digital Links on any domain and codes in a URL's path). A GS1 DataMatrix carries a GS1
element string, so it is offered only for GS1 codes (element strings, Digital Links, EPC URNs of GS1 keys).

>>> resolver_url("(01)06901234567892(21)7", "https://trace.example.cn/")
'https://trace.example.cn/01/06901234567892/21/7'
>>> resolver_url("06901234567892", "https://trace.example.cn", gs1_domain=True)
'https://id.gs1.org/01/06901234567892'
>>> resolver_url("zs1-110105-a1b2c3-0000000001-o", "https://trace.example.cn")
'https://trace.example.cn/c/ZS1110105A1B2C30000000001O'
>>> symbol_payload("ZS1110105A1B2C30000000001O", "qr", node="http://127.0.0.1:8000")
'http://127.0.0.1:8000/c/ZS1110105A1B2C30000000001O'

>>> symbol_payload("https://id.gs1.org/01/06901234567892/21/7", "datamatrix")
'(01)06901234567892(21)7'
>>> symbol_payload("zs1-110105-a1b2c3-0000000001-o", "qr")
'ZS1110105A1B2C30000000001O'
>>> human_text("ZS1110105A1B2C30000000001O"), human_text("https://id.gs1.org/01/06901234567892/21/7")
('ZS1-110105-A1B2C3-0000000001-O', '(01)06901234567892(21)7')
"""

from typing import Literal
from urllib.parse import quote

from zhuisu.codes import zhuisu_code
from zhuisu.codes.canonical import canonical_code
from zhuisu.codes.recognize import Recognition, recognize
from zhuisu.labels import render
from zhuisu.labels.errors import NotEncodable
from zhuisu.labels.sheet import Symbology

_GS1_SYMBOLOGIES = ("datamatrix", "gs1_qr")
GS1_DOMAIN = "https://id.gs1.org"
ImageFormat = Literal["png", "svg"]


def resolver_url(code: str, node: str, *, gs1_domain: bool = False) -> str:
    """The URL a label's QR carries for ``code``: its page on the node whose public base URL is ``node``.

    Raises InvalidCode (NotEncodable) for a code no scheme recognises."""
    recognition = _valid(code)
    base = node.rstrip("/")
    if _element_string(recognition) is not None or recognition.scheme in ("gtin", "sscc", "gln"):
        link = canonical_code(recognition.value)
        if link.startswith(GS1_DOMAIN):
            return link if gs1_domain else base + link[len(GS1_DOMAIN) :]
    return f"{base}/c/{quote(canonical_code(recognition.value).removeprefix(zhuisu_code.URN_PREFIX), safe='')}"


def symbol_payload(code: str, symbology: Symbology, *, node: str | None = None, gs1_domain: bool = False) -> str:
    """The data to encode for ``code``: for a QR Code with a ``node``, its ``resolver_url``.

    Raises:
        InvalidCode: ``code`` is not a valid code of any scheme.
        NotEncodable: a GS1 symbology was asked for a code that has no GS1 element string.
    """
    recognition = _valid(code)
    if symbology not in _GS1_SYMBOLOGIES:
        return recognition.value if node is None else resolver_url(code, node, gs1_domain=gs1_domain)
    element_string = _element_string(recognition)
    if element_string is None:
        raise NotEncodable(
            f"{recognition.value} 不是 GS1 代码，不能编码为 GS1 {symbology}；请使用 QR 码",
            message_en=f"{recognition.value} is not a GS1 code and cannot be a GS1 {symbology}; use qr",
            field="symbology",
        )
    return element_string


def human_text(code: str) -> str:
    """The line printed under the symbol: hyphen-grouped ``zhuisu`` codes, GS1 HRI, else the canonical value."""
    recognition = recognize(code)
    if not recognition.valid:
        return code
    if recognition.scheme == "zhuisu":
        return zhuisu_code.format(recognition.value)
    return _element_string(recognition) or recognition.value


def _valid(code: str) -> Recognition:
    recognition = recognize(code)
    if not recognition.valid:
        raise NotEncodable(
            f"{code!r} 不是有效的追溯码：{recognition.error_zh or recognition.error}",
            message_en=f"{code!r} is not a valid code: {recognition.error}",
            field="code",
        )
    return recognition


def _element_string(recognition: Recognition) -> str | None:
    if recognition.scheme == "gs1-element-string":
        return recognition.value
    if recognition.scheme == "gs1-digital-link":
        return str(recognition.parts["element_string"])
    if recognition.scheme == "epc-urn" and recognition.parts.get("digital_link"):
        return _element_string(recognize(str(recognition.parts["digital_link"])))
    return None


def code_image(
    code: str,
    *,
    image_format: ImageFormat,
    symbology: Symbology = "qr",
    scale: int = 10,
    node: str | None = None,
    gs1_domain: bool = False,
) -> bytes:
    """One code's symbol as PNG bytes or SVG (UTF-8); a QR Code with a ``node`` carries its ``resolver_url``."""
    payload = symbol_payload(code, symbology, node=node, gs1_domain=gs1_domain)
    if symbology == "qr":
        matrix = render.qr_matrix(payload)
    elif symbology == "datamatrix":
        matrix = render.datamatrix_matrix(payload)
    else:
        matrix = render.gs1_qr_matrix(payload)
    if image_format == "png":
        return render.matrix_png(matrix, scale=scale)
    return render.matrix_svg(matrix, scale=scale).encode()
