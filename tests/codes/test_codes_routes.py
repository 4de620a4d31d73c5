"""HTTP tests of POST /codes/scan (text and photo) and GET /codes/{code}/label.png|svg."""

import io

import cairosvg
import zxingcpp
from fastapi.testclient import TestClient
from PIL import Image

from tests.conftest import Credentials
from tests.support.photo import photo_of
from zhuisu.labels import render

DL = "https://id.gs1.org/01/06901234567892/21/7"


def _decode(png: bytes) -> list[tuple[str, str]]:
    return [(b.format.name, b.text) for b in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


class TestScanText:
    def test_text_is_recognised(self, client: TestClient, creds: Credentials) -> None:
        response = client.post("/codes/scan", headers=creds.headers, json={"text": "]C1010692116850925610ABC123"})

        assert response.status_code == 200
        assert response.json() == {
            "source": "text",
            "results": [
                {
                    "input": "]C1010692116850925610ABC123",
                    "scheme": "gs1-element-string",
                    "valid": True,
                    "value": "(01)06921168509256(10)ABC123",
                    "parts": {
                        "symbology_identifier": "]C1",
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
                    "symbology": None,
                    "text": "]C1010692116850925610ABC123",
                }
            ],
        }

    def test_foreign_text_is_unknown_not_an_error(self, client: TestClient, creds: Credentials) -> None:
        response = client.post("/codes/scan", headers=creds.headers, json={"text": "ISBN 978-3-16-148410-0"})

        assert response.status_code == 200
        assert [(r["scheme"], r["valid"]) for r in response.json()["results"]] == [("unknown", False)]

    def test_missing_text_names_the_field(self, client: TestClient, creds: Credentials) -> None:
        response = client.post("/codes/scan", headers=creds.headers, json={"code": "x"})

        assert response.status_code == 400
        assert response.headers["content-type"] == "application/problem+json"
        assert (response.json()["code"], response.json()["field"]) == ("invalid_input", "text")

    def test_needs_a_token(self, client: TestClient) -> None:
        assert client.post("/codes/scan", json={"text": "x"}).status_code == 401


class TestScanImage:
    def test_photo_of_two_labels(self, client: TestClient, creds: Credentials) -> None:
        qr = Image.open(io.BytesIO(render.qr_png(DL, scale=6)))
        dm = Image.open(io.BytesIO(render.datamatrix_png("(01)06901234567892(10)L1(21)8", scale=8)))
        sheet = Image.new("L", (qr.width + dm.width + 60, max(qr.height, dm.height) + 40), 255)
        sheet.paste(qr, (20, 20))
        sheet.paste(dm, (qr.width + 40, 20))
        png = io.BytesIO()
        sheet.save(png, format="PNG")

        response = client.post(
            "/codes/scan",
            headers=creds.headers,
            files={"image": ("labels.jpg", photo_of(png.getvalue(), angle=8), "image/jpeg")},
        )

        assert response.status_code == 200
        results = sorted(response.json()["results"], key=lambda r: r["symbology"])
        assert [(r["symbology"], r["scheme"], r["valid"], r["value"]) for r in results] == [
            ("DataMatrix", "gs1-element-string", True, "(01)06901234567892(10)L1(21)8"),
            ("QRCode", "gs1-digital-link", True, DL),
        ]

    def test_not_an_image(self, client: TestClient, creds: Credentials) -> None:
        response = client.post("/codes/scan", headers=creds.headers, files={"image": ("a.jpg", b"not a picture")})

        assert response.status_code == 400
        assert (response.json()["code"], response.json()["field"]) == ("unreadable_image", "image")

    def test_upload_without_image_field(self, client: TestClient, creds: Credentials) -> None:
        response = client.post("/codes/scan", headers=creds.headers, files={"photo": ("a.jpg", b"x")})

        assert (response.status_code, response.json()["field"]) == (400, "image")


class TestLabel:
    def test_png_decodes_to_the_code(self, client: TestClient, creds: Credentials) -> None:
        response = client.get(f"/codes/{DL}/label.png", headers=creds.headers)

        assert (response.status_code, response.headers["content-type"]) == (200, "image/png")
        # the code's page on this node (base_url), as a label carries it
        assert _decode(response.content) == [("QRCode", DL.replace("https://id.gs1.org", "http://127.0.0.1:8000"))]

    def test_png_of_the_bare_code(self, client: TestClient, creds: Credentials) -> None:
        response = client.get(f"/codes/{DL}/label.png?link=false", headers=creds.headers)

        assert _decode(response.content) == [("QRCode", DL)]

    def test_datamatrix_png_carries_the_element_string(self, client: TestClient, creds: Credentials) -> None:
        response = client.get(f"/codes/{DL}/label.png?symbology=datamatrix&scale=4", headers=creds.headers)

        assert _decode(response.content) == [("DataMatrix", "(01)06901234567892(21)7")]

    def test_svg_decodes_to_the_code(self, client: TestClient, creds: Credentials) -> None:
        response = client.get("/codes/ZS1-110105-A1B2C3-0000000001-O/label.svg", headers=creds.headers)

        assert (response.status_code, response.headers["content-type"]) == (200, "image/svg+xml")
        png = cairosvg.svg2png(bytestring=response.content)
        assert _decode(png) == [("QRCode", "http://127.0.0.1:8000/c/ZS1110105A1B2C30000000001O")]

    def test_invalid_code_is_refused(self, client: TestClient, creds: Credentials) -> None:
        response = client.get("/codes/6901234567893/label.png", headers=creds.headers)

        assert (response.status_code, response.json()["code"], response.json()["field"]) == (
            400,
            "not_encodable",
            "code",
        )
