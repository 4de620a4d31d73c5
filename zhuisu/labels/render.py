"""Trace codes as scannable symbols: QR Code (ISO/IEC 18004) and GS1 DataMatrix (ISO/IEC 16022), PNG or SVG.

Encoding is done by libraries, drawing by this module:

- plain QR Code: segno, byte mode in UTF-8 for non-ASCII text (what phone scanners expect in China);
- GS1 DataMatrix and GS1 QR Code (FNC1 in first position, GS after each variable-length AI but the last, as
  the GS1 General Specifications prescribe): zxing-cpp's writer (zint inside), fed the element strings
  checked by :mod:`zhuisu.codes.gs1_element_string` (AI formats, check digits, dates).

Both encoders yield a :class:`Matrix` of modules, and one writer turns any matrix into PNG, SVG or (in
:mod:`zhuisu.labels.sheet`) PDF vectors, so every output of a symbol has the same modules and quiet zone.
"""

import io
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

import segno
import zxingcpp
from PIL import Image

from zhuisu.codes import gs1_element_string
from zhuisu.labels.errors import NotEncodable

ErrorLevel = Literal["L", "M", "Q", "H"]

QR_QUIET_ZONE = 4
"""ISO/IEC 18004: four modules on every side."""
DATAMATRIX_QUIET_ZONE = 2
"""ISO/IEC 16022 requires one module; two survive trimming and print spread."""

_DARK_TO_GREY = bytes.maketrans(b"\x00\x01", b"\xff\x00")
_GREY_TO_DARK = bytes(1 if value < 128 else 0 for value in range(256))


@dataclass(frozen=True)
class Matrix:
    """A 2D symbol's modules, without quiet zone: one ``bytes`` per row, 1 for a dark module, 0 for light."""

    rows: tuple[bytes, ...]
    quiet_zone: int
    """The quiet zone (in modules) to leave around the symbol when it is drawn."""

    @property
    def width(self) -> int:
        return len(self.rows[0])

    @property
    def height(self) -> int:
        return len(self.rows)

    def runs(self) -> Iterator[tuple[int, int, int]]:
        """Horizontal runs of dark modules as ``(x, y, length)``, top row first, y growing downwards."""
        for y, row in enumerate(self.rows):
            x = row.find(1)
            while x != -1:
                end = row.find(0, x)
                if end == -1:
                    end = len(row)
                yield x, y, end - x
                x = row.find(1, end)


def qr_matrix(data: str, *, error: ErrorLevel = "M") -> Matrix:
    """Encode ``data`` in the smallest QR Code at exactly error correction level ``error``.

    Raises:
        NotEncodable: ``data`` does not fit in a version 40 QR Code at that level.
    """
    try:
        qr = segno.make_qr(data, error=error, boost_error=False, encoding="utf-8")
    except segno.DataOverflowError as exc:
        raise _not_encodable("QR Code", data, "too long for a version 40 symbol") from exc
    return Matrix(rows=tuple(bytes(row) for row in qr.matrix), quiet_zone=QR_QUIET_ZONE)


def datamatrix_matrix(element_string: str) -> Matrix:
    """Encode a GS1 element string as a square GS1 DataMatrix (ECC 200, symbology identifier ``]d2``).

    ``element_string`` is in any form :mod:`zhuisu.codes.gs1_element_string` reads: HRI ``(01)…(10)…`` or
    raw with GS separators; scanners read back its canonical HRI.

    Raises:
        InvalidCode: the element string is invalid (format, check digit, date), see ``gs1_element_string``.
        NotEncodable: zint refused the data (e.g. it does not fit in a 144x144 symbol).
    """
    # forceSquare: without it zint may choose DMRE rectangles (ISO/IEC 21471), which older scanners reject.
    return _zxing_matrix(element_string, zxingcpp.BarcodeFormat.DataMatrix, DATAMATRIX_QUIET_ZONE, forceSquare=True)


def gs1_qr_matrix(element_string: str, *, error: ErrorLevel = "M") -> Matrix:
    """Encode a GS1 element string as a GS1 QR Code (FNC1 in first position, symbology identifier ``]Q3``).

    Raises:
        InvalidCode: the element string is invalid, see :func:`datamatrix_matrix`.
        NotEncodable: zint refused the data (e.g. too long for a version 40 symbol at that level).
    """
    return _zxing_matrix(element_string, zxingcpp.BarcodeFormat.QRCode, QR_QUIET_ZONE, ecLevel=error)


def _zxing_matrix(element_string: str, symbology: zxingcpp.BarcodeFormat, quiet_zone: int, **options: object) -> Matrix:
    elements = gs1_element_string.parts(element_string)["elements"]
    # Zint's bracketed input: unlike HRI, "[" cannot occur in GS1 data, so no value is mistaken for an AI.
    bracketed = "".join(f"[{element['ai']}]{element['value']}" for element in elements)
    try:
        # zxing-cpp ignores option names it does not know: a misspelt ``gs1`` would silently drop FNC1,
        # which is why the tests check the decoded symbology identifier.
        barcode = zxingcpp.create_barcode(bracketed, symbology, gs1=True, **options)
    except ValueError as exc:
        raise _not_encodable(symbology.name, element_string, str(exc)) from exc
    image = Image.fromarray(barcode.to_image(scale=1, add_quiet_zones=False))
    width, height = image.size
    modules = image.tobytes().translate(_GREY_TO_DARK)
    return Matrix(rows=tuple(modules[y * width : (y + 1) * width] for y in range(height)), quiet_zone=quiet_zone)


def matrix_png(matrix: Matrix, *, scale: int = 10, border: int | None = None) -> bytes:
    """A 1-bit PNG of ``matrix``, ``scale`` pixels per module, ``border`` modules of quiet zone (default: the
    symbology's)."""
    border = matrix.quiet_zone if border is None else border
    width, height = matrix.width + 2 * border, matrix.height + 2 * border
    blank = b"\xff" * width
    margin = b"\xff" * border
    pixels = b"".join(
        [blank] * border + [margin + row.translate(_DARK_TO_GREY) + margin for row in matrix.rows] + [blank] * border
    )
    image = Image.frombytes("L", (width, height), pixels)
    image = image.resize((width * scale, height * scale), Image.Resampling.NEAREST)
    image = image.convert("1", dither=Image.Dither.NONE)
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()


def matrix_svg(matrix: Matrix, *, scale: int = 10, border: int | None = None) -> str:
    """A standalone SVG of ``matrix``: a white background and one black path, one user unit per module, so the
    picture scales without blurring (``viewBox``); ``width``/``height`` are ``scale`` px per module."""
    border = matrix.quiet_zone if border is None else border
    width, height = matrix.width + 2 * border, matrix.height + 2 * border
    path = "".join(f"M{x + border} {y + border}h{n}v1h-{n}z" for x, y, n in matrix.runs())
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="{width * scale}" height="{height * scale}" shape-rendering="crispEdges">'
        f'<rect width="{width}" height="{height}" fill="#fff"/><path fill="#000" d="{path}"/></svg>'
    )


def qr_png(data: str, *, scale: int = 10, border: int = QR_QUIET_ZONE, error: ErrorLevel = "M") -> bytes:
    return matrix_png(qr_matrix(data, error=error), scale=scale, border=border)


def qr_svg(data: str, *, scale: int = 10, border: int = QR_QUIET_ZONE, error: ErrorLevel = "M") -> str:
    return matrix_svg(qr_matrix(data, error=error), scale=scale, border=border)


def datamatrix_png(element_string: str, *, scale: int = 10, border: int = DATAMATRIX_QUIET_ZONE) -> bytes:
    return matrix_png(datamatrix_matrix(element_string), scale=scale, border=border)


def datamatrix_svg(element_string: str, *, scale: int = 10, border: int = DATAMATRIX_QUIET_ZONE) -> str:
    return matrix_svg(datamatrix_matrix(element_string), scale=scale, border=border)


def gs1_qr_png(element_string: str, *, scale: int = 10, border: int = QR_QUIET_ZONE, error: ErrorLevel = "M") -> bytes:
    return matrix_png(gs1_qr_matrix(element_string, error=error), scale=scale, border=border)


def gs1_qr_svg(element_string: str, *, scale: int = 10, border: int = QR_QUIET_ZONE, error: ErrorLevel = "M") -> str:
    return matrix_svg(gs1_qr_matrix(element_string, error=error), scale=scale, border=border)


def _not_encodable(symbology: str, data: str, reason: str) -> NotEncodable:
    shown = data if len(data) <= 40 else data[:40] + "…"
    return NotEncodable(
        f"无法编码为 {symbology}：{shown!r}（{reason}）",
        message_en=f"Cannot encode {shown!r} as {symbology}: {reason}",
    )
