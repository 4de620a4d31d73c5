"""Capture checks the catalog class's licence rule, on both databases: an event of a class whose rule names licence
types needs a recorder holding one that is valid on the event's date, confirmed by its issuing authority and covering
the class. Refused (``licence_missing``, nothing stored) or flagged, per the rule's mode: the national rules flag;
a newer national release here refuses."""

import copy
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.oversight.inspections.conftest import A_SITE, GTIN, World, count
from tests.support.epcis import document
from zhuisu.catalog import service as catalog_service
from zhuisu.db.session import unit_of_work
from zhuisu.models import Event, EventFlag, Licence
from zhuisu.oversight.inspections import service as inspections_service
from zhuisu.parties import masterdata
from zhuisu.parties import service as parties_service

SC = "SC10537060200011"


def commissioning(n: int = 1, day: str = "2026-06-01") -> dict[str, Any]:
    """A dairy commissioning at A's site with every data element the food rules ask for."""
    site = {"id": f"https://id.gs1.org/414/{A_SITE}"}
    return {
        "type": "ObjectEvent",
        "eventTime": f"{day}T08:00:{n:02d}.000+08:00",
        "eventTimeZoneOffset": "+08:00",
        "action": "ADD",
        "epcList": [f"https://id.gs1.org/01/{GTIN}/21/{n}"],
        "bizStep": "commissioning",
        "disposition": "active",
        "readPoint": site,
        "bizLocation": site,
        "ilmd": {
            "cbvmda:lotNumber": "L1",
            "cbvmda:productionDate": day,
            "cbvmda:itemExpirationDate": "2027-06-01",
        },
    }


def refusing_release() -> dict[str, Any]:
    """The national catalog as a newer version whose licence rules refuse."""
    doc = copy.deepcopy(catalog_service.builtin_releases()[0].document)
    doc.update(version="2026.9", effective_from="2026-05-01")
    for rule in doc["rules"]:
        if rule.get("licences"):
            rule["mode"] = "refuse"
    return doc


def licence(
    maker: sessionmaker[Session],
    world: World,
    *,
    confirmed: bool = True,
    valid_to: date | None = None,
    classes: list[str] | None = None,
    kind: str = "sc_food_production",
    number: str = SC,
) -> None:
    with unit_of_work(maker) as s:
        a = parties_service.get_party(s, world.ids["A"])
        held = masterdata.add_licence(
            s, a, licence_type=kind, number=number, valid_from=date(2025, 1, 1), valid_to=valid_to
        )
        if confirmed:
            regulator = parties_service.get_party(s, world.ids["regulator"])
            inspections_service.confirm_licence(s, held.id, actor=regulator, classes=classes)


class TestRefused:
    @pytest.fixture(autouse=True)
    def _refusing(self, maker: sessionmaker[Session]) -> None:
        with unit_of_work(maker) as s:
            catalog_service.load_release(s, refusing_release())

    @pytest.mark.parametrize(
        ("_case", "held", "reason"),
        [
            ("no licence", None, "holds no such licence"),
            ("another type", {"kind": "food_business", "number": "JY13706020000011"}, "holds no such licence"),
            ("expired", {"valid_to": date(2026, 5, 31)}, "its licence is not valid on the event's date"),
            ("unconfirmed", {"confirmed": False}, "its licence is not confirmed by the issuing authority"),
            ("outside its scope", {"classes": ["food.rice"]}, "its licence's scope does not cover the class"),
        ],
    )
    def test_without_a_counting_licence(
        self,
        client: TestClient,
        world: World,
        session: Session,
        maker: sessionmaker[Session],
        _case: str,
        held: dict[str, Any] | None,
        reason: str,
    ) -> None:
        # given
        if held is not None:
            licence(maker, world, **held)
        # when
        response = client.post(
            "/capture", json=document(commissioning()), headers=world.headers("A") | {"Accept-Language": "en"}
        )
        # then
        assert response.status_code == 400, response.json()
        errors = response.json()["errors"]
        assert [(e["code"], e["pointer"]) for e in errors] == [("licence_missing", "/epcisBody/eventList/0")]
        assert errors[0]["message"] == (
            "event 0 (Dairy products, food.dairy) needs a recorder holding a valid, confirmed licence of type "
            f"sc_food_production: it {reason} (rule food.production.licence: food producers hold a confirmed food "
            "production licence (SC); catalog national::2026.9)"
        )
        assert count(session, Event) == 0
        assert count(session, EventFlag) == 0

    def test_message_in_chinese_names_class_and_type(self, client: TestClient, world: World) -> None:
        response = client.post("/capture", json=document(commissioning()), headers=world.headers("A"))
        assert response.json()["errors"][0]["message"] == (
            "第 0 个事件（乳制品，food.dairy）的记录主体须持有有效且经确认的许可证 sc_food_production：未登记该类许可证"
            "（规则 food.production.licence：食品生产者须持有经确认的食品生产许可证（SC）；目录 national::2026.9）"
        )

    @pytest.mark.parametrize(("_case", "classes"), [("scope stated", ["food"]), ("scope not stated", None)])
    def test_with_a_valid_confirmed_licence(
        self,
        client: TestClient,
        world: World,
        session: Session,
        maker: sessionmaker[Session],
        _case: str,
        classes: list[str] | None,
    ) -> None:
        licence(maker, world, classes=classes)
        response = client.post("/capture", json=document(commissioning()), headers=world.headers("A"))
        assert response.status_code == 202, response.json()
        assert count(session, Event) == 1
        assert count(session, EventFlag) == 0

    def test_before_the_release_takes_effect_national_flags(
        self, client: TestClient, world: World, session: Session
    ) -> None:
        response = client.post("/capture", json=document(commissioning(day="2026-04-30")), headers=world.headers("A"))
        assert response.status_code == 202, response.json()
        flags = session.execute(select(EventFlag.rule_id, EventFlag.release, EventFlag.elements)).all()
        assert flags == [("food.production.licence", "national::2026.1", ["licence:sc_food_production"])]


class TestFlagged:
    def test_national_rule_stores_and_flags(
        self, client: TestClient, world: World, session: Session, maker: sessionmaker[Session]
    ) -> None:
        # given: A's licence is recorded but not confirmed
        licence(maker, world, confirmed=False)
        # when
        response = client.post(
            "/capture", json=document(commissioning(1), commissioning(2)), headers=world.headers("A")
        )
        # then: stored, one flag per event, with the recorder and the class
        assert response.status_code == 202, response.json()
        assert count(session, Event) == 2
        flags = session.execute(
            select(EventFlag.recorder_id, EventFlag.class_id, EventFlag.rule_id, EventFlag.elements)
        ).all()
        assert flags == [(world.ids["A"], "food.dairy", "food.production.licence", ["licence:sc_food_production"])] * 2

    def test_confirmed_licence_is_not_flagged(
        self, client: TestClient, world: World, session: Session, maker: sessionmaker[Session]
    ) -> None:
        licence(maker, world)
        response = client.post("/capture", json=document(commissioning()), headers=world.headers("A"))
        assert response.status_code == 202, response.json()
        assert count(session, EventFlag) == 0
        assert session.scalars(select(Licence.confirmed_by_id)).all() == [world.ids["regulator"]]
