"""A small world for the canteen ledger: a school canteen with a site, a licensed supplier (with a registered milk
product), an unlicensed one, another enterprise, regulators in and out of the jurisdiction and the mandate, and an
inspection body; each with a token."""

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from stdnum import ean
from stdnum.cn import uscc as stdnum_uscc

from zhuisu.db.session import unit_of_work
from zhuisu.models import Party
from zhuisu.oversight.inspections import service as inspections_service
from zhuisu.parties import masterdata
from zhuisu.parties import service as parties_service


def _gln(n: int) -> str:
    body = f"690999{n:06d}"
    return body + ean.calc_check_digit(body)


def uscc(n: int) -> str:
    body = f"91370102MA{n:07d}"
    return body + stdnum_uscc.calc_check_digit(body)


MILK = "0690999000001" + ean.calc_check_digit("0690999000001")
SITE = _gln(11)
RECEIVED_AT = "2026-06-01T09:30:00+08:00"


@dataclass
class World:
    tokens: dict[str, str]
    ids: dict[str, str]

    def h(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


@pytest.fixture
def world(maker: sessionmaker[Session]) -> World:
    tokens, ids = {}, {}
    with unit_of_work(maker) as s:
        for key, name, jurisdiction, mandate in (
            ("regulator", "示范市市场监督管理局", "3701", ["food"]),
            ("regulator_elsewhere", "外市市场监督管理局", "1101", ["food"]),
            ("regulator_no_mandate", "示范市药品监督管理局", "3701", ["drug"]),
        ):
            p = parties_service.create_party(s, name=name, party_type="government")
            parties_service.grant(s, p, actor_role="regulator", jurisdiction=jurisdiction, mandate=mandate)
            tokens[key], ids[key] = parties_service.issue_token(s, party=p).secret, p.id
        inspector = parties_service.create_party(s, name="示范市食品检验检测中心", region="370102")
        parties_service.grant(s, inspector, actor_role="inspector")
        tokens["inspector"], ids["inspector"] = parties_service.issue_token(s, party=inspector).secret, inspector.id
        for n, (key, name, role, cls) in enumerate(
            (
                ("canteen", "示范市第二中学食堂", "canteen", None),
                ("supplier", "示范市放心食品配送有限公司", "wholesaler", "food"),
                ("unlicensed", "示范市路边蔬菜摊", "retailer", "edible_agri.vegetable"),
                ("other", "示范市其他食品有限公司", "producer", "food"),
            ),
            1,
        ):
            p = parties_service.create_party(
                s, name=name, uscc=uscc(9900 + n), gln=_gln(n), region="370102", roles=[role], product_class=cls
            )
            tokens[key], ids[key] = parties_service.issue_token(s, party=p).secret, p.id
        canteen, supplier = s.get_one(Party, ids["canteen"]), s.get_one(Party, ids["supplier"])
        masterdata.add_location(s, canteen, name="食堂库房", gln=SITE, region="370102")
        masterdata.register_product(
            s, name="示范牌纯牛奶", class_id="food.dairy", producer=supplier, gtin=MILK, spec="250 mL"
        )
        lic = masterdata.add_licence(
            s, supplier, licence_type="food_business", number="JY13701020099002", valid_from=date(2026, 1, 1),
            valid_to=date(2026, 12, 31), issuer="示范市市场监督管理局",
        )  # fmt: skip
        inspections_service.confirm_licence(s, lic.id, actor=s.get_one(Party, ids["regulator"]), classes=["food"])
    return World(tokens, ids)


def receipt(**overrides: Any) -> dict[str, Any]:
    """A valid receipt of the supplier's milk (lot L1), as the API takes it."""
    body: dict[str, Any] = {
        "supplier": uscc(9902),
        "code": f"(01){MILK}(10)L1",
        "quantity": 20,
        "unit": "XBX",
        "production_date": "2026-05-28",
        "expiry": "2026-06-27",
        "invoice_number": "FP-0001",
        "certificate_number": "CC-L1",
        "receiver": "王建国",
        "received_at": RECEIVED_AT,
    }
    body.update(overrides)
    return body


def count(session: Session, model: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def post(client: TestClient, world: World, body: dict[str, Any], who: str = "canteen") -> Any:
    return client.post("/api/v1/canteen/receipts", json=body, headers=world.h(who))
