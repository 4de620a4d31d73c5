"""The hazardous goods sector end to end on both databases, through the app: controlled sales checked at capture
(permit, identity, quantity), waybills (refused input, linkage, mismatch, never closed), the stock balance and its
count difference, and who sees which records."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from stdnum import ean

from tests.support.epcis import document
from zhuisu.db.session import unit_of_work
from zhuisu.kit.time import BEIJING
from zhuisu.models import Alert, BuyerIdentity, Event, EventFlag, Party, PermitLimit, Waybill
from zhuisu.oversight import alerts
from zhuisu.oversight.inspections import service as inspections_service
from zhuisu.oversight.rules.base import RiskConfig
from zhuisu.parties import masterdata
from zhuisu.parties import service as parties_service

ZS = "https://zhuisu.cn/ns/epcis/"
CONTEXT = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"zs": ZS}]
BTT = "https://zhuisu.cn/voc/BTT-"


def _check(body: str) -> str:
    return body + ean.calc_check_digit(body)


TOXIC = _check("0690555" + "000001")
GLN = {
    k: _check("690555" + f"{n:06d}") for n, k in enumerate(("producer", "dist", "wh", "carrier", "buyer", "bsite"), 1)
}
ID_NUMBER = "11010519491231002X"


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


@pytest.fixture
def world(maker: sessionmaker[Session]) -> World:
    tokens, ids = {}, {}
    with unit_of_work(maker) as s:
        reg = parties_service.create_party(s, name="示范市应急管理局", party_type="government")
        parties_service.grant(s, reg, actor_role="regulator", jurisdiction="3706", mandate=["hazardous"])
        other = parties_service.create_party(s, name="外市应急管理局", party_type="government")
        parties_service.grant(s, other, actor_role="regulator", jurisdiction="1101", mandate=["hazardous"])
        for key, authority in (("regulator", reg), ("regulator_elsewhere", other)):
            tokens[key] = parties_service.issue_token(s, party=authority).secret
        for key, name in (
            ("producer", "示范化工有限公司"),
            ("dist", "示范危化品经营有限公司"),
            ("carrier", "示范危货运输有限公司"),
            ("buyer", "示范电镀有限公司"),
        ):
            p = parties_service.create_party(s, name=name, gln=GLN[key], region="370602", product_class="hazardous")
            tokens[key] = parties_service.issue_token(s, party=p).secret
            ids[key] = p.id
        dist, buyer, carrier = (s.get_one(Party, ids[k]) for k in ("dist", "buyer", "carrier"))
        masterdata.add_location(s, dist, name="危化品仓库", gln=GLN["wh"], region="370602")
        masterdata.add_location(s, buyer, name="电镀车间库房", gln=GLN["bsite"], region="370602")
        masterdata.register_product(
            s,
            name="氰化钠",
            class_id="hazardous.toxic_chemical",
            producer=s.get_one(Party, ids["producer"]),
            gtin=TOXIC,
        )
        for holder, kind, number in (
            (buyer, "toxic_chemical_purchase", "GM-001"),
            (carrier, "dangerous_goods_transport", "YS-001"),
        ):
            lic = masterdata.add_licence(
                s, holder, licence_type=kind, number=number, valid_from=date(2026, 1, 1), valid_to=date(2026, 12, 31)
            )
            inspections_service.confirm_licence(s, lic.id, actor=reg, classes=["hazardous"])
            ids[number] = lic.id
        s.add(PermitLimit(licence_id=ids["GM-001"], quantity_limit=100.0, quantity_unit="KGM"))
    return World(tokens, ids)


def ev(step: str, n: int, where: str, qty: float, **fields: Any) -> dict[str, Any]:
    return {
        "type": "ObjectEvent",
        "eventID": f"urn:uuid:00000000-0000-4000-8000-{n:012d}",
        "eventTime": f"2026-06-0{1 + n // 60}T08:{n % 60:02d}:00.000+08:00",
        "eventTimeZoneOffset": "+08:00",
        "action": "OBSERVE",
        "bizStep": step,
        "bizLocation": {"id": site(where)},
        "quantityList": [{"epcClass": f"https://id.gs1.org/01/{TOXIC}/10/B1", "quantity": qty, "uom": "KGM"}],
        **fields,
    }


def sale(n: int, qty: float, *, identity: str | None, permit: str = "GM-001", waybill: str = "W-1") -> dict[str, Any]:
    extra = {"zs:buyerIdentity": identity} if identity else {}
    return ev(
        "shipping",
        n,
        "wh",
        qty,
        sourceList=[{"type": "owning_party", "source": pgln("dist")}],
        destinationList=[{"type": "owning_party", "destination": pgln("buyer")}],
        bizTransactionList=[
            {"type": BTT + "e_waybill", "bizTransaction": f"urn:zhuisu:e_waybill:{waybill}"},
            {"type": BTT + "permit", "bizTransaction": f"urn:zhuisu:permit:{permit}"},
        ],
        **extra,
    )


def capture(client: TestClient, world: World, who: str, *events: dict[str, Any]) -> Any:
    return client.post("/capture", json=document(*events, context=CONTEXT), headers=world.h(who))


def count(session: Session, model: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def register(client: TestClient, world: World) -> str:
    r = client.post(
        "/api/v1/hazardous/identities",
        json={"buyer": pgln("buyer"), "name": "张三", "id_number": ID_NUMBER},
        headers=world.h("dist"),
    )
    assert r.status_code == 201, r.json()
    assert r.json()["masked"] == "1101**********002X"
    return str(r.json()["identity"])


def stock_in(client: TestClient, world: World) -> None:
    """500 kg into the distributor's warehouse (commissioned there: a receipt would need a waybill)."""
    r = capture(client, world, "dist", ev("commissioning", 1, "wh", 500, action="ADD"))
    assert r.status_code == 202, r.json()


class TestSale:
    def test_unpermitted_sale_refused_naming_the_rule(self, client: TestClient, world: World, session: Session) -> None:
        # given
        stock_in(client, world)
        before = count(session, Event)
        # when: no identity, and a permit that is not the buyer's
        r = capture(client, world, "dist", sale(2, 10, identity=None, permit="NOPE"))
        # then
        assert r.status_code == 400
        errors = r.json()["errors"]
        assert [(e["code"], e["expected"].split(":")[0]) for e in errors] == [
            ("interlock_failed", "buyer_identity"),
            ("interlock_failed", "buyer_permit"),
        ]
        assert "hazardous.toxic_chemical.sale" in errors[1]["message"]
        assert count(session, Event) == before

    def test_identity_kept_as_keyed_hash_only(self, client: TestClient, world: World, session: Session) -> None:
        identity = register(client, world)
        row = session.scalars(select(BuyerIdentity)).one()
        assert (row.id_hash, row.id_masked, row.party_id) == (identity, "1101**********002X", world.ids["buyer"])
        assert ID_NUMBER not in repr(row.__dict__)
        bad = client.post(
            "/api/v1/hazardous/identities",
            json={"buyer": pgln("buyer"), "name": "李四", "id_number": "110105194912310021"},
            headers=world.h("dist"),
        )
        assert (bad.status_code, bad.json()["field"]) == (400, "id_number")
        assert count(session, BuyerIdentity) == 1

    def test_permitted_sale_then_beyond_the_limit(self, client: TestClient, world: World, session: Session) -> None:
        # given
        stock_in(client, world)
        identity = register(client, world)
        # when: 60 kg, then 30 kg (90 of 100), then 20 more
        first = capture(client, world, "dist", sale(2, 60, identity=identity))
        second = capture(client, world, "dist", sale(3, 30, identity=identity))
        before = count(session, Event)
        third = capture(client, world, "dist", sale(4, 20, identity=identity))
        # then
        assert (first.status_code, second.status_code) == (202, 202), (first.json(), second.json())
        assert third.status_code == 400
        assert [e["expected"] for e in third.json()["errors"]] == [
            "permit_quantity: at most 100 KGM under permit GM-001"
        ]
        assert "110 KGM" in third.json()["errors"][0]["message"]
        assert count(session, Event) == before
        permits = client.get("/api/v1/hazardous/permits", headers=world.h("buyer")).json()
        assert [(p["number"], p["quantity_used"], p["quantity_limit"]) for p in permits] == [("GM-001", 90.0, 100.0)]

    def test_a_transfer_between_own_sites_is_no_sale(self, client: TestClient, world: World) -> None:
        stock_in(client, world)
        move = ev(
            "shipping",
            5,
            "wh",
            5,
            bizTransactionList=[
                {"type": BTT + "e_waybill", "bizTransaction": "urn:zhuisu:e_waybill:W-9"},
                {"type": BTT + "permit", "bizTransaction": "urn:zhuisu:permit:YS-001"},
            ],
        )
        assert capture(client, world, "dist", move).status_code == 202


def waybill_body(**overrides: Any) -> dict[str, Any]:
    start = datetime(2026, 6, 1, 9, 0, tzinfo=BEIJING)
    body: dict[str, Any] = {
        "number": "W-1",
        "carrier": pgln("carrier"),
        "consignee": pgln("buyer"),
        "origin": GLN["wh"],
        "destination": GLN["bsite"],
        "vehicle_plate": "鲁F12345",
        "driver": {"name": "王师傅", "qualification": "JS-1", "qualification_valid_to": "2027-01-01"},
        "escort": {"name": "赵押运", "qualification": "YY-1", "qualification_valid_to": "2027-01-01"},
        "goods": [{"code": f"https://id.gs1.org/01/{TOXIC}/10/B1", "quantity": 50, "uom": "KGM"}],
        "route": "G18",
        "window_start": start.isoformat(),
        "window_end": (start + timedelta(hours=6)).isoformat(),
    }
    return body | overrides


class TestWaybill:
    @pytest.mark.parametrize(
        ("_case", "overrides", "field"),
        [
            ("no qualification", {"driver": {"name": "王师傅"}}, "driver.qualification"),
            (
                "expired",
                {"escort": {"name": "赵", "qualification": "YY-1", "qualification_valid_to": "2026-05-01"}},
                "escort.qualification_valid_to",
            ),
            ("unknown carrier", {"carrier": "nobody"}, "carrier"),
            (
                "not hazardous",
                {"goods": [{"code": "https://id.gs1.org/01/06901234567892", "quantity": 1}]},
                "goods[0].code",
            ),
        ],
    )
    def test_bad_input_refused_naming_the_field(
        self, client: TestClient, world: World, session: Session, _case: str, overrides: dict[str, Any], field: str
    ) -> None:
        r = client.post("/api/v1/hazardous/waybills", json=waybill_body(**overrides), headers=world.h("dist"))
        assert (r.status_code, r.json()["code"], r.json()["field"]) == (400, "invalid_input", field)
        assert count(session, Waybill) == 0

    def test_linkage_mismatch_and_unmatched_receipt_alerts(
        self, client: TestClient, world: World, session: Session
    ) -> None:
        # given
        stock_in(client, world)
        identity = register(client, world)
        created = client.post("/api/v1/hazardous/waybills", json=waybill_body(), headers=world.h("dist"))
        assert created.status_code == 201, created.json()
        assert created.json()["state"] == "planned"
        # when: 50 kg shipped, 48 received; a second receipt names no waybill
        assert capture(client, world, "dist", sale(10, 50, identity=identity)).status_code == 202
        on_road = client.get("/api/v1/hazardous/waybills?state=open", headers=world.h("regulator")).json()
        received = ev(
            "receiving",
            11,
            "bsite",
            48,
            bizTransactionList=[{"type": BTT + "e_waybill", "bizTransaction": "urn:zhuisu:e_waybill:W-1"}],
        )
        stray = ev("receiving", 12, "bsite", 5)
        assert capture(client, world, "buyer", received, stray).status_code == 202
        # then
        assert [(w["number"], w["state"], w["shipped_event"]) for w in on_road] == [
            ("W-1", "on_road", "urn:uuid:00000000-0000-4000-8000-000000000010")
        ]
        rows = session.execute(
            select(Alert.rule, Alert.party_id, Alert.evidence)
            .where(Alert.rule.startswith("hazardous"))
            .order_by(Alert.rule)
        )
        assert [tuple(r) for r in rows] == [
            (
                "hazardous_quantity_mismatch",
                world.ids["carrier"],
                ["urn:uuid:00000000-0000-4000-8000-000000000010", "urn:uuid:00000000-0000-4000-8000-000000000011"],
            ),
            ("hazardous_receipt_unmatched", world.ids["buyer"], ["urn:uuid:00000000-0000-4000-8000-000000000012"]),
        ]
        done = client.get("/api/v1/hazardous/waybills", headers=world.h("buyer")).json()
        assert [(w["number"], w["state"]) for w in done] == [("W-1", "received")]

    def test_never_closed_after_its_window(self, client: TestClient, world: World, session: Session) -> None:
        assert (
            client.post("/api/v1/hazardous/waybills", json=waybill_body(), headers=world.h("dist")).status_code == 201
        )
        early = alerts.scan(session, config=RiskConfig.of(None), now=datetime(2026, 6, 1, 14, 0, tzinfo=BEIJING))
        assert early.hits["hazardous_waybill_unclosed"] == 0
        alerts.scan(session, config=RiskConfig.of(None), now=datetime(2026, 6, 1, 16, 0, tzinfo=BEIJING))
        rows = session.execute(
            select(Alert.rule, Alert.party_id, Alert.facts).where(Alert.rule == "hazardous_waybill_unclosed")
        )
        assert [tuple(r) for r in rows] == [
            ("hazardous_waybill_unclosed", world.ids["carrier"], {"waybill": "W-1", "shipped": False})
        ]


class TestStock:
    def test_balance_per_warehouse_and_count_difference(
        self, client: TestClient, world: World, session: Session
    ) -> None:
        # given: 500 in, 5 destroyed before two witnesses, 60 sold, then counts of 435 and 430
        stock_in(client, world)
        identity = register(client, world)
        witnesses = [{"name": "甲", "role": "监管"}, {"name": "乙", "role": "企业"}]
        witnessed = ev("destroying", 2, "wh", 5, disposition="destroyed", **{"zs:witnesses": witnesses})
        r = capture(client, world, "dist", witnessed, sale(3, 60, identity=identity))
        assert r.status_code == 202, r.json()
        good = ev("cycle_counting", 4, "wh", 435)
        bad = ev("stock_taking", 5, "wh", 430)
        assert capture(client, world, "dist", good, bad).status_code == 202
        # when
        rows = client.get("/api/v1/hazardous/stock", headers=world.h("regulator")).json()
        # then
        assert [
            (r["warehouse"], r["received"], r["issued"], r["destroyed"], r["on_hand"], r["counted"], r["difference"])
            for r in rows
        ] == [(site("wh"), 500.0, 60.0, 5.0, 435.0, 430.0, -5.0)]
        found = session.execute(
            select(Alert.rule, Alert.party_id, Alert.evidence).where(Alert.rule == "hazardous_stock_difference")
        )
        assert [tuple(r) for r in found] == [
            ("hazardous_stock_difference", world.ids["dist"], ["urn:uuid:00000000-0000-4000-8000-000000000005"])
        ]

    def test_unwitnessed_destruction_is_stored_and_flagged(
        self, client: TestClient, world: World, session: Session
    ) -> None:
        stock_in(client, world)
        r = capture(client, world, "dist", ev("destroying", 3, "wh", 5, disposition="destroyed"))
        assert r.status_code == 202
        assert [(f.rule_id, f.elements) for f in session.scalars(select(EventFlag))] == [
            ("hazardous.destruction", ["interlock:destruction_witnessed"])
        ]


class TestAccess:
    def test_who_sees_which_records(self, client: TestClient, world: World) -> None:
        stock_in(client, world)
        assert (
            client.post("/api/v1/hazardous/waybills", json=waybill_body(), headers=world.h("dist")).status_code == 201
        )

        def seen(who: str) -> tuple[int, int]:
            h = world.h(who) if who != "anonymous" else {}
            stock = client.get("/api/v1/hazardous/stock", headers=h)
            waybills = client.get("/api/v1/hazardous/waybills", headers=h)
            if stock.status_code != 200:
                return (stock.status_code, waybills.status_code)
            return (len(stock.json()), len(waybills.json()))

        assert {
            w: seen(w) for w in ("regulator", "regulator_elsewhere", "dist", "carrier", "producer", "anonymous")
        } == {
            "regulator": (1, 1),
            "regulator_elsewhere": (0, 0),
            "dist": (1, 1),
            "carrier": (0, 1),
            "producer": (0, 0),
            "anonymous": (401, 401),
        }
        xlsx = client.get("/api/v1/hazardous/stock.xlsx", headers=world.h("regulator"))
        assert (xlsx.status_code, xlsx.content[:2]) == (200, b"PK")
        page = client.get("/dashboard/hazardous/waybills", headers=world.h("regulator"))
        assert page.status_code == 200
        assert "W-1" in page.text
