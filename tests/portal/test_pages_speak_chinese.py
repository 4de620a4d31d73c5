"""zh-CN pages as their readers see them: no CBV term or URI and no ISO/UTC timestamp in any text a page shows —
steps, dispositions, roles in Chinese, times in Beijing time. Scans the rendered pages of the demo city (the
product page of each code kind, every desk page, the console), on both databases."""

import html
import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.oversight.test_demo_risks import load_city
from zhuisu.catalog import service as catalog_service
from zhuisu.db.session import unit_of_work
from zhuisu.demo import city
from zhuisu.demo import service as demo_service
from zhuisu.epcis import cbv
from zhuisu.models import EventEpc, EventFlag, Party
from zhuisu.oversight import alerts
from zhuisu.oversight import service as oversight_service
from zhuisu.oversight.rules.base import RiskConfig
from zhuisu.parties import service as parties_service
from zhuisu.web.rendering import story_path

#: CBV terms a zh-CN page must not show as they are (but for four that are also plain English words).
CBV_TERMS = sorted({*cbv.BIZ_STEP.words, *cbv.DISPOSITION.words} - {"other", "unknown", "active", "available"})
CBV_WORD = re.compile(r"\b(" + "|".join(CBV_TERMS) + r")\b")
CBV_URI = re.compile(r"urn:epcglobal:cbv|ref\.gs1\.org/cbv|ref\.gs1\.org/voc")
ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")


def visible_text(page: str) -> str:
    """What a reader sees: no script, style, tags or attribute values (a ``datetime=""`` may be ISO)."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    page = re.sub(r"<[^>]+>", " ", page)
    return html.unescape(page)


@pytest.fixture
def readers(maker: sessionmaker[Session]) -> dict[str, Any]:
    with unit_of_work(maker) as session:
        catalog = demo_service.city_catalog(session)
        parties = load_city(session, list(city.city_events(600, seed=1, catalog=catalog)))
        demo_service.plant_risks(session, parties, seed=1, catalog=catalog)
        alerts.scan(session, config=RiskConfig.of(None))
        regulator = parties_service.create_party(session, name="国家市场监督管理总局", party_type="government")
        parties_service.grant(session, regulator, actor_role="regulator")
        enterprise = next(p for p in parties.values() if p.uscc and p.product_class)
        codes = {
            kind: str(session.scalar(select(EventEpc.value).where(EventEpc.value.contains(m)).order_by(EventEpc.value)))
            for kind, m in (("item", "/21/"), ("lot", "/10/"), ("unit", "/00/"))
        }
        return {
            "regulator": {"Authorization": f"Bearer {_token(session, regulator)}"},
            "enterprise": {"Authorization": f"Bearer {_token(session, session.get_one(Party, enterprise.id))}"},
            "codes": codes,
        }


def _token(session: Session, party: Party) -> str:
    return parties_service.issue_token(session, party=party).secret


def test_no_cbv_term_and_no_utc_time_on_a_zh_page(client: TestClient, readers: dict[str, Any]) -> None:
    codes: dict[str, str] = readers["codes"]
    pages: dict[str, tuple[str, dict[str, str] | None]] = {
        f"product page ({kind})": (story_path(code), None) for kind, code in codes.items()
    }
    desk = readers["regulator"]
    for path in ("", "/trace?code=" + codes["item"], "/impact?code=" + codes["lot"], "/alerts", "/recalls",
                 "/inspections", "/credit", "/evaluation", "/integrity"):  # fmt: skip
        pages[f"desk {path or '/'}"] = ("/dashboard" + path, desk)
    pages["console"] = ("/console", readers["enterprise"])
    pages["blacklist"] = ("/blacklist", None)
    found, seen = {}, {}
    for name, (path, headers) in pages.items():
        response = client.get(path, headers={"Accept-Language": "zh-CN", **(headers or {})})
        assert response.status_code == 200, (name, response.status_code)
        text = visible_text(response.text)
        seen[name] = text
        found[name] = sorted({*CBV_WORD.findall(text), *CBV_URI.findall(text), *ISO_TIME.findall(text)})
    assert found == {name: [] for name in pages}
    # the desk's graph: one node per registered party, however the events name it (a PGLN, the recorder)
    graph = client.get(f"/api/v1/dashboard/trace/{codes['item']}", headers=desk).json()
    parties = [n["name"] for n in graph["nodes"] if n["category"] == "party"]
    assert sorted(parties) == sorted(set(parties))
    assert len(parties) >= 2
    # the scan finds what it looks for, and reads what the pages say: the journey's and the desk's steps, in Chinese
    probes = ((CBV_WORD, "shipping"), (ISO_TIME, "2026-12-04T08:30Z"))
    assert [bool(p.search(visible_text(f"<td>{t}</td>"))) for p, t in probes] == [True, True]
    assert "赋码/生产" in seen["product page (item)"]
    assert "发货" in seen["desk /trace?code=" + codes["item"]]
    assert "投入产出不平衡" in seen["desk /alerts"]
    # flagged records: their class and missing data elements by name (the keys are rare_earth.smelted and batch)
    assert "稀土冶炼分离产品  批号" in seen["desk /"]
    assert "rare_earth" not in seen["desk /"]


def test_a_flag_is_named_as_the_catalog_names_it_and_a_licence_by_its_type(maker: sessionmaker[Session]) -> None:
    with unit_of_work(maker) as session:
        catalog = catalog_service.catalog_on(session)
    flag = EventFlag(class_id="food.dairy", rule_id="r", elements=["batch", "licence:sc_food_production", "gone"])
    flag.recorder_id = "p1"
    read = oversight_service._flag(catalog, flag, "urn:uuid:1")
    assert (read.class_name, read.class_name_en) == ("乳制品", "Dairy products")
    assert read.element_names == ["批号", "食品生产许可证（SC）", "gone"]
    assert read.element_names_en == ["batch/lot number", "food production licence (SC)", "gone"]
    assert read.elements == ["batch", "licence:sc_food_production", "gone"]
