"""What a label's symbol carries for a code, the line printed under it, and one code's symbol as PNG or SVG.

A QR Code carries the code in its canonical form (a GS1 Digital Link URI, a ``zhuisu`` code, …), so a scanner
reads back exactly what was issued. A GS1 DataMatrix carries a GS1 element string, so it is offered only for
GS1 codes (element strings, Digital Links, EPC URNs of GS1 keys).

>>> symbol_payload("https://id.gs1.org/01/06901234567892/21/7", "datamatrix")
'(01)06901234567892(21)7'
>>> symbol_payload("zs1-110105-a1b2c3-0000000001-o", "qr")
'ZS1110105A1B2C30000000001O'
>>> human_text("ZS1110105A1B2C30000000001O"), human_text("https://id.gs1.org/01/06901234567892/21/7")
('ZS1-110105-A1B2C3-0000000001-O', '(01)06901234567892(21)7')
"""

from typing import Literal

from zhuisu.codes import zhuisu_code
from zhuisu.codes.recognize import Recognition, recognize
from zhuisu.labels import render
from zhuisu.labels.errors import NotEncodable
from zhuisu.labels.sheet import Symbology

_GS1_SYMBOLOGIES = ("datamatrix", "gs1_qr")
ImageFormat = Literal["png", "svg"]


def symbol_payload(code: str, symbology: Symbology) -> str:
    """The data to encode for ``code``.

    Raises:
        InvalidCode: ``code`` is not a valid code of any scheme.
        NotEncodable: a GS1 symbology was asked for a code that has no GS1 element string.
    """
    recognition = _valid(code)
    if symbology not in _GS1_SYMBOLOGIES:
        return recognition.value
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


def code_image(code: str, *, image_format: ImageFormat, symbology: Symbology = "qr", scale: int = 10) -> bytes:
    """One code's symbol as PNG bytes or SVG (UTF-8)."""
    payload = symbol_payload(code, symbology)
    if symbology == "qr":
        matrix = render.qr_matrix(payload)
    elif symbology == "datamatrix":
        matrix = render.datamatrix_matrix(payload)
    else:
        matrix = render.gs1_qr_matrix(payload)
    if image_format == "png":
        return render.matrix_png(matrix, scale=scale)
    return render.matrix_svg(matrix, scale=scale).encode()
