"""Printable label sheets: a grid of labels on A4 pages, each a symbol over its code and product name, as PDF.

The default grid is 3 x 8 labels of 70 x 37.1 mm, which fits the common "24 per A4 sheet, 70 x 37 mm" label
stock; each label keeps 4 mm of padding, so nothing is printed within 4 mm of the page edge.

Symbols are drawn as vector rectangles (one per horizontal run of dark modules), so they print sharp at any
resolution. Text is set in WenQuanYi Micro Hei (shipped in ``fonts/``), embedded as a TrueType subset with a
``ToUnicode`` map: Chinese product names render on any viewer and printer and can be searched and copied.
"""

import io
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas

from zhuisu.labels.errors import InvalidSheetLayout
from zhuisu.labels.render import Matrix, datamatrix_matrix, gs1_qr_matrix, qr_matrix

Symbology = Literal["qr", "datamatrix", "gs1_qr"]
"""``qr``: the code as text (e.g. a GS1 Digital Link URI); ``datamatrix`` / ``gs1_qr``: the code is a GS1
element string (HRI or raw), encoded with FNC1."""

_ENCODERS: dict[Symbology, Callable[[str], Matrix]] = {
    "qr": qr_matrix,
    "datamatrix": datamatrix_matrix,
    "gs1_qr": gs1_qr_matrix,
}

_FONT_FILE = Path(__file__).parent / "fonts" / "wqy-microhei.ttc"
TITLE_FONT = "WenQuanYiMicroHei"
CODE_FONT = "WenQuanYiMicroHeiMono"

_PADDING = 4 * mm
_GAP = 1.5 * mm
_CODE_SIZES = (7.0, 6.5, 6.0, 5.5, 5.0)
_TITLE_SIZES = (8.0, 7.5, 7.0, 6.5, 6.0)
_TITLE_LINES = 2
_CODE_LINES = 2
_LEADING = 1.2


@dataclass(frozen=True)
class Label:
    """One label of a sheet."""

    code: str
    """What the symbol encodes."""
    text: str
    """The human-readable line printed under the symbol, usually the code itself or its HRI."""
    title: str
    """The product name printed under the text, e.g. ``五常大米 5kg 示范市粮油有限公司``."""


@dataclass(frozen=True)
class SheetLayout:
    """Where labels go on a page, in PDF points with the origin at the bottom left."""

    columns: int
    rows: int
    page_width: float = A4[0]
    page_height: float = A4[1]

    @property
    def per_page(self) -> int:
        return self.columns * self.rows

    @property
    def cell_width(self) -> float:
        return self.page_width / self.columns

    @property
    def cell_height(self) -> float:
        return self.page_height / self.rows

    def cell(self, index: int) -> tuple[float, float, float, float]:
        """``(left, bottom, right, top)`` of the ``index``-th label on its page (row by row from the top)."""
        row, column = divmod(index % self.per_page, self.columns)
        left = column * self.cell_width
        top = self.page_height - row * self.cell_height
        return left, top - self.cell_height, left + self.cell_width, top


def sheet_layout(per_page: int = 24, columns: int = 3) -> SheetLayout:
    """The grid for ``per_page`` labels in ``columns`` columns on A4 (the last row may be partly used).

    Raises:
        InvalidSheetLayout: a count is not positive, or a cell would be too small for a symbol and its text.
    """
    if per_page < 1 or columns < 1 or columns > per_page:
        raise InvalidSheetLayout(
            f"每页标签数 {per_page} 与列数 {columns} 不合理",
            message_en=f"Cannot lay out {per_page} labels per page in {columns} columns",
        )
    layout = SheetLayout(columns=columns, rows=-(-per_page // columns))
    if _symbol_side(layout) < 10 * mm:
        raise InvalidSheetLayout(
            f"每页 {per_page} 个标签时，标签过小，无法容纳符号和文字",
            message_en=f"At {per_page} labels per page a label is too small for a symbol and its text",
        )
    return layout


def label_sheet_pdf(
    labels: Sequence[Label], *, per_page: int = 24, columns: int = 3, symbology: Symbology = "qr"
) -> bytes:
    """A PDF of ``labels`` in order, ``per_page`` to an A4 page (see :func:`sheet_layout`).

    Every code is encoded before anything is drawn, so a bad code fails the whole sheet.

    Raises:
        InvalidCode: a code is not a valid GS1 element string (``datamatrix``, ``gs1_qr``).
        NotEncodable: a code does not fit in the largest symbol.
        InvalidSheetLayout: see :func:`sheet_layout`.
    """
    layout = sheet_layout(per_page, columns)
    encode = _ENCODERS[symbology]
    matrices = [encode(label.code) for label in labels]
    _register_fonts()
    out = io.BytesIO()
    canvas = Canvas(out, pagesize=(layout.page_width, layout.page_height), invariant=True, pageCompression=1)
    canvas.setTitle("zhuisu labels")
    canvas.setCreator("zhuisu")
    for index, (label, matrix) in enumerate(zip(labels, matrices, strict=True)):
        if index and index % layout.per_page == 0:
            canvas.showPage()
        _draw_label(canvas, layout, layout.cell(index), label, matrix)
    canvas.showPage()
    canvas.save()
    return out.getvalue()


@cache
def _register_fonts() -> None:
    # The collection holds a proportional face (titles) and a monospaced one (codes, easier to read back).
    pdfmetrics.registerFont(TTFont(TITLE_FONT, _FONT_FILE, subfontIndex=0))
    pdfmetrics.registerFont(TTFont(CODE_FONT, _FONT_FILE, subfontIndex=1))


def _text_height(sizes: tuple[float, ...], lines: int) -> float:
    return sizes[0] * _LEADING * lines


def _symbol_side(layout: SheetLayout) -> float:
    text = _text_height(_CODE_SIZES, 1) + _text_height(_TITLE_SIZES, _TITLE_LINES)
    return min(layout.cell_width - 2 * _PADDING, layout.cell_height - 2 * _PADDING - _GAP - text)


def _draw_label(
    canvas: Canvas, layout: SheetLayout, cell: tuple[float, float, float, float], label: Label, matrix: Matrix
) -> None:
    """Draw the symbol, the text and the title, centred as one block in ``cell``."""
    left, bottom, right, top = cell
    width = right - left - 2 * _PADDING
    side = _symbol_side(layout)
    code_size, code_lines = _fit(label.text, CODE_FONT, _CODE_SIZES, _CODE_LINES, width)
    title_size, title_lines = _fit(label.title, TITLE_FONT, _TITLE_SIZES, _TITLE_LINES, width)
    block = side + _GAP + (code_size * len(code_lines) + title_size * len(title_lines)) * _LEADING
    centre = (left + right) / 2
    y = top - (top - bottom - block) / 2
    _draw_matrix(canvas, matrix, centre - side / 2, y, side)
    y = _draw_lines(canvas, code_lines, CODE_FONT, code_size, centre, y - side - _GAP)
    _draw_lines(canvas, title_lines, TITLE_FONT, title_size, centre, y)


def _draw_matrix(canvas: Canvas, matrix: Matrix, left: float, top: float, side: float) -> None:
    """Draw ``matrix`` and its quiet zone in the ``side`` x ``side`` square hanging from ``(left, top)``."""
    span = max(matrix.width, matrix.height) + 2 * matrix.quiet_zone
    module = side / span
    x0 = left + (side - matrix.width * module) / 2
    y0 = top - (side - matrix.height * module) / 2
    path = canvas.beginPath()
    for x, y, length in matrix.runs():
        path.rect(x0 + x * module, y0 - (y + 1) * module, length * module, module)
    canvas.drawPath(path, stroke=0, fill=1)


def _draw_lines(canvas: Canvas, lines: list[str], font: str, size: float, centre: float, top: float) -> float:
    """Draw ``lines`` centred under ``top``; return the y below the last one."""
    ascent = pdfmetrics.getAscent(font, size)
    canvas.setFont(font, size)
    for line in lines:
        canvas.drawCentredString(centre, top - ascent, line)
        top -= size * _LEADING
    return top


def _fit(text: str, font: str, sizes: tuple[float, ...], max_lines: int, width: float) -> tuple[float, list[str]]:
    """The largest size at which ``text`` fits ``width`` on one line; else the smallest size, ``text`` broken
    at any character (CJK text has no spaces) and cut to ``max_lines`` with an ellipsis."""
    for size in sizes:
        if pdfmetrics.stringWidth(text, font, size) <= width:
            return size, [text]
    size = sizes[-1]
    lines: list[str] = []
    line = ""
    for char in text:
        if pdfmetrics.stringWidth(line + char, font, size) > width:
            lines.append(line)
            line = ""
        line += char
    lines.append(line)
    if len(lines) > max_lines:
        last = lines[max_lines - 1]
        while last and pdfmetrics.stringWidth(last + "…", font, size) > width:
            last = last[:-1]
        lines = [*lines[: max_lines - 1], last + "…"]
    return size, lines
