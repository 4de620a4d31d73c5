"""In a real browser, the demo's school canteen: signed in, it records a receipt with an invoice photo on a tablet,
sees the row in today's ledger with its licence check (已核验), and downloads the day's workbook. The canteen is the
demo's (``zhuisu.demo.canteen``, planted by ``zhuisu demo load``), signed in with the token the load keeps for it."""

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests.browser.conftest import LiveServer, screenshot
from zhuisu.demo import canteen

JPEG = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 8 + b"\xff\xd9"


@pytest.fixture(scope="module")
def canteen_token(live_server: LiveServer) -> str:
    return (live_server.data_dir / "demo-canteen-token").read_text().strip()


def test_the_canteen_records_a_receipt_and_downloads_the_ledger(
    live_server: LiveServer, page: object, canteen_token: str, tmp_path: Path
) -> None:
    page.set_viewport_size({"width": 1024, "height": 1366})  # type: ignore[attr-defined]  # a tablet
    page.goto(f"{live_server.url}/signin?next=/canteen")  # type: ignore[attr-defined]
    page.fill("#token", canteen_token)  # type: ignore[attr-defined]
    page.click("form button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url(f"{live_server.url}/canteen")  # type: ignore[attr-defined]
    form = "#receive-form"
    page.fill(f"{form} input[name=supplier]", canteen.PARTIES[canteen.DISTRIBUTOR][0])  # type: ignore[attr-defined]
    page.fill(f"{form} input[name=product_name]", "鸡蛋")  # type: ignore[attr-defined]
    page.fill(f"{form} input[name=spec]", "30 枚/盒")  # type: ignore[attr-defined]
    page.fill(f"{form} input[name=quantity]", "12")  # type: ignore[attr-defined]
    page.select_option(f"{form} select[name=unit]", "XBX")  # type: ignore[attr-defined]
    page.fill(f"{form} input[name=lot]", "JD-BROWSER-1")  # type: ignore[attr-defined]
    page.fill(f"{form} input[name=invoice_number]", "FP-BROWSER-1")  # type: ignore[attr-defined]
    page.fill(f"{form} input[name=certificate_number]", "CC-BROWSER-1")  # type: ignore[attr-defined]
    page.fill(f"{form} input[name=receiver]", "李验收")  # type: ignore[attr-defined]
    page.set_input_files(  # type: ignore[attr-defined]
        f"{form} input[name=invoice_photo]", files=[{"name": "票据.jpg", "mimeType": "image/jpeg", "buffer": JPEG}]
    )
    page.click("#receive-submit")  # type: ignore[attr-defined]
    page.wait_for_url(re.compile(r".*/canteen/ledger\?day=\d{4}-\d{2}-\d{2}#r-\w+"))  # type: ignore[attr-defined]
    row = page.locator("tr.receipt", has_text="FP-BROWSER-1")  # type: ignore[attr-defined]
    assert row.locator("td.licence .badge").inner_text() == "已核验"
    assert row.locator("a.photo").count() == 1
    greens = page.locator("tr.receipt", has_text="青菜")  # type: ignore[attr-defined]
    if greens.count():  # the demo's delivery of the day, from the unlicensed greengrocer
        assert greens.first.locator("td.licence .badge").inner_text() == "未核验"
    screenshot(page, "canteen-ledger-on-a-tablet")
    with page.expect_download() as info:  # type: ignore[attr-defined]
        page.click("#export-xlsx")  # type: ignore[attr-defined]
    saved = tmp_path / "ledger.xlsx"
    info.value.save_as(str(saved))
    sheet = load_workbook(io.BytesIO(saved.read_bytes())).active
    assert sheet is not None
    cells = [[c.value for c in r] for r in sheet.iter_rows()]
    assert cells[0][:3] == ["日期", "品名", "规格"]
    mine = next(r for r in cells if r[8] == "FP-BROWSER-1")
    assert mine[1:6] == ["鸡蛋", "30 枚/盒", "12 箱", canteen.DISTRIBUTOR, "JY13701020077002 已核验"]
    assert Path(saved).stat().st_size > 0
