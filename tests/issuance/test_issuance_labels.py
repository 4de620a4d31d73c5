"""Every label of an issued batch's PDF, rendered to images, decodes (zxing-cpp) to exactly its code: a QR Code
to the code's page on the node (``base_url``), which reads back as the code; a DataMatrix to its element string.

A 48-code batch runs by default; the 1,000-code sheet (42 A4 pages) is marked slow.
"""

import pypdfium2
import pytest
import zxingcpp
from sqlalchemy.orm import Session

from zhuisu.codes.canonical import canonical_code
from zhuisu.config import Settings
from zhuisu.issuance import codespace, labelling, service
from zhuisu.labels.sheet import Symbology
from zhuisu.parties import service as parties_service

PER_PAGE = 24
DPI = 200
NODE = "https://trace.example.cn"


def _decoded_pages(pdf: bytes) -> list[list[str]]:
    """The texts of the symbols on each page, in reading order (row by row)."""
    pages = []
    for page in pypdfium2.PdfDocument(pdf):
        image = page.render(scale=DPI / 72, grayscale=True).to_pil()
        found = zxingcpp.read_barcodes(image)
        cell_height = image.height / 8
        found = sorted(found, key=lambda b: (int(b.position.top_left.y // cell_height), b.position.top_left.x))
        pages.append([b.text for b in found])
    return pages


def _per_page(codes: list[str]) -> list[list[str]]:
    return [codes[i : i + PER_PAGE] for i in range(0, len(codes), PER_PAGE)]


def test_issued_batch_of_48_scans_back(session: Session) -> None:
    party = parties_service.create_party(session, name="示范市粮油有限公司", uscc="91110000600037341L")
    service.set_gs1_prefix(session, party=party, prefix="6901234")
    issued = service.issue_codes(session, party=party, gtin="6901234567892", product_name="五常大米 5kg", count=48)

    pdf = service.batch_labels_pdf(session, issued.batch.id, actor=party, settings=Settings(base_url=NODE))

    pages = _decoded_pages(pdf)
    urls = [NODE + code.removeprefix("https://id.gs1.org") for code in issued.codes]
    assert pages == _per_page(urls)
    # each URL reads back as its code (what the resolver and every upload do with a scanned label)
    assert [canonical_code(url) for page in pages for url in page] == issued.codes


def test_labels_may_point_to_id_gs1_org(session: Session) -> None:
    party = parties_service.create_party(session, name="示范市粮油有限公司", uscc="91110000600037341L")
    service.set_gs1_prefix(session, party=party, prefix="6901234")
    issued = service.issue_codes(session, party=party, gtin="6901234567892", product_name="五常大米 5kg", count=2)
    chosen = Settings(base_url=NODE, labels_gs1_resolver=True)

    pdf = service.batch_labels_pdf(session, issued.batch.id, actor=party, settings=chosen)

    assert _decoded_pages(pdf) == [issued.codes]


@pytest.mark.parametrize(
    ("symbology", "expected"),
    [
        ("qr", lambda code: code),
        ("datamatrix", codespace.element_string),
    ],
)
def test_gs1_batch_in_either_symbology(symbology: Symbology, expected: object) -> None:
    codes = codespace.codes_of("gs1/01/06901234567892", 999_990, 30)

    pdf = labelling.codes_pdf(codes, title="五常大米", symbology=symbology)

    assert _decoded_pages(pdf) == _per_page([expected(c) for c in codes])  # type: ignore[operator]


@pytest.mark.slow
@pytest.mark.parametrize("counter", ["zhuisu/440300/00Z9A1/1", "gs1/01/06901234567892"])
def test_sheet_of_1000_codes_scans_back(counter: str) -> None:
    codes = codespace.codes_of(counter, 1, 1000)

    pdf = labelling.codes_pdf(codes, title="深圳示范食品有限公司 冷鲜猪肉 500g")

    pages = _decoded_pages(pdf)
    assert len(pages) == 42
    assert pages == _per_page(codes)
