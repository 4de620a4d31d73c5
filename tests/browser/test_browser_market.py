"""In a real browser on a phone (390×844, zh-CN), the demo's farmers' market: stall A-01's holder signs in, uploads a
photo of the supplier's label (a real GS1 DataMatrix) of a lot the wholesaler shipped to the stall, sees what it is,
confirms the purchase and finds it in the ledger; sells from it and opens the receipt's page; then records a sale
offline, comes back online and sends it — exactly one event stored, also when the phone sends it twice.

The server is this module's own (a fresh database with the market's demo planted, ``zhuisu.demo.market.plant``),
so the test needs neither the city's demo load nor ``zhuisu demo load`` to plant the market."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from tests.browser.conftest import own_server, screenshot
from zhuisu.capture import service as capture_service
from zhuisu.demo import generator, market
from zhuisu.kit.time import BEIJING, utc_now
from zhuisu.labels.render import datamatrix_png
from zhuisu.models import Event
from zhuisu.parties import service as parties_service

#: The lot the wholesaler ships to stall A-01 for this test (the demo's own lot is bought already).
LOT = "BC2613"
CODE = f"https://id.gs1.org/01/{market.CABBAGE}/10/{LOT}"
WANG_SITE = "https://id.gs1.org/414/" + market.PARTIES[2].site_gln


@dataclass(frozen=True)
class MarketServer:
    url: str
    token: str
    engine: Engine


def _shipment(now_minus_hours: int) -> dict[str, object]:
    when = (utc_now() - timedelta(hours=now_minus_hours)).astimezone(BEIJING).isoformat(timespec="milliseconds")
    wang = market.PARTIES[2]
    return {
        "@context": generator.CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": when,
        "epcisBody": {
            "eventList": [
                {
                    "type": "ObjectEvent",
                    "eventID": "urn:uuid:6a1f8c3e-0000-4000-8000-00000000b001",
                    "eventTime": when,
                    "eventTimeZoneOffset": "+08:00",
                    "action": "OBSERVE",
                    "bizStep": "shipping",
                    "readPoint": {"id": "https://id.gs1.org/414/" + market.PARTIES[0].site_gln},
                    "bizLocation": {"id": "https://id.gs1.org/414/" + market.PARTIES[0].site_gln},
                    "quantityList": [{"epcClass": CODE, "quantity": 20, "uom": "KGM"}],
                    "sourceList": [
                        {"type": "owning_party", "source": "https://id.gs1.org/417/" + market.PARTIES[0].gln}
                    ],
                    "destinationList": [
                        {"type": "owning_party", "destination": "https://id.gs1.org/417/" + wang.gln},
                        {"type": "location", "destination": WANG_SITE},
                    ],
                    "bizTransactionList": [
                        {"type": "desadv", "bizTransaction": "urn:zhuisu:desadv:FH-2613-001"},
                        {
                            "type": "https://zhuisu.cn/voc/BTT-compliance_certificate",
                            "bizTransaction": "urn:zhuisu:compliance_certificate:HG-2613-001",
                        },
                    ],
                    "zs:origin": market.ORIGIN,
                }
            ]
        },
    }


@pytest.fixture(scope="module")
def market_server() -> Iterator[MarketServer]:
    def prepare(session: Session) -> str:
        market.plant(session)
        wang = market.party(session, "wang")
        assert wang is not None
        wholesaler = market.party(session, "wholesaler")
        assert wholesaler is not None
        capture_service.capture_document(session, _shipment(2), actor=wholesaler, source="browser test")
        return parties_service.issue_token(session, party=wang).secret

    with own_server("zhuisu-market-", prepare) as (url, token, engine):
        yield MarketServer(url, token, engine)


def _sales(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(
            conn.scalar(
                select(func.count())
                .select_from(Event)
                .where(Event.biz_step == "retail_selling", Event.biz_location == WANG_SITE)
            )
            or 0
        )


def test_a_stall_buys_by_scan_sells_with_a_receipt_and_works_offline(
    market_server: MarketServer, page: object, tmp_path: Path
) -> None:
    server = market_server
    context = page.context  # type: ignore[attr-defined]
    page.set_viewport_size({"width": 390, "height": 844})  # type: ignore[attr-defined]
    # the stall holder signs in on its phone
    page.goto(f"{server.url}/signin?next=/market")  # type: ignore[attr-defined]
    page.fill("#token", server.token)  # type: ignore[attr-defined]
    page.click("form button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url(f"{server.url}/market")  # type: ignore[attr-defined]
    assert page.locator("#stall-name").inner_text() == "王记蔬菜（山水农贸市场 A-01）"  # type: ignore[attr-defined]
    # a photo of the supplier's label: a GS1 DataMatrix of the lot shipped to the stall
    label = tmp_path / "label.png"
    label.write_bytes(datamatrix_png(f"(01){market.CABBAGE}(10){LOT}", scale=8))
    page.set_input_files("#scan-photo", str(label))  # type: ignore[attr-defined]
    page.wait_for_selector("#found:not([hidden])")  # type: ignore[attr-defined]
    assert page.locator("#found-product").inner_text() == "大白菜（散装）"  # type: ignore[attr-defined]
    assert page.locator("#found-lot").inner_text() == LOT  # type: ignore[attr-defined]
    assert page.locator("#found-supplier").inner_text() == "示范市匡山蔬菜批发有限公司 (已发货至本摊位)"  # type: ignore[attr-defined]
    assert page.input_value("#purchase-form input[name=compliance_certificate]") == "HG-2613-001"  # type: ignore[attr-defined]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # type: ignore[attr-defined]
    screenshot(page, "market-scanned-label")
    # 40 斤 at ¥1.30
    page.fill("#purchase-form input[name=quantity]", "40")  # type: ignore[attr-defined]
    page.select_option("#purchase-form select[name=unit]", "jin")  # type: ignore[attr-defined]
    page.fill("#purchase-form input[name=unit_price]", "1.3")  # type: ignore[attr-defined]
    page.click("#purchase-confirm")  # type: ignore[attr-defined]
    page.wait_for_selector("#purchase-result:has-text('进货已记录')")  # type: ignore[attr-defined]
    page.click(".market-tabs [data-tab=ledger]")  # type: ignore[attr-defined]
    bought = page.locator(".entry.purchase", has_text=LOT)  # type: ignore[attr-defined]
    bought.wait_for()
    assert bought.inner_text().startswith("⬇ 大白菜（散装） · BC2613 40 斤")
    assert page.locator("#on-hand tr.lot", has_text=LOT).locator("td").nth(4).inner_text() == "20"  # type: ignore[attr-defined]
    screenshot(page, "market-ledger")
    # a sale from it, and the receipt's page
    page.click(".market-tabs [data-tab=sale]")  # type: ignore[attr-defined]
    page.select_option("#sale-lot", CODE)  # type: ignore[attr-defined]
    page.fill("#sale-form input[name=quantity]", "3")  # type: ignore[attr-defined]
    page.fill("#sale-form input[name=unit_price]", "2.6")  # type: ignore[attr-defined]
    page.click("#sale-confirm")  # type: ignore[attr-defined]
    page.wait_for_selector("#receipt-links:not([hidden])")  # type: ignore[attr-defined]
    before = _sales(server.engine)
    page.click("#receipt-public")  # type: ignore[attr-defined]
    page.wait_for_url(f"{server.url}/r/*")  # type: ignore[attr-defined]
    assert page.locator("#receipt-product").inner_text() == f"大白菜（散装） · 批次 {LOT}"  # type: ignore[attr-defined]
    assert page.locator("#receipt-quantity").inner_text() == "3 斤"  # type: ignore[attr-defined]
    assert page.get_attribute("#receipt-story", "href") == f"/01/{market.CABBAGE}/10/{LOT}"  # type: ignore[attr-defined]
    screenshot(page, "market-receipt")
    # offline: the sale waits on the phone
    page.goto(f"{server.url}/market#sale")  # type: ignore[attr-defined]
    page.wait_for_selector(f"#sale-lot option[value='{CODE}']", state="attached")  # type: ignore[attr-defined]
    context.set_offline(True)
    try:
        page.wait_for_selector("#connection:not([hidden])")  # type: ignore[attr-defined]
        page.select_option("#sale-lot", CODE)  # type: ignore[attr-defined]
        page.fill("#sale-form input[name=quantity]", "2")  # type: ignore[attr-defined]
        page.click("#sale-confirm")  # type: ignore[attr-defined]
        page.wait_for_selector("#sale-result:has-text('已保存在本机')")  # type: ignore[attr-defined]
        assert page.locator("#queue-count").inner_text() == "1"  # type: ignore[attr-defined]
        kept = page.evaluate("Object.keys(localStorage).filter(k => k.startsWith('zhuisu.market.queue.'))")  # type: ignore[attr-defined]
        queued = page.evaluate(f"localStorage.getItem('{kept[0]}')")  # type: ignore[attr-defined]
        assert _sales(server.engine) == before
    finally:
        context.set_offline(False)
    # back online: sent once
    page.wait_for_selector("#synced:has-text('已发送记录: 1')")  # type: ignore[attr-defined]
    assert page.locator("#queue").is_hidden()  # type: ignore[attr-defined]
    assert _sales(server.engine) == before + 1
    # the phone sends the same entry again (it never heard the answer): a duplicate, not a second record
    page.evaluate(f"localStorage.setItem('{kept[0]}', {queued!r})")  # type: ignore[attr-defined]
    page.reload()  # type: ignore[attr-defined]
    page.wait_for_selector("#synced:has-text('已发送记录: 1')")  # type: ignore[attr-defined]
    assert _sales(server.engine) == before + 1
