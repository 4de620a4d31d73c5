"""The market room's test world: a wholesaler that made and shipped a cabbage lot to stall A (with its 合格证 and
产地), a tomato lot it made without a 合格证, a farmers' market operator with stalls A and B, regulators in and out
of the city and of the mandate, and an outsider; tokens for each."""

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker
from stdnum import ean

from tests.support.epcis import document
from zhuisu.db.session import unit_of_work
from zhuisu.kit.time import BEIJING, utc_now
from zhuisu.models import Party
from zhuisu.parties import masterdata
from zhuisu.parties import service as parties_service
from zhuisu.sectors.market import service
from zhuisu.sectors.market.schemas import StallCreate

ZS = "https://zhuisu.cn/ns/epcis/"
CONTEXT = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"zs": ZS}]
BTT = "https://zhuisu.cn/voc/BTT-"


def _check(body: str) -> str:
    return body + ean.calc_check_digit(body)


CABBAGE, TOMATO = _check("0690777000001"), _check("0690777000002")
GLN = {
    key: _check("690777" + f"{n:06d}")
    for n, key in enumerate(("wholesaler", "wh", "operator", "market", "a", "a_site", "b", "b_site", "outsider"), 1)
}
CABBAGE_LOT = f"https://id.gs1.org/01/{CABBAGE}/10/BC1"
TOMATO_LOT = f"https://id.gs1.org/01/{TOMATO}/10/XH1"
#: When the wholesaler's events happened: two days before the test, on the hour (Beijing).
T0 = (utc_now() - timedelta(days=2)).astimezone(BEIJING).replace(minute=0, second=0, microsecond=0)
SHIPMENT_ID = "urn:uuid:00000000-0000-4000-8000-0000000000a2"


def site(key: str) -> str:
    return f"https://id.gs1.org/414/{GLN[key]}"


def pgln(key: str) -> str:
    return f"https://id.gs1.org/417/{GLN[key]}"


@dataclass
class World:
    tokens: dict[str, str]
    ids: dict[str, str]

    def h(self, who: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[who]}"}


def _event(n: int, when: datetime, step: str, at: str, code: str, qty: float, **fields: Any) -> dict[str, Any]:
    return {
        "type": "ObjectEvent",
        "eventID": f"urn:uuid:00000000-0000-4000-8000-0000000000{n:02x}",
        "eventTime": when.isoformat(timespec="milliseconds"),
        "eventTimeZoneOffset": "+08:00",
        "action": "ADD" if step == "commissioning" else "OBSERVE",
        "bizStep": step,
        "readPoint": {"id": site(at)},
        "bizLocation": {"id": site(at)},
        "quantityList": [{"epcClass": code, "quantity": qty, "uom": "KGM"}],
        **fields,
    }


def supplier_events() -> list[dict[str, Any]]:
    """The wholesaler's: both lots made (with their origin), 50 kg of cabbage shipped to stall A."""
    return [
        _event(0xA1, T0, "commissioning", "wh", CABBAGE_LOT, 100, ilmd={"zs:origin": "山东省寿光市"}),
        _event(
            0xA2,
            T0 + timedelta(hours=1),
            "shipping",
            "wh",
            CABBAGE_LOT,
            50,
            sourceList=[{"type": "owning_party", "source": pgln("wholesaler")}],
            destinationList=[
                {"type": "owning_party", "destination": pgln("a")},
                {"type": "location", "destination": site("a_site")},
            ],
            bizTransactionList=[
                {"type": "desadv", "bizTransaction": "urn:zhuisu:desadv:FH-0001"},
                {"type": BTT + "compliance_certificate", "bizTransaction": "urn:zhuisu:compliance_certificate:HG-1"},
            ],
        ),
        _event(0xA3, T0, "commissioning", "wh", TOMATO_LOT, 80, ilmd={"zs:origin": "山东省寿光市"}),
    ]


@pytest.fixture
def world(maker: sessionmaker[Session], client: TestClient) -> World:
    tokens, ids = {}, {}
    with unit_of_work(maker) as s:
        for key, jurisdiction, mandate in (
            ("regulator", "3701", ["edible_agri"]),
            ("regulator_elsewhere", "1101", ["edible_agri"]),
            ("regulator_drug", "3701", ["drug"]),
        ):
            reg = parties_service.create_party(s, name=f"监管 {key}", party_type="government")
            parties_service.grant(s, reg, actor_role="regulator", jurisdiction=jurisdiction, mandate=mandate)
            tokens[key] = parties_service.issue_token(s, party=reg).secret
        for key, name, roles in (
            ("wholesaler", "示范蔬菜批发有限公司", ["wholesaler"]),
            ("operator", "示范农贸市场管理有限公司", ["market"]),
            ("a", "王记蔬菜经营部", ["retailer"]),
            ("b", "张记果蔬店", ["retailer"]),
            ("outsider", "无关食品有限公司", []),
        ):
            p = parties_service.create_party(
                s, name=name, gln=GLN[key], region="370102", roles=roles, product_class="edible_agri"
            )
            tokens[key] = parties_service.issue_token(s, party=p).secret
            ids[key] = p.id
        parties = {k: s.get_one(Party, ids[k]) for k in ("wholesaler", "operator", "a", "b")}
        for key, owner, name in (
            ("wh", "wholesaler", "批发仓库"),
            ("market", "operator", "示范农贸市场"),
            ("a_site", "a", "王记蔬菜 A-01"),
            ("b_site", "b", "张记果蔬 A-02"),
        ):
            masterdata.add_location(s, parties[owner], name=name, gln=GLN[key], region="370102")
        for gtin, name in ((CABBAGE, "大白菜"), (TOMATO, "西红柿")):
            masterdata.register_product(
                s, name=name, class_id="edible_agri.vegetable", producer=parties["wholesaler"], gtin=gtin
            )
        for holder, stall_site, number in (("a", "a_site", "A-01"), ("b", "b_site", "A-02")):
            body = StallCreate(market=GLN["market"], holder=ids[holder], site=GLN[stall_site], number=number)
            ids[f"stall_{holder}"] = service.register_stall(s, body, actor=parties["operator"]).id
    r = client.post(
        "/capture",
        json=document(*supplier_events(), context=CONTEXT),
        headers={"Authorization": f"Bearer {tokens['wholesaler']}"},
    )
    assert r.status_code == 202, r.text
    return World(tokens, ids)
