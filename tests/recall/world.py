"""A small chain to recall, built through the real services and ``POST /capture``.

Producer A (示范市, 370602) makes lot L1 into items 1–4 of its milk; ships items 1 and 2 to retailer B (370602) and
3 and 4 to retailer C (北京, 110105). A regulator of A's city with the food mandate, one of another city, one of A's
city with only the drug mandate, and an unrelated enterprise D complete the cast.
"""

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Credentials
from tests.support.epcis import document
from zhuisu.db.session import unit_of_work
from zhuisu.kit.time import format_iso, utc_now
from zhuisu.models import Party
from zhuisu.parties import masterdata
from zhuisu.parties import service as parties_service

GTIN = "06901234567892"
LOT = f"https://id.gs1.org/01/{GTIN}/10/L1"
ITEMS = [f"https://id.gs1.org/01/{GTIN}/21/{n}" for n in range(1, 5)]
A_PGLN, B_PGLN, C_PGLN, D_PGLN = "6901234000047", "6901234000054", "6901234000061", "6901234000078"
A_SITE, B_SITE, C_SITE = "6901234000115", "6901234000122", "6901234000139"
PGLN = "https://id.gs1.org/417/"
SGLN = "https://id.gs1.org/414/"


@dataclass(frozen=True)
class World:
    a: Credentials
    b: Credentials
    c: Credentials
    d: Credentials
    regulator: Credentials
    regulator_elsewhere: Credentials
    regulator_no_mandate: Credentials
    admin: Credentials


def build(client: TestClient, maker: sessionmaker[Session]) -> World:
    made: dict[str, Credentials] = {}
    with unit_of_work(maker) as s:
        for key, name, gln, site, region in (
            ("a", "示范市甲乳业有限公司", A_PGLN, A_SITE, "370602"),
            ("b", "示范市乙超市", B_PGLN, B_SITE, "370602"),
            ("c", "北京丙超市", C_PGLN, C_SITE, "110105"),
            ("d", "示范市丁食品有限公司", D_PGLN, None, "370602"),
        ):
            party = parties_service.create_party(s, name=name, gln=gln, region=region)
            if site:
                masterdata.add_location(s, party, name=f"{name}门店", gln=site)
            made[key] = Credentials(party.id, parties_service.issue_token(s, party=party).secret)
        for key, jurisdiction, mandate in (
            ("regulator", "3706", ["food"]),
            ("regulator_elsewhere", "1101", ["food"]),
            ("regulator_no_mandate", "3706", ["drug"]),
        ):
            party = parties_service.create_party(s, name=f"监管 {key}", party_type="government")
            parties_service.grant(s, party, actor_role="regulator", jurisdiction=jurisdiction, mandate=mandate)
            made[key] = Credentials(party.id, parties_service.issue_token(s, party=party).secret)
        admin = parties_service.create_party(s, name="节点管理员")
        parties_service.grant(s, admin, actor_role="admin")
        made["admin"] = Credentials(admin.id, parties_service.issue_token(s, party=admin).secret)
    world = World(**made)
    making = {
        "type": "TransformationEvent",
        "eventTime": "2026-11-01T08:00:00.000+08:00",
        "eventTimeZoneOffset": "+08:00",
        "inputQuantityList": [{"epcClass": LOT, "quantity": 4}],
        "outputEPCList": ITEMS,
        "bizStep": "commissioning",
        "bizLocation": {"id": SGLN + A_SITE},
    }
    shipments = [_ship(ITEMS[:2], A_PGLN, B_PGLN, A_SITE, 2), _ship(ITEMS[2:], A_PGLN, C_PGLN, A_SITE, 3)]
    capture(client, world.a, making, *shipments)
    with unit_of_work(maker) as s:  # registered once its chain is in: the food rules would ask for dates and batch
        producer = s.get_one(Party, world.a.party_id)
        producer.product_class = "food"
        masterdata.register_product(s, name="甲牌纯牛奶", class_id="food", gtin=GTIN, producer=producer)
    return world


def _ship(things: list[str], source: str, destination: str, site: str, hour: int) -> dict[str, Any]:
    return {
        "type": "ObjectEvent",
        "eventTime": f"2026-11-0{hour}T08:00:00.000+08:00",
        "eventTimeZoneOffset": "+08:00",
        "action": "OBSERVE",
        "epcList": things,
        "bizStep": "shipping",
        "disposition": "in_transit",
        "bizLocation": {"id": SGLN + site},
        "sourceList": [{"type": "owning_party", "source": PGLN + source}],
        "destinationList": [{"type": "owning_party", "destination": PGLN + destination}],
    }


def event(things: list[str], site: str, n: int, **fields: Any) -> dict[str, Any]:
    """A confirmation (or any) ObjectEvent of ``things`` at ``site``, distinct for each ``n``."""
    return {
        "type": "ObjectEvent",
        "eventID": f"urn:uuid:00000000-0000-4000-8000-{n:012d}",
        "eventTime": f"2026-12-01T08:00:{n:02d}.000+08:00",
        "eventTimeZoneOffset": "+08:00",
        "action": "OBSERVE",
        "epcList": things,
        "bizLocation": {"id": SGLN + site},
    } | fields


def capture(client: TestClient, who: Credentials, *events: dict[str, Any]) -> None:
    response = client.post("/capture", json=document(*events), headers=who.headers)
    assert response.status_code == 202, response.json()


def order(code: str | None = LOT, **fields: Any) -> dict[str, Any]:
    return {
        "code": code,
        "reason": "菌落总数超标",
        "level": 2,
        "deadline": format_iso(utc_now() + timedelta(days=7)),
    } | fields


#: What the food rules ask a shipment (a return among them) to carry.
BATCH = {"https://zhuisu.cn/ns/epcis/batch": "L1"}
