"""Every kind of code ``make run`` can issue or load opens its product page from the URL its printed label's QR
Code carries (the label sheet rendered and decoded with zxing-cpp), on both databases: the demo city's items,
lots and logistic units (SSCC), and codes issued in the console — zhuisu item and lot codes, GS1 item codes."""

from urllib.parse import urlsplit

import pypdfium2
import pytest
import zxingcpp
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.oversight.test_demo_risks import load_city
from zhuisu.db.session import unit_of_work
from zhuisu.demo import city
from zhuisu.demo import service as demo_service
from zhuisu.issuance import labelling
from zhuisu.issuance import service as issuance_service
from zhuisu.labels.payload import human_text
from zhuisu.models import EventEpc, Party

NODE = "https://trace.example.cn"


def _label_urls(codes: list[str]) -> list[str]:
    """What a phone reads from each label of the codes' sheet, in the sheet's order."""
    pdf = labelling.codes_pdf(codes, title="示范", node=NODE)
    page = pypdfium2.PdfDocument(pdf)[0]
    image = page.render(scale=200 / 72, grayscale=True).to_pil()
    found = sorted(zxingcpp.read_barcodes(image), key=lambda b: (b.position.top_left.y // 100, b.position.top_left.x))
    return [b.text for b in found]


@pytest.fixture
def kinds(maker: sessionmaker[Session]) -> dict[str, str]:
    """One code of each kind the demo loads or the console issues."""
    with unit_of_work(maker) as session:
        catalog = demo_service.city_catalog(session)
        parties = load_city(session, list(city.city_events(600, seed=1, catalog=catalog)))
        found: dict[str, str] = {}
        for kind, marker in (("demo item", "/21/"), ("demo lot", "/10/"), ("demo logistic unit", "/00/")):
            found[kind] = str(
                session.scalar(select(EventEpc.value).where(EventEpc.value.contains(marker)).order_by(EventEpc.value))
            )
        maker_party = next(p for p in parties.values() if p.uscc)
        zs = issuance_service.issue_codes(
            session, party=maker_party, product_code="RICE-5KG", product_name="五常大米 5kg", lot="L9", count=1
        )
        found["issued zhuisu item"] = zs.codes[0]
        assert zs.batch.lot_code is not None
        found["issued zhuisu lot"] = zs.batch.lot_code
        owner = session.get_one(Party, maker_party.id)
        issuance_service.set_gs1_prefix(session, party=owner, prefix="6909876")
        gs1 = issuance_service.issue_codes(session, party=owner, gtin="6909876543212", product_name="大米", count=1)
        found["issued GS1 item"] = gs1.codes[0]
    return found


def test_every_code_kind_opens_its_page_from_its_label(client: TestClient, kinds: dict[str, str]) -> None:
    codes = list(kinds.values())
    urls = _label_urls(codes)
    assert len(urls) == len(codes)
    opened = {}
    for (kind, code), url in zip(kinds.items(), urls, strict=True):
        assert url.startswith(NODE + "/"), (kind, url)
        page = client.get(urlsplit(url).path)  # a phone camera opening the URL (no token)
        opened[kind] = (page.status_code, human_text(code) in page.text)
    assert opened == {kind: (200, True) for kind in kinds}
