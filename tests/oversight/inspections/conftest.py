"""A small world for inspections: producer A (food, 370602) with a registered dairy product, enterprise B, an
inspection body, a regulator of A's city with the food mandate, one of another city, and the admin."""

from dataclasses import dataclass
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from zhuisu.db.session import unit_of_work
from zhuisu.parties import masterdata
from zhuisu.parties import service as parties_service

GTIN = "06901234567892"
LOT = f"https://id.gs1.org/01/{GTIN}/10/L1"
A_USCC = "91110000600037341L"
A_GLN, A_SITE = "6901234000047", "6901234000115"


@dataclass(frozen=True)
class World:
    ids: dict[str, str]
    tokens: dict[str, str]

    def headers(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


@pytest.fixture
def world(maker: sessionmaker[Session]) -> World:
    ids: dict[str, str] = {}
    tokens: dict[str, str] = {}
    with unit_of_work(maker) as s:

        def party(key: str, name: str, role: str = "enterprise", **kw: Any) -> None:
            grant = {k: kw.pop(k) for k in ("jurisdiction", "mandate") if k in kw}
            found = parties_service.create_party(s, name=name, **kw)
            if role != "enterprise":
                parties_service.grant(s, found, actor_role=role, **grant)
            ids[key] = found.id
            tokens[key] = parties_service.issue_token(s, party=found).secret

        party("A", "示范市甲乳业有限公司", uscc=A_USCC, gln=A_GLN, region="370602", product_class="food")
        party("B", "示范市乙食品有限公司", region="370602", product_class="food")
        party("inspector", "示范市检验检测中心", "inspector", region="370602")
        party("regulator", "示范市市场监管局", "regulator", jurisdiction="3706", mandate=["food"])
        party("elsewhere", "另一市市场监管局", "regulator", jurisdiction="1101", mandate=["food"])
        party("admin", "节点管理员", "admin")
        a = parties_service.get_party(s, ids["A"])
        masterdata.add_location(s, a, name="甲工厂", gln=A_SITE, region="370602")
        masterdata.register_product(s, name="纯牛奶", class_id="food.dairy", producer=a, gtin=GTIN)
    return World(ids, tokens)


def count(session: Session, model: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def report(code: str = LOT, number: str = "JC-1", result: str = "fail", **over: Any) -> dict[str, Any]:
    items = [
        {"name": "菌落总数", "value": "2.0×10⁵", "unit": "CFU/g", "limit": "≤1.0×10⁵", "result": "fail"},
        {"name": "大肠菌群", "value": "<10", "unit": "CFU/g", "limit": "≤10", "result": "pass"},
    ]
    if result == "pass":
        items = items[1:]
    return {
        "lab": "示范市检验检测中心",
        "report_number": number,
        "sample": "纯牛奶样品",
        "code": code,
        "items": items,
        "result": result,
        "inspected_on": "2026-06-02",
    } | over
