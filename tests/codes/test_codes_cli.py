"""`zhuisu codes check` and `zhuisu codes scan` as a user runs them (no database)."""

import json
from pathlib import Path

from typer.testing import CliRunner

from tests.support.photo import photo_of
from zhuisu.app.cli import app
from zhuisu.labels import render

runner = CliRunner()


class TestCheck:
    def test_json_is_one_object_per_input(self) -> None:
        result = runner.invoke(
            app,
            [
                "codes",
                "check",
                "--json",
                "(01)06921168509256(10)ABC123",
                "215023010201500093",
                "6901234567893",
                "hello",
            ],
        )

        assert result.exit_code == 1  # some inputs are not valid codes
        assert json.loads(result.stdout) == [
            {
                "input": "(01)06921168509256(10)ABC123",
                "scheme": "gs1-element-string",
                "valid": True,
                "value": "(01)06921168509256(10)ABC123",
                "parts": {
                    "symbology_identifier": None,
                    "primary_ai": "01",
                    "gtin": "06921168509256",
                    "batch": "ABC123",
                    "elements": [
                        {"ai": "01", "title": "GTIN", "value": "06921168509256"},
                        {"ai": "10", "title": "BATCH/LOT", "value": "ABC123"},
                    ],
                },
                "error": None,
                "candidates": ["gs1-element-string"],
            },
            {
                "input": "215023010201500093",
                "scheme": "sscc",
                "valid": True,
                "value": "215023010201500093",
                "parts": {
                    "extension_digit": "2",
                    "gs1_prefix": None,
                    "prefix_usage": None,
                    "company_prefix": None,
                    "serial_reference": None,
                    "check_digit": "3",
                },
                "error": None,
                "candidates": ["sscc", "special-equipment-code"],
            },
            {
                "input": "6901234567893",
                "scheme": "gtin",
                "valid": False,
                "value": "6901234567893",
                "parts": {},
                "error": "check digit should be 2, got 3",
                "candidates": ["gtin", "gln", "detonator-code"],
            },
            {
                "input": "hello",
                "scheme": "unknown",
                "valid": False,
                "value": "hello",
                "parts": {},
                "error": "no supported code scheme recognises this value",
                "candidates": [],
            },
        ]

    def test_valid_codes_exit_zero_with_one_line_each(self) -> None:
        result = runner.invoke(app, ["codes", "check", "6901234567892", "ZS1-110105-A1B2C3-0000000001-O"])

        assert result.exit_code == 0
        assert result.stdout.splitlines() == [
            "✓ gtin                     6901234567892",
            "✓ zhuisu                   ZS1110105A1B2C30000000001O",
        ]


class TestScan:
    def test_photo_of_a_qr_label(self, tmp_path: Path) -> None:
        picture = tmp_path / "label.jpg"
        picture.write_bytes(photo_of(render.qr_png("https://id.gs1.org/01/06901234567892/21/7", scale=6)))

        result = runner.invoke(app, ["codes", "scan", str(picture), "--json"])

        assert result.exit_code == 0
        [found] = json.loads(result.stdout)
        assert (found["symbology"], found["scheme"], found["valid"], found["value"], found["parts"]["serial"]) == (
            "QRCode",
            "gs1-digital-link",
            True,
            "https://id.gs1.org/01/06901234567892/21/7",
            "7",
        )

    def test_photo_of_a_datamatrix_label(self, tmp_path: Path) -> None:
        picture = tmp_path / "label.jpg"
        picture.write_bytes(photo_of(render.datamatrix_png("(01)06901234567892(21)7", scale=6), angle=-25))

        result = runner.invoke(app, ["codes", "scan", str(picture)])

        assert (result.exit_code, result.stdout) == (0, "✓ gs1-element-string       (01)06901234567892(21)7\n")

    def test_picture_without_barcode_fails(self, tmp_path: Path) -> None:
        picture = tmp_path / "blank.png"
        picture.write_bytes(photo_of(render.qr_png("x", scale=1), scale=0.05))

        result = runner.invoke(app, ["codes", "scan", str(picture)])

        assert result.exit_code == 1
        assert result.stdout == ""
