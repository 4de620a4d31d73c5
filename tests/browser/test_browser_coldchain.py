"""In a real browser (zh-CN), the demo's cold chain: the chilled pork lot's product page shows its cold-chain summary
with the chart drawn; the supermarket signs in, imports its next display-case logger file on ``/coldchain`` and sees
it listed; a file with a bad row is refused naming the line and column, and nothing is stored.

The server is this module's own (a fresh database with the cold chain's demo planted, ``zhuisu.demo.coldchain``)."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from tests.browser.conftest import own_server, screenshot
from zhuisu.demo import coldchain
from zhuisu.kit.time import BEIJING, utc_now
from zhuisu.models import LoggerFile
from zhuisu.parties import service as parties_service


@dataclass(frozen=True)
class ColdServer:
    url: str
    token: str
    engine: Engine


@pytest.fixture(scope="module")
def cold_server() -> Iterator[ColdServer]:
    def prepare(session: Session) -> str:
        coldchain.plant(session)
        shop = parties_service.find_party_by_name(session, coldchain.PARTIES[2].name)
        assert shop is not None
        return parties_service.issue_token(session, party=shop).secret

    with own_server("zhuisu-coldchain-", prepare) as (url, token, engine):
        yield ColdServer(url, token, engine)


def _files(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(LoggerFile)) or 0)


def test_the_product_page_and_an_import(cold_server: ColdServer, page: object, tmp_path: Path) -> None:
    server = cold_server
    # the lot's page: the summary and the chart
    page.goto(f"{server.url}/c/{coldchain.lot_code()}")  # type: ignore[attr-defined]
    assert page.locator("#coldchain-summary").inner_text() == (  # type: ignore[attr-defined]
        "50 条温度记录 · 最低 2 °C，最高 7.5 °C · 允许 -25～4 °C"
    )
    assert page.locator("#coldchain-outside").inner_text() == "超出范围 40 分钟（1 次）"  # type: ignore[attr-defined]
    assert page.locator("tr.coldchain-leg").count() == 2  # type: ignore[attr-defined]
    page.wait_for_selector("#coldchain-chart[data-drawn='1']")  # type: ignore[attr-defined]
    screenshot(page, "coldchain-product-page")
    # the supermarket imports its display case's next file
    page.goto(f"{server.url}/signin?next=/coldchain")  # type: ignore[attr-defined]
    page.fill("#token", server.token)  # type: ignore[attr-defined]
    page.click("form button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url(f"{server.url}/coldchain")  # type: ignore[attr-defined]
    assert page.locator("tr.log-row").count() == 1  # type: ignore[attr-defined]
    start = (utc_now() - timedelta(hours=6)).astimezone(BEIJING)
    rows = [f"{(start + timedelta(minutes=30 * n)):%Y-%m-%d %H:%M:%S},3.{n},DC-08" for n in range(6)]
    good, bad = tmp_path / "case.csv", tmp_path / "bad.csv"
    good.write_text("时间,温度(℃),设备编号\n" + "\n".join(rows) + "\n", encoding="gbk")
    bad.write_text("时间,温度(℃),设备编号\n" + rows[0] + "\n昨天,3,DC-08\n", encoding="utf-8")
    site = coldchain.PARTIES[2].site_gln

    def submit(path: Path) -> None:
        page.set_input_files("#import-form input[name=file]", str(path))  # type: ignore[attr-defined]
        page.fill("#import-form input[name=codes]", coldchain.lot_code())  # type: ignore[attr-defined]
        page.fill("#import-form input[name=location]", site)  # type: ignore[attr-defined]
        page.select_option("#import-form select[name=step]", "storing")  # type: ignore[attr-defined]
        page.click("#import-form button[type=submit]")  # type: ignore[attr-defined]

    submit(bad)
    page.wait_for_selector("#import-error")  # type: ignore[attr-defined]
    assert page.locator("#import-error").inner_text().startswith("第 3 行“时间”列")  # type: ignore[attr-defined]
    assert _files(server.engine) == 2
    submit(good)
    page.wait_for_selector("#import-summary")  # type: ignore[attr-defined]
    assert page.locator("#imported-readings").inner_text() == "6"  # type: ignore[attr-defined]
    assert page.locator("tr.log-row").count() == 2  # type: ignore[attr-defined]
    assert _files(server.engine) == 3
    screenshot(page, "coldchain-imported")
