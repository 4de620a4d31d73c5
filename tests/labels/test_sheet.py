"""Tests for zhuisu.labels.sheet: a PDF sheet, rendered by PDFium, scans back to its codes in order and
carries its Chinese titles as extractable text in an embedded font.

Page 1 of the QR sheet is saved to ``test-artifacts/labels/`` for a look by eye.
"""

import ctypes
from dataclasses import dataclass
from pathlib import Path

import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest
import zxingcpp
from PIL import Image

from zhuisu.codes.errors import InvalidChecksum
from zhuisu.labels.errors import InvalidSheetLayout
from zhuisu.labels.sheet import Label, SheetLayout, Symbology, label_sheet_pdf, sheet_layout

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "labels"
DPI = 300
TITLE = "五常大米 5kg 示范市粮油有限公司"


@dataclass(frozen=True)
class ReadSheet:
    """What a scanner and a text extractor find on a sheet, label by label in reading order."""

    decoded: list[str]
    texts: list[str]
    fonts: set[tuple[str, bool]]
    pages: int


def _make_labels(symbology: Symbology, count: int) -> list[Label]:
    if symbology == "qr":
        codes = [f"https://id.gs1.org/01/06901234567892/21/SN{i:04d}" for i in range(count)]
    else:
        codes = [f"(01)06901234567892(10)LOT{i % 3}(21)SN{i:04d}" for i in range(count)]
    return [Label(code=code, text=code, title=f"{TITLE} 第{i}号") for i, code in enumerate(codes)]


def _fonts(page: pypdfium2.PdfPage) -> set[tuple[str, bool]]:
    """(base font name, embedded?) of every text object on ``page``."""
    fonts = set()
    name = ctypes.create_string_buffer(256)
    for obj in page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_TEXT]):
        font = pdfium_c.FPDFTextObj_GetFont(obj)
        pdfium_c.FPDFFont_GetBaseFontName(font, name, len(name))
        fonts.add((name.value.decode(), bool(pdfium_c.FPDFFont_GetIsEmbedded(font))))
    return fonts


def _cell_of(barcode: zxingcpp.Barcode, layout: SheetLayout, image: Image.Image) -> int:
    corners = [barcode.position.top_left, barcode.position.bottom_right]
    x = sum(point.x for point in corners) / 2 / image.width * layout.page_width
    y = sum(point.y for point in corners) / 2 / image.height * layout.page_height
    return int(y // layout.cell_height) * layout.columns + int(x // layout.cell_width)


def _read_sheet(pdf: bytes, layout: SheetLayout, count: int, screenshot: str | None = None) -> ReadSheet:
    document = pypdfium2.PdfDocument(pdf)
    read = ReadSheet(decoded=[], texts=[], fonts=set(), pages=len(document))
    try:
        for number, page in enumerate(document):
            image = page.render(scale=DPI / 72, grayscale=True).to_pil()
            if screenshot and number == 0:
                ARTIFACTS.mkdir(parents=True, exist_ok=True)
                image.save(ARTIFACTS / screenshot)
            by_cell = {_cell_of(barcode, layout, image): barcode.text for barcode in zxingcpp.read_barcodes(image)}
            read.decoded.extend(by_cell[cell] for cell in sorted(by_cell))
            text_page = page.get_textpage()
            on_page = min(layout.per_page, count - number * layout.per_page)
            read.texts.extend(text_page.get_text_bounded(*layout.cell(cell)) for cell in range(on_page))
            read.fonts.update(_fonts(page))
            text_page.close()
            page.close()
    finally:
        document.close()
    return read


EMBEDDED_FONTS = {("WenQuanYiMicroHei-0", True), ("WenQuanYiMicroHeiMono-1", True)}


class TestLabelSheetPdf:
    @pytest.mark.parametrize("symbology", ["qr", "datamatrix", "gs1_qr"])
    def test_48_labels_read_back_in_order(self, symbology: Symbology) -> None:
        # given
        labels = _make_labels(symbology, 48)

        # when
        pdf = label_sheet_pdf(labels, symbology=symbology)
        read = _read_sheet(pdf, sheet_layout(), 48, screenshot=f"sheet-{symbology}-page1.png")

        # then
        assert read.pages == 2
        assert read.decoded == [label.code for label in labels]
        assert read.texts == [f"{label.text}\r\n{label.title}" for label in labels]
        assert read.fonts == EMBEDDED_FONTS

    @pytest.mark.slow
    def test_1000_labels(self) -> None:
        labels = _make_labels("qr", 1000)

        pdf = label_sheet_pdf(labels)
        read = _read_sheet(pdf, sheet_layout(), 1000)

        assert read.pages == 42
        assert read.decoded == [label.code for label in labels]
        assert read.texts == [f"{label.text}\r\n{label.title}" for label in labels]

    def test_other_grid(self) -> None:
        labels = _make_labels("datamatrix", 7)

        pdf = label_sheet_pdf(labels, per_page=4, columns=2, symbology="datamatrix")
        read = _read_sheet(pdf, sheet_layout(4, 2), 7)

        assert read.pages == 2
        assert read.decoded == [label.code for label in labels]

    def test_long_title_wraps_to_two_lines_with_ellipsis(self) -> None:
        title = "黑龙江省五常市示范市粮油有限公司出品 五常大米稻花香二号 当季新米 真空包装礼盒 5kg × 2 袋" * 2
        label = Label(code="86120012345678901234", text="86120012345678901234", title=title)

        read = _read_sheet(label_sheet_pdf([label]), sheet_layout(), 1)

        code, first, second = read.texts[0].split("\r\n")
        assert code == "86120012345678901234"
        assert second.endswith("…")
        assert first + second[:-1] == title[: len(first) + len(second) - 1]

    def test_empty_sheet_is_one_blank_page(self) -> None:
        read = _read_sheet(label_sheet_pdf([]), sheet_layout(), 0)

        assert (read.pages, read.decoded, read.texts) == (1, [], [])

    def test_invalid_code_fails_the_whole_sheet(self) -> None:
        labels = [*_make_labels("datamatrix", 2), Label(code="(01)06901234567891", text="x", title="y")]

        with pytest.raises(InvalidChecksum):
            label_sheet_pdf(labels, symbology="datamatrix")

    def test_deterministic(self) -> None:
        labels = _make_labels("qr", 3)

        assert label_sheet_pdf(labels) == label_sheet_pdf(labels)


class TestSheetLayout:
    def test_default_is_3_by_8_on_a4(self) -> None:
        layout = sheet_layout()

        assert (layout.columns, layout.rows, layout.per_page) == (3, 8, 24)
        assert (round(layout.cell_width, 2), round(layout.cell_height, 2)) == (198.43, 105.24)
        assert layout.cell(0) == (
            0.0,
            layout.page_height - layout.cell_height,
            layout.cell_width,
            layout.page_height,
        )
        assert layout.cell(25) == layout.cell(1)

    @pytest.mark.parametrize(
        ("_case", "per_page", "columns"),
        [
            ("no labels", 0, 1),
            ("no columns", 24, 0),
            ("more columns than labels", 2, 3),
            ("too small", 200, 10),
        ],
    )
    def test_invalid(self, _case: str, per_page: int, columns: int) -> None:
        with pytest.raises(InvalidSheetLayout):
            sheet_layout(per_page, columns)
