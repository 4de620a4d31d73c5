"""The rare earth tests' world: a mine, a separation plant and a buyer in 示范市 (370602), a mine far away
(110105), the regulators (rare earth of the city, rare earth elsewhere, food of the city), the admin, and the
products (two ores, an oxide), with a token each."""

from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from stdnum import ean

from zhuisu.db.session import unit_of_work
from zhuisu.models import Party
from zhuisu.parties import masterdata
from zhuisu.parties import service as parties_service

YEAR = 2025


def _check(body: str) -> str:
    return body + ean.calc_check_digit(body)


ORE, ORE2, OXIDE = (_check("0690444" + f"{n:06d}") for n in (1, 2, 3))
KEYS = ("mine", "mine_site", "plant", "plant_site", "buyer", "buyer_site", "far", "far_site")
GLN = {key: _check("690444" + f"{n:06d}") for n, key in enumerate(KEYS, 1)}
USCC = {"mine": "91370602MA0000001N", "plant": "91370602MA0000002R", "buyer": "91370602MA0000003W"}


def lot(gtin: str, name: str) -> str:
    return f"https://id.gs1.org/01/{gtin}/10/{name}"


def when(month: int, day: int = 1, hour: int = 8) -> str:
    return f"{YEAR}-{month:02d}-{day:02d}T{hour:02d}:00:00+08:00"


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
            ("regulator", "示范市工业和信息化局", "3706", ["rare_earth"]),
            ("regulator_elsewhere", "外市工业和信息化局", "1101", ["rare_earth"]),
            ("regulator_food", "示范市市场监督管理局", "3706", ["food"]),
        ):
            reg = parties_service.create_party(s, name=name, party_type="government")
            parties_service.grant(s, reg, actor_role="regulator", jurisdiction=jurisdiction, mandate=mandate)
            tokens[key], ids[key] = parties_service.issue_token(s, party=reg).secret, reg.id
        admin = parties_service.create_party(s, name="节点管理员")
        parties_service.grant(s, admin, actor_role="admin")
        tokens["admin"], ids["admin"] = parties_service.issue_token(s, party=admin).secret, admin.id
        for key, name, region in (
            ("mine", "示范稀土矿业有限公司", "370602"),
            ("plant", "示范稀土冶炼分离有限公司", "370602"),
            ("buyer", "示范永磁材料有限公司", "370602"),
            ("far", "外市稀土矿业有限公司", "110105"),
        ):
            p = parties_service.create_party(
                s, name=name, uscc=USCC.get(key), gln=GLN[key], region=region, product_class="rare_earth"
            )
            masterdata.add_location(s, p, name=f"{name}厂区", gln=GLN[f"{key}_site"], region=region)
            tokens[key], ids[key] = parties_service.issue_token(s, party=p).secret, p.id
        mine, plant = s.get_one(Party, ids["mine"]), s.get_one(Party, ids["plant"])
        for gtin, name, class_id, maker_party in (
            (ORE, "稀土精矿", "rare_earth.ore", mine),
            (ORE2, "离子型稀土矿", "rare_earth.ore", mine),
            (OXIDE, "氧化镨钕", "rare_earth.smelted", plant),
        ):
            masterdata.register_product(s, name=name, class_id=class_id, producer=maker_party, gtin=gtin)
    return World(tokens, ids)


def quota(client: TestClient, world: World, who: str = "regulator", **fields: Any) -> Any:
    body = {
        "party": world.ids["mine"],
        "year": YEAR,
        "kind": "mining",
        "quantity": 100,
        "document_number": "工信部联原〔2025〕1号",
        "issuer": "工业和信息化部",
        **fields,
    }
    return client.post("/api/v1/rareearth/quotas", json=body, headers=world.h(who))


def mining(client: TestClient, world: World, who: str = "mine", **fields: Any) -> Any:
    body = {
        "site": GLN[f"{who}_site"],
        "time": when(6),
        "product": ORE,
        "lot": "K1",
        "quantity": 100,
        "uom": "TNE",
        "reo_content": 40,
        **fields,
    }
    return client.post("/api/v1/rareearth/mining", json=body, headers=world.h(who))


def separation(client: TestClient, world: World, inputs: Any, outputs: Any, **fields: Any) -> Any:
    body = {"site": GLN["plant_site"], "time": when(7), "inputs": inputs, "outputs": outputs, **fields}
    return client.post("/api/v1/rareearth/separation", json=body, headers=world.h("plant"))


def sale(client: TestClient, world: World, who: str, buyer: str, goods: Any, **fields: Any) -> Any:
    body = {"site": GLN[f"{who}_site"], "time": when(8), "buyer": buyer, "goods": goods, "document": "INV-1", **fields}
    return client.post("/api/v1/rareearth/sales", json=body, headers=world.h(who))


def count(session: Session, model: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)
