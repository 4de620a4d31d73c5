"""Tests for zhuisu.labels.render: every PNG and SVG symbol decodes (zxing-cpp) to exactly what was encoded.

SVGs are rasterised with CairoSVG at the same scale as the PNG and must match it pixel for pixel.
"""

import io

import cairosvg
import pytest
import zxingcpp
from PIL import Image

from zhuisu.codes.errors import InvalidChecksum, InvalidCode, InvalidFormat
from zhuisu.labels import render
from zhuisu.labels.errors import NotEncodable
from zhuisu.labels.render import Matrix

QR_DATA = [
    "https://id.gs1.org/01/06901234567892/10/LOT1/21/ABC",
    "五常大米 5kg 示范市粮油有限公司",
    "86120012345678901234",
    "https://trace.example.cn/q?c=MA.156.M0.100020&lot=批次-1",
]

# (HRI, what a scanner transmits after the symbology identifier)
GS1_DATA = [
    ("(01)06901234567892", "0106901234567892"),
    ("(01)06901234567892(10)LOT1(21)ABC", "010690123456789210LOT1\x1d21ABC"),
    ("(01)06901234567892(17)261231(10)LOT1", "01069012345678921726123110LOT1"),
    ("(00)069012340000000016", "00069012340000000016"),
    # ")" is valid GS1 data; zint gets "[21]A)B", where it cannot be mistaken for the end of an AI.
    ("(01)06901234567892(21)A)B", "010690123456789221A)B"),
]


def _png_image(png: bytes) -> Image.Image:
    return Image.open(io.BytesIO(png)).convert("L")


def _svg_image(svg: str) -> Image.Image:
    png = cairosvg.svg2png(bytestring=svg.encode())
    assert isinstance(png, bytes)
    return Image.open(io.BytesIO(png)).convert("L")


def _decoded(image: Image.Image) -> list[tuple[zxingcpp.BarcodeFormat, str, bytes, str, str]]:
    return [
        (barcode.format, barcode.text, barcode.bytes, barcode.symbology_identifier, barcode.ec_level)
        for barcode in zxingcpp.read_barcodes(image)
    ]


class TestQr:
    @pytest.mark.parametrize("data", QR_DATA)
    def test_png_decodes(self, data: str) -> None:
        image = _png_image(render.qr_png(data))

        # byte mode in UTF-8, no FNC1 (]Q1), exactly level M
        assert _decoded(image) == [(zxingcpp.BarcodeFormat.QRCode, data, data.encode(), "]Q1", "M")]

    @pytest.mark.parametrize("data", QR_DATA)
    def test_svg_matches_png(self, data: str) -> None:
        svg_image = _svg_image(render.qr_svg(data, scale=4))
        png_image = _png_image(render.qr_png(data, scale=4))

        assert svg_image.size == png_image.size
        assert svg_image.tobytes() == png_image.tobytes()
        assert _decoded(svg_image) == [(zxingcpp.BarcodeFormat.QRCode, data, data.encode(), "]Q1", "M")]

    @pytest.mark.parametrize(("error", "expected"), [("L", "L"), ("Q", "Q"), ("H", "H")])
    def test_error_level(self, error: render.ErrorLevel, expected: str) -> None:
        image = _png_image(render.qr_png("86120012345678901234", error=error))

        assert [barcode.ec_level for barcode in zxingcpp.read_barcodes(image)] == [expected]

    def test_png_size(self) -> None:
        # 20 digits fit a version 1 symbol (21 modules) at level M; 4 modules of quiet zone on each side.
        image = _png_image(render.qr_png("86120012345678901234", scale=3, border=4))

        assert image.size == (3 * (21 + 8), 3 * (21 + 8))

    def test_largest(self) -> None:
        # version 40-M holds 2331 bytes
        assert render.qr_matrix("x" * 2331).width == 177

    def test_too_long(self) -> None:
        with pytest.raises(NotEncodable) as excinfo:
            render.qr_matrix("x" * 2332)

        assert excinfo.value.code == "not_encodable"
        assert excinfo.value.message_en == (
            f"Cannot encode {'x' * 40 + '…'!r} as QR Code: too long for a version 40 symbol"
        )


class TestDataMatrix:
    @pytest.mark.parametrize(("hri", "transmitted"), GS1_DATA)
    def test_png_decodes(self, hri: str, transmitted: str) -> None:
        image = _png_image(render.datamatrix_png(hri))

        # ]d2: FNC1 in first position; zxing-cpp reports the text in HRI form and the raw bytes with GS.
        assert _decoded(image) == [(zxingcpp.BarcodeFormat.DataMatrix, hri, transmitted.encode(), "]d2", "")]
        assert [barcode.content_type for barcode in zxingcpp.read_barcodes(image)] == [zxingcpp.ContentType.GS1]

    @pytest.mark.parametrize(("hri", "transmitted"), GS1_DATA)
    def test_svg_matches_png(self, hri: str, transmitted: str) -> None:
        svg_image = _svg_image(render.datamatrix_svg(hri, scale=4))
        png_image = _png_image(render.datamatrix_png(hri, scale=4))

        assert svg_image.tobytes() == png_image.tobytes()
        assert _decoded(svg_image) == [(zxingcpp.BarcodeFormat.DataMatrix, hri, transmitted.encode(), "]d2", "")]

    @pytest.mark.parametrize(
        ("hri", "side"),
        [("(01)06901234567892", 16), ("(01)06901234567892(10)LOT1(21)ABC", 20)],
    )
    def test_square(self, hri: str, side: int) -> None:
        matrix = render.datamatrix_matrix(hri)

        assert (matrix.width, matrix.height, matrix.quiet_zone) == (side, side, 2)

    @pytest.mark.parametrize(
        "raw",
        [
            "010690123456789210LOT1\x1d21ABC",
            "]d2010690123456789210LOT1\x1d21ABC",
            "(01)06901234567892 (10)LOT1 (21)ABC",
        ],
    )
    def test_other_input_forms_encode_the_canonical_hri(self, raw: str) -> None:
        image = _png_image(render.datamatrix_png(raw))

        assert _decoded(image) == [
            (
                zxingcpp.BarcodeFormat.DataMatrix,
                "(01)06901234567892(10)LOT1(21)ABC",
                b"010690123456789210LOT1\x1d21ABC",
                "]d2",
                "",
            )
        ]

    def test_too_long(self) -> None:
        element_string = "(01)06901234567892" + "(91)" + "!%" * 45 + "(92)" + "!%" * 45
        element_string += "".join(f"({ai}){'!%' * 45}" for ai in range(93, 100)) * 4

        with pytest.raises(NotEncodable) as excinfo:
            render.datamatrix_matrix(element_string)

        # the reason after the colon is zint's own text, which changes between zint versions
        assert excinfo.value.message_en.startswith(
            "Cannot encode '(01)06901234567892(91)!%!%!%!%!%!%!%!%!%…' as DataMatrix: Error "
        )

    @pytest.mark.parametrize(
        ("_case", "element_string", "error"),
        [
            ("gtin check digit", "(01)06901234567891", InvalidChecksum),
            ("chinese in lot", "(01)06901234567892(10)批次1", InvalidFormat),
            ("not an element string", "https://id.gs1.org/01/06901234567892", InvalidFormat),
            ("parenthesis in data", "(01)06901234567892(21)A(B)C", InvalidFormat),
        ],
    )
    def test_invalid_element_string(self, _case: str, element_string: str, error: type[InvalidCode]) -> None:
        with pytest.raises(error):
            render.datamatrix_matrix(element_string)


class TestGs1Qr:
    @pytest.mark.parametrize(("hri", "transmitted"), GS1_DATA)
    def test_png_decodes(self, hri: str, transmitted: str) -> None:
        image = _png_image(render.gs1_qr_png(hri))

        # ]Q3: FNC1 in first position (GS1 QR Code)
        assert _decoded(image) == [(zxingcpp.BarcodeFormat.QRCode, hri, transmitted.encode(), "]Q3", "M")]

    @pytest.mark.parametrize(("hri", "transmitted"), GS1_DATA)
    def test_svg_matches_png(self, hri: str, transmitted: str) -> None:
        svg_image = _svg_image(render.gs1_qr_svg(hri, scale=4))
        png_image = _png_image(render.gs1_qr_png(hri, scale=4))

        assert svg_image.tobytes() == png_image.tobytes()
        assert _decoded(svg_image) == [(zxingcpp.BarcodeFormat.QRCode, hri, transmitted.encode(), "]Q3", "M")]


class TestMatrix:
    MATRIX = Matrix(rows=(b"\x01\x01\x00", b"\x00\x01\x01", b"\x01\x00\x01"), quiet_zone=1)

    def test_runs(self) -> None:
        assert list(self.MATRIX.runs()) == [(0, 0, 2), (1, 1, 2), (0, 2, 1), (2, 2, 1)]

    def test_svg(self) -> None:
        assert render.matrix_svg(self.MATRIX, scale=2) == (
            '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 5 5" width="10" height="10" '
            'shape-rendering="crispEdges"><rect width="5" height="5" fill="#fff"/>'
            '<path fill="#000" d="M1 1h2v1h-2zM2 2h2v1h-2zM1 3h1v1h-1zM3 3h1v1h-1z"/></svg>'
        )

    def test_png(self) -> None:
        image = Image.open(io.BytesIO(render.matrix_png(self.MATRIX, scale=1, border=1)))

        assert (image.format, image.mode, image.size) == ("PNG", "1", (5, 5))
        assert image.convert("L").tobytes() == bytes(
            [255] * 5 + [255, 0, 0, 255, 255] + [255, 255, 0, 0, 255] + [255, 0, 255, 0, 255] + [255] * 5
        )
