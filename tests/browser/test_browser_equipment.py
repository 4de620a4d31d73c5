"""In a real browser, on the demo's special equipment: a phone scans an elevator's 一梯一码 label and lands on its
page (overdue: do not use), files a report from it, reads it in English; the city's regulator finds the overdue
equipment on the desk."""

from tests.browser.conftest import LiveServer, screenshot


def test_a_phone_scans_an_overdue_elevator_and_reports_it(live_server: LiveServer, page: object) -> None:
    # a phone of its own: the language toggle below sets a cookie the other tests' pages must not inherit
    phone = page.context.browser.new_context(  # type: ignore[attr-defined]
        viewport={"width": 390, "height": 844}, is_mobile=True, locale="zh-CN"
    )
    try:
        _scan_and_report(live_server, phone.new_page())
    finally:
        phone.close()


def _scan_and_report(live_server: LiveServer, page: object) -> None:
    # the label's QR: the product page URL of the code, sent on to the equipment's own page
    page.goto(f"{live_server.url}/c/311037001201900003")  # type: ignore[attr-defined]
    page.wait_for_url(f"{live_server.url}/e/311037001201900003")  # type: ignore[attr-defined]
    assert page.locator("#equipment-type").inner_text() == "曳引驱动乘客电梯"  # type: ignore[attr-defined]
    assert page.locator("#condition").inner_text() == "超期或检验不合格，停止使用"  # type: ignore[attr-defined]
    assert page.locator("#maintenance-unit").inner_text() == "示范市安达电梯维保有限公司"  # type: ignore[attr-defined]
    assert page.locator("#registration").inner_text() == "梯11鲁A00003(19)"  # type: ignore[attr-defined]
    assert page.locator("#advice").is_visible()  # type: ignore[attr-defined]
    assert page.evaluate("document.documentElement.scrollWidth") <= 390  # type: ignore[attr-defined]
    screenshot(page, "equipment-overdue-on-a-phone")
    page.check("#complaint-form input[value=report]")  # type: ignore[attr-defined]
    page.fill("#complaint-form textarea[name=message]", "电梯运行时有异响，维保记录已过期")  # type: ignore[attr-defined]
    page.check("#complaint-form input[name=anonymous]")  # type: ignore[attr-defined]
    page.click("#complaint-form button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_selector("#reference")  # type: ignore[attr-defined]
    page.goto(f"{live_server.url}/e/311037001201900003?lang=en")  # type: ignore[attr-defined]
    assert page.locator("#condition").inner_text() == "overdue or failed inspection: not to be used"  # type: ignore[attr-defined]


def test_the_regulator_finds_the_overdue_equipment_on_the_desk(live_server: LiveServer, page: object) -> None:
    page.set_viewport_size({"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page.goto(f"{live_server.url}/signin?next=/dashboard/equipment")  # type: ignore[attr-defined]
    page.fill("#token", live_server.regulator_token)  # type: ignore[attr-defined]
    page.click("form button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url(f"{live_server.url}/dashboard/equipment")  # type: ignore[attr-defined]
    page.select_option("select[name=condition]", "overdue")  # type: ignore[attr-defined]
    page.click("form.search button")  # type: ignore[attr-defined]
    page.wait_for_url("**condition=overdue*")  # type: ignore[attr-defined]
    codes = page.locator("#equipment tr.equipment td:first-child").all_inner_texts()  # type: ignore[attr-defined]
    assert codes == ["311037001201900003", "311037001201900004", "231037002202000004"]
    screenshot(page, "equipment-desk-overdue")
