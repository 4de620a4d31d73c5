"""In a real browser (zh-CN), the demo's rare earth group: the mine signs in, sees its quota used, records mining
output on its page and has a separation out of balance refused; the authority signs in to the desk, sees the
separation plant above its quota, and registers a revision that raises it.

The server is this module's own (a fresh database with the group planted, ``zhuisu.demo.rareearth.plant``)."""

from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from tests.browser.conftest import own_server, screenshot
from zhuisu.demo import rareearth
from zhuisu.kit.time import BEIJING, utc_now
from zhuisu.models import Event, RareEarthQuota
from zhuisu.parties import service as parties_service


@dataclass(frozen=True)
class RareEarthServer:
    url: str
    mine_token: str
    authority_token: str
    engine: Engine


@pytest.fixture(scope="module")
def rareearth_server() -> Iterator[RareEarthServer]:
    def prepare(session: Session) -> tuple[str, str]:
        rareearth.plant(session)
        mine = parties_service.find_party_by_name(session, rareearth.PARTIES[0].name)
        assert mine is not None
        return (
            parties_service.issue_token(session, party=mine).secret,
            parties_service.issue_token(session, party=rareearth.authority(session)).secret,
        )

    with own_server("zhuisu-rareearth-", prepare) as (url, tokens, engine):
        yield RareEarthServer(url, *tokens, engine)


def _count(engine: Engine, model: object) -> int:
    with engine.connect() as conn:
        return int(conn.scalar(select(func.count()).select_from(model)) or 0)  # type: ignore[arg-type]


def _sign_in(page: object, url: str, token: str, target: str) -> None:
    page.goto(f"{url}/signin?next={target}")  # type: ignore[attr-defined]
    page.fill("#token", token)  # type: ignore[attr-defined]
    page.click("form button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url(f"{url}{target}")  # type: ignore[attr-defined]


def test_the_mine_records_and_the_authority_revises(rareearth_server: RareEarthServer, page: object) -> None:
    server = rareearth_server
    year = utc_now().astimezone(BEIJING).year
    mine_site = rareearth.PARTIES[0].site_gln
    # the mine: its quota used, then 10 t more mined from its page
    _sign_in(page, server.url, server.mine_token, "/console/rareearth")
    row = page.locator("#usage tr.usage.mining")  # type: ignore[attr-defined]
    assert "87.00 %" in row.inner_text()
    assert f"工信部联原〔{year}〕27号" in row.inner_text()
    events = _count(server.engine, Event)
    page.fill("#mining-form input[name=site]", mine_site)  # type: ignore[attr-defined]
    page.fill("#mining-form input[name=product]", rareearth.CONCENTRATE)  # type: ignore[attr-defined]
    page.fill("#mining-form input[name=lot]", "BROWSER1")  # type: ignore[attr-defined]
    page.fill("#mining-form input[name=quantity]", "10")  # type: ignore[attr-defined]
    page.fill("#mining-form input[name=reo_content]", "60")  # type: ignore[attr-defined]
    page.click("#mining-form button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_selector("#recorded")  # type: ignore[attr-defined]
    assert "87.30 %" in page.locator("#usage tr.usage.mining").inner_text()  # type: ignore[attr-defined]
    assert _count(server.engine, Event) == events + 1
    screenshot(page, "rareearth-producer")
    # a separation whose outputs hold more REO than its inputs is refused, nothing stored
    page.fill("#separation-form input[name=site]", mine_site)  # type: ignore[attr-defined]
    for name, value in (("inputs-0-product", rareearth.CONCENTRATE), ("inputs-0-lot", "BROWSER1"),
                        ("inputs-0-quantity", "10"), ("outputs-0-product", rareearth.PRND),
                        ("outputs-0-lot", "BROWSERY"), ("outputs-0-quantity", "7"),
                        ("outputs-0-reo_content", "99")):  # fmt: skip
        page.fill(f"#separation-form input[name={name}]", value)  # type: ignore[attr-defined]
    page.click("#separation-form button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_selector("#rareearth-error")  # type: ignore[attr-defined]
    assert "物料不平衡" in page.locator("#rareearth-error").inner_text()  # type: ignore[attr-defined]
    assert _count(server.engine, Event) == events + 1
    # the authority: the plant above its quota, then a revision raising it
    _sign_in(page, server.url, server.authority_token, "/dashboard/rareearth")
    plant_row = page.locator("#usage tr.usage.separation")  # type: ignore[attr-defined]
    assert plant_row.locator("strong.bad").first.inner_text() == "107.25 %"
    quotas = _count(server.engine, RareEarthQuota)
    page.fill("#quota-form input[name=party]", rareearth.PARTIES[1].uscc)  # type: ignore[attr-defined]
    page.select_option("#quota-form select[name=kind]", "separation")  # type: ignore[attr-defined]
    page.fill("#quota-form input[name=quantity]", "1300")  # type: ignore[attr-defined]
    page.fill("#quota-form input[name=document_number]", f"工信部联原〔{year}〕30号")  # type: ignore[attr-defined]
    page.click("#quota-form button[type=submit]")  # type: ignore[attr-defined]
    page.wait_for_url(f"{server.url}/dashboard/rareearth?year={year}")  # type: ignore[attr-defined]
    assert "99.00 %" in page.locator("#usage tr.usage.separation").inner_text()  # type: ignore[attr-defined]
    assert _count(server.engine, RareEarthQuota) == quotas + 1
    screenshot(page, "rareearth-desk")
