"""End to end in Debian's chromium: scan-to-story per product class, the 404 page, the regulator desk drawing
its charts, a complaint filed on a product page, seen and handled by the regulator, and signing out."""

from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pypdfium2
import zxingcpp

from tests.browser.conftest import LiveServer, screenshot
from zhuisu.labels.payload import code_image, human_text
from zhuisu.web.rendering import story_path

#: Counts the drawn (non-transparent, non-white) pixels of the first canvas under a selector; -1 if none.
DRAWN_PIXELS = """(selector) => {
  const canvas = document.querySelector(selector + ' canvas');
  if (!canvas) { return -1; }
  const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
  let drawn = 0;
  for (let i = 0; i < data.length; i += 4) {
    if (data[i + 3] > 0 && (data[i] < 245 || data[i + 1] < 245 || data[i + 2] < 245)) { drawn++; }
  }
  return drawn;
}"""


def _wait_drawn(page: object, selector: str, minimum: int = 2000) -> int:
    page.wait_for_function(f"({DRAWN_PIXELS})('{selector}') > {minimum}")  # type: ignore[attr-defined]
    count: int = page.evaluate(DRAWN_PIXELS, selector)  # type: ignore[attr-defined]
    return count


def _sign_in(page: object, server: LiveServer, token: str, target: str) -> None:
    page.goto(f"{server.url}/signin?next={target}")  # type: ignore[attr-defined]
    page.fill("#token", token)  # type: ignore[attr-defined]
    page.click("form button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url(f"{server.url}{target}")  # type: ignore[attr-defined]


def test_scan_to_story_for_each_class(live_server: LiveServer, page: object) -> None:
    for product_class, code in sorted(live_server.samples.items()):
        story = httpx.get(f"{live_server.url}/api/v1/portal/products/{story_path(code).lstrip('/')}").json()
        page.goto(live_server.url + story_path(code))  # type: ignore[attr-defined]
        assert page.locator("#code").inner_text() == story["code_text"]  # type: ignore[attr-defined]
        assert page.locator(".timeline li.step").count() == len(story["journey"])  # type: ignore[attr-defined]
        assert page.locator("#verified").is_visible() == story["verification"]["verified"]  # type: ignore[attr-defined]
        assert story["verification"]["verified"] is True
        _wait_drawn(page, "#region-map")
        provinces = sorted({region["code"][:2] + "0000" for region in story["regions"]})
        assert page.get_attribute("#region-map", "data-highlighted") == " ".join(provinces)  # type: ignore[attr-defined]
        assert page.locator(".timeline li.step time").first.inner_text().endswith("UTC+08:00")  # type: ignore[attr-defined]
        screenshot(page, f"story-{product_class}")


def test_scan_a_photo_of_a_label(live_server: LiveServer, page: object, tmp_path: Path) -> None:
    code = sorted(live_server.samples.values())[0]
    photo = tmp_path / "label.png"
    # as a label carries it: the code's page on this node
    photo.write_bytes(code_image(code, image_format="png", scale=8, node=live_server.url))
    page.goto(f"{live_server.url}/portal")  # type: ignore[attr-defined]
    page.set_input_files("#scan-file", str(photo))  # type: ignore[attr-defined]
    page.wait_for_url(live_server.url + story_path(code))  # type: ignore[attr-defined]
    assert page.locator("#code").inner_text() == human_text(code)  # type: ignore[attr-defined]


def test_unknown_code_gets_the_helpful_page(live_server: LiveServer, page: object) -> None:
    response = page.goto(f"{live_server.url}/01/06901234000016")  # type: ignore[attr-defined]
    assert response.status == 404
    assert page.locator("#not-found").is_visible()  # type: ignore[attr-defined]
    assert page.locator("form.search input[name=q]").is_visible()  # type: ignore[attr-defined]
    screenshot(page, "not-found")
    # a mistyped code: what is wrong, in plain words, and the box to retype it
    response = page.goto(f"{live_server.url}/01/06901234000019")  # type: ignore[attr-defined]
    assert response.status == 400
    assert page.locator("#not-found h1").inner_text() == "校验位错误"  # type: ignore[attr-defined]
    assert page.locator("form.search input[name=q]").is_visible()  # type: ignore[attr-defined]
    screenshot(page, "mistyped")


def test_dashboard_draws_its_charts(live_server: LiveServer, page: object) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})  # type: ignore[attr-defined]
    _sign_in(page, live_server, live_server.regulator_token, "/dashboard")
    for chart in ("#coverage-chart", "#volume-chart", "#region-chart"):
        assert _wait_drawn(page, chart, minimum=500) > 500
    assert page.get_attribute("#region-chart", "data-highlighted") == "370000"  # type: ignore[attr-defined]
    screenshot(page, "dashboard")
    code = sorted(live_server.samples.values())[0]
    page.goto(f"{live_server.url}/dashboard/trace?code={code}")  # type: ignore[attr-defined]
    assert _wait_drawn(page, "#trace-graph", minimum=500) > 500
    assert page.locator("#responsibility tr").count() > 1  # type: ignore[attr-defined]
    screenshot(page, "trace-explorer")


def test_complaint_reaches_the_regulator(live_server: LiveServer, page: object) -> None:
    code = sorted(live_server.samples.values())[0]
    page.goto(live_server.url + story_path(code))  # type: ignore[attr-defined]
    page.fill("#complaint-form textarea[name=message]", "冷链温度异常，肉色发暗")  # type: ignore[attr-defined]
    page.click("#complaint-form button[type=submit]")  # type: ignore[attr-defined]
    reference = page.locator("#reference").inner_text()  # type: ignore[attr-defined]
    assert reference.startswith("TS")
    screenshot(page, "complaint-ack")
    _sign_in(page, live_server, live_server.regulator_token, "/dashboard")
    row = page.locator("#complaints tr.complaint", has_text=reference)  # type: ignore[attr-defined]
    assert row.count() == 1
    assert "冷链温度异常，肉色发暗" in row.inner_text()


def test_the_regulator_handles_a_complaint_and_signs_out(live_server: LiveServer, page: object) -> None:
    code = sorted(live_server.samples.values())[0]
    page.goto(live_server.url + story_path(code))  # type: ignore[attr-defined]
    page.fill("#complaint-form textarea[name=message]", "标签与实物不符")  # type: ignore[attr-defined]
    page.click("#complaint-form button[type=submit]")  # type: ignore[attr-defined]
    reference = page.locator("#reference").inner_text()  # type: ignore[attr-defined]
    _sign_in(page, live_server, live_server.regulator_token, "/dashboard")
    row = page.locator("#complaints tr.complaint", has_text=reference)  # type: ignore[attr-defined]
    row.locator("select[name=status]").select_option("closed")
    row.locator("textarea[name=answer]").fill("已责令商家更换标签")  # closing needs an answer to the filer
    row.locator("button[type=submit]").click()  # the form carries the session's CSRF token
    page.wait_for_url(f"{live_server.url}/dashboard#complaints")  # type: ignore[attr-defined]
    handled = page.locator("#complaints tr.complaint", has_text=reference)  # type: ignore[attr-defined]
    assert handled.locator("td").nth(6).inner_text() == "已办结"
    assert "答复：已责令商家更换标签" in handled.locator("td").nth(7).inner_text()
    page.click("#signout-form button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url(f"{live_server.url}/signin")  # type: ignore[attr-defined]
    page.goto(f"{live_server.url}/dashboard")  # type: ignore[attr-defined]
    assert page.url == f"{live_server.url}/signin?next=/dashboard"  # type: ignore[attr-defined]
    # the person who filed follows it up by its reference number
    page.goto(f"{live_server.url}/complaint?reference={reference}")  # type: ignore[attr-defined]
    assert page.locator("#complaint-answer").inner_text() == "已责令商家更换标签"  # type: ignore[attr-defined]


def test_spreadsheet_upload_lists_rejected_rows(live_server: LiveServer, page: object, tmp_path: Path) -> None:
    sheet = tmp_path / "events.csv"
    sheet.write_text(
        "事件时间,追溯码,业务步骤,业务地点\n"
        "2026-10-04 08:30,(01)06901234123456(21)7001,shipping,6901234000016\n"
        "昨天,(01)06901234123456(21)7002,shipping,6901234000016\n"
        "2026-10-04 09:00,(01)06901234123456(21)7003,shipping,123\n",
        encoding="utf-8",
    )
    _sign_in(page, live_server, live_server.enterprise_token, "/console")
    assert page.locator("#template-xlsx").get_attribute("href") == "/console/template.xlsx?lang=zh"  # type: ignore[attr-defined]
    page.set_input_files("#upload-form input[type=file]", str(sheet))  # type: ignore[attr-defined]
    page.click("#upload-form button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_selector("#upload-summary")  # type: ignore[attr-defined]
    assert page.locator("#accepted").inner_text() == "1"  # type: ignore[attr-defined]
    assert page.locator("#rejected-count").inner_text() == "2"  # type: ignore[attr-defined]
    rows = page.locator("#rejected tr.rejected-row")  # type: ignore[attr-defined]
    assert [rows.nth(i).locator("td").nth(0).inner_text() for i in range(rows.count())] == ["3", "4"]
    assert [rows.nth(i).locator("td").nth(1).inner_text() for i in range(rows.count())] == [
        "事件时间 （A3）",
        "业务地点 （D4）",
    ]
    screenshot(page, "console-upload-rejected")


def test_an_enterprise_issues_codes_and_a_phone_opens_one_from_its_label(live_server: LiveServer, page: object) -> None:
    # the enterprise signs in with its token (landing on its console), issues two codes and downloads the labels
    page.goto(f"{live_server.url}/signin")  # type: ignore[attr-defined]
    page.fill("#token", live_server.enterprise_token)  # type: ignore[attr-defined]
    page.click("form button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url(f"{live_server.url}/console")  # type: ignore[attr-defined]
    page.fill("#issue-form input[name=product_code]", "RICE-5KG")  # type: ignore[attr-defined]
    page.fill("#issue-form input[name=product_name]", "五常大米 5kg")  # type: ignore[attr-defined]
    page.fill("#issue-form input[name=count]", "2")  # type: ignore[attr-defined]
    page.click("#issue-form button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url(f"{live_server.url}/console#batches")  # type: ignore[attr-defined]
    batch = page.locator("#batches tr.batch", has_text="五常大米 5kg")  # type: ignore[attr-defined]
    batch.first.wait_for()  # the redirected page may still be loading when the URL has changed
    assert batch.count() == 1
    href = batch.locator("a").get_attribute("href")
    pdf = page.request.get(live_server.url + href).body()  # type: ignore[attr-defined]
    image = pypdfium2.PdfDocument(pdf)[0].render(scale=200 / 72, grayscale=True).to_pil()
    urls = sorted(b.text for b in zxingcpp.read_barcodes(image))
    # a phone camera opens the URL in a label's QR Code (the node's base_url is http://127.0.0.1 here)
    assert [urlsplit(u).path[:6] for u in urls] == ["/c/ZS1", "/c/ZS1"]
    phone = page.context.new_page()  # type: ignore[attr-defined]
    phone.set_viewport_size({"width": 390, "height": 844})
    phone.goto(live_server.url + urlsplit(urls[0]).path)
    assert phone.locator("#product-name").inner_text() == "五常大米 5kg"
    assert phone.locator("#code").inner_text().startswith("ZS1-")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(phone, "issued-code-on-a-phone")
    phone.close()


def test_the_enterprise_fixes_its_spreadsheet(live_server: LiveServer, page: object, tmp_path: Path) -> None:
    header = "事件时间,追溯码,业务步骤,处置状态,业务地点\n"
    wrong, fixed = tmp_path / "一月.csv", tmp_path / "一月-改.csv"
    wrong.write_text(header + "2026/10/4 8:30,(01)06901234123456(21)7101,发货,坏了,6901234000016\n", encoding="utf-8")
    fixed.write_text(header + "2026/10/4 8:30,(01)06901234123456(21)7101,发货,运输中,6901234000016\n", encoding="utf-8")
    _sign_in(page, live_server, live_server.enterprise_token, "/console")
    for sheet in (wrong, fixed):
        page.set_input_files("#upload-form input[type=file]", str(sheet))  # type: ignore[attr-defined]
        page.click("#upload-form button[type=submit]")  # type: ignore[attr-defined]
        page.wait_for_selector("#upload-summary")  # type: ignore[attr-defined]
    assert page.locator("#accepted").inner_text() == "1"  # type: ignore[attr-defined]
    uploads = page.locator("#my-uploads tr.my-upload")  # type: ignore[attr-defined]
    assert [uploads.nth(i).locator("td").nth(1).inner_text() for i in range(2)] == ["一月-改.csv", "一月.csv"]
    uploads.nth(1).locator("summary").click()  # the rejected rows, folded under their count
    assert "第2行（D2） 处置状态：处置状态「坏了」不是可选的名称（见下拉列表）" in uploads.nth(1).inner_text()
    # 我的事件: the shipment, in Chinese
    page.goto(f"{live_server.url}/console?code=(01)06901234123456(21)7101")  # type: ignore[attr-defined]
    event = page.locator("#my-events tr.my-event")  # type: ignore[attr-defined]
    assert event.count() == 1
    assert [event.locator("td").nth(i).inner_text() for i in (0, 1, 2)] == ["2026-10-04 08:30", "发货", "运输中"]


def test_the_regulator_filters_alerts_by_region_name(live_server: LiveServer, page: object) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})  # type: ignore[attr-defined]
    _sign_in(page, live_server, live_server.regulator_token, "/dashboard/alerts")
    page.fill("form input[name=region]", "济南市")  # type: ignore[attr-defined]
    page.locator("form input[name=region]").press("Enter")  # type: ignore[attr-defined]
    page.wait_for_url("**region=*")  # type: ignore[attr-defined]
    assert page.locator("p.notice").count() == 0  # type: ignore[attr-defined]
    regions = page.locator("#alerts tr.alert td:nth-child(5)").all_inner_texts()  # type: ignore[attr-defined]
    assert regions
    assert all(r.startswith("山东省济南市") for r in regions)
    page.fill("form input[name=region]", "无此地")  # type: ignore[attr-defined]
    page.locator("form input[name=region]").press("Enter")  # type: ignore[attr-defined]
    page.wait_for_selector("p.notice")  # type: ignore[attr-defined]
    assert "没有找到地区「无此地」" in page.locator("p.notice").inner_text()  # type: ignore[attr-defined]
    screenshot(page, "desk-alerts-by-region-name")
