"""Cancelling a waybill, a sale rule that flags, and ``zhuisu hazardous`` on both databases (the world and events of
``test_hazardous``)."""

import copy
import json
from datetime import date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tests.sectors.hazardous.test_hazardous import (
    BTT,
    GLN,
    TOXIC,
    World,
    capture,
    count,
    ev,
    pgln,
    register,
    sale,
    stock_in,
    waybill_body,
)
from zhuisu.app.cli import app
from zhuisu.catalog import service as catalog_service
from zhuisu.db.session import unit_of_work
from zhuisu.kit.time import BEIJING
from zhuisu.models import Alert, AuditEntry, Event, EventFlag, Waybill
from zhuisu.oversight import alerts
from zhuisu.oversight.inspections import service as inspections_service
from zhuisu.oversight.rules.base import RiskConfig
from zhuisu.parties import masterdata
from zhuisu.parties import service as parties_service

CANCEL = "/api/v1/hazardous/waybills/W-1/cancel"


def created(client: TestClient, world: World) -> None:
    r = client.post("/api/v1/hazardous/waybills", json=waybill_body(), headers=world.h("dist"))
    assert r.status_code == 201, r.json()


def audit(session: Session) -> list[tuple[str, dict[str, object]]]:
    rows = session.execute(
        select(AuditEntry.action, AuditEntry.payload)
        .where(AuditEntry.action.startswith("hazardous_waybill"))
        .order_by(AuditEntry.id)
    )
    return [(action, payload) for action, payload in rows]


class TestCancel:
    def test_by_the_carrier_it_is_no_longer_open(self, client: TestClient, world: World, session: Session) -> None:
        # given
        created(client, world)
        # when
        r = client.post(CANCEL, json={"reason": "车辆故障"}, headers=world.h("carrier"))
        # then
        assert (r.status_code, r.json()["state"]) == (200, "cancelled")
        assert client.get("/api/v1/hazardous/waybills?state=open", headers=world.h("regulator")).json() == []
        assert [a for a, _ in audit(session)] == ["hazardous_waybill_created", "hazardous_waybill_cancelled"]
        assert audit(session)[1][1] == {"number": "W-1", "reason": "车辆故障"}
        late = alerts.scan(session, config=RiskConfig.of(None), now=datetime(2026, 6, 2, 9, 0, tzinfo=BEIJING))
        assert late.hits["hazardous_waybill_unclosed"] == 0
        # a receipt naming it is unmatched
        received = ev(
            "receiving",
            11,
            "bsite",
            50,
            bizTransactionList=[{"type": BTT + "e_waybill", "bizTransaction": "urn:zhuisu:e_waybill:W-1"}],
        )
        assert capture(client, world, "buyer", received).status_code == 202
        found = session.execute(select(Alert.rule, Alert.facts, Alert.detail_zh).where(Alert.rule.startswith("haz")))
        assert [tuple(a) for a in found] == [
            (
                "hazardous_receipt_unmatched",
                {"reason": "cancelled", "waybill": "W-1"},
                "收货所注明的电子运单 W-1 已作废",
            )
        ]
        # and a second cancellation is a conflict
        again = client.post(CANCEL, headers=world.h("dist"))
        assert (again.status_code, again.json()["code"]) == (409, "conflict")

    @pytest.mark.parametrize(("who", "status"), [("buyer", 403), ("producer", 404), ("regulator", 403)])
    def test_refused_to_others(self, client: TestClient, world: World, session: Session, who: str, status: int) -> None:
        created(client, world)
        r = client.post(CANCEL, headers=world.h(who))
        assert r.status_code == status
        assert session.scalars(select(Waybill.cancelled_at)).all() == [None]
        assert [a for a, _ in audit(session)] == ["hazardous_waybill_created"]

    def test_a_received_waybill_cannot_be_cancelled(self, client: TestClient, world: World, session: Session) -> None:
        # given: shipped and received
        stock_in(client, world)
        identity = register(client, world)
        created(client, world)
        assert capture(client, world, "dist", sale(10, 50, identity=identity)).status_code == 202
        received = ev(
            "receiving",
            11,
            "bsite",
            50,
            bizTransactionList=[{"type": BTT + "e_waybill", "bizTransaction": "urn:zhuisu:e_waybill:W-1"}],
        )
        assert capture(client, world, "buyer", received).status_code == 202
        # when
        r = client.post(CANCEL, headers=world.h("carrier"))
        # then
        assert (r.status_code, r.json()["code"]) == (409, "conflict")
        assert "urn:uuid:00000000-0000-4000-8000-000000000011" in r.json()["detail"]
        assert session.scalars(select(Waybill.cancelled_at)).all() == [None]
        assert [a for a, _ in audit(session)] == ["hazardous_waybill_created"]

    def test_unknown_waybill(self, client: TestClient, world: World) -> None:
        r = client.post("/api/v1/hazardous/waybills/NOPE/cancel", headers=world.h("carrier"))
        assert r.status_code == 404


def flagging(session: Session) -> None:
    """A national release of the catalog in which the toxic chemicals sale rule flags instead of refusing."""
    document = copy.deepcopy(catalog_service.builtin_releases()[0].document)
    document["version"] = "2026.9"
    document["effective_from"] = "2026-01-01"
    for rule in document["rules"]:
        if rule["id"] == "hazardous.toxic_chemical.sale":
            rule["mode"] = "flag"
    catalog_service.load_release(session, document)


def test_unpermitted_sale_stored_and_alerted_under_flag(
    client: TestClient, world: World, maker: sessionmaker[Session], session: Session
) -> None:
    # given
    with unit_of_work(maker) as s:
        flagging(s)
    stock_in(client, world)
    identity = register(client, world)
    before = count(session, Event)
    # when: a permit that is not the buyer's
    r = capture(client, world, "dist", sale(2, 10, identity=identity, permit="NOPE"))
    # then: stored, flagged, alerted
    assert r.status_code == 202, r.json()
    assert count(session, Event) == before + 1
    flags = [(f.rule_id, f.elements, f.detail, f.release) for f in session.scalars(select(EventFlag))]
    assert flags == [
        (
            "hazardous.toxic_chemical.sale",
            ["interlock:buyer_permit"],
            {
                "zh": "所注明的许可证不是买方持有的该类购买许可证",
                "en": "the permit named is not a purchase permit of this class held by the buyer",
                "reason": "not_buyers",
                "buyer": pgln("buyer"),
            },
            "national::2026.9",
        )
    ]
    found = session.execute(select(Alert.rule, Alert.party_id, Alert.evidence, Alert.detail_zh, Alert.detail_en))
    assert [tuple(a) for a in found] == [
        (
            "interlock",
            world.ids["dist"],
            ["urn:uuid:00000000-0000-4000-8000-000000000002"],
            "事件未通过联锁检查（规则 hazardous.toxic_chemical.sale）：所注明的许可证不是买方持有的该类购买许可证",
            "the event failed an interlock (rule hazardous.toxic_chemical.sale): the permit named is not a purchase "
            "permit of this class held by the buyer",
        )
    ]


runner = CliRunner()


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["hazardous", *args])
    return result.exit_code, result.output


def test_the_command_line(cli_db: str, tmp_path: Path) -> None:
    # given: the consignor, carrier, consignee, their sites, the goods and the carrier's confirmed permit
    engine = create_engine(cli_db)
    with unit_of_work(sessionmaker(engine)) as s:
        ids = {}
        for key, name in (
            ("dist", "示范危化品经营有限公司"),
            ("carrier", "示范危货运输有限公司"),
            ("buyer", "示范电镀有限公司"),
        ):
            ids[key] = parties_service.create_party(s, name=name, gln=GLN[key], region="370602")
        masterdata.add_location(s, ids["dist"], name="危化品仓库", gln=GLN["wh"], region="370602")
        masterdata.add_location(s, ids["buyer"], name="电镀车间库房", gln=GLN["bsite"], region="370602")
        masterdata.register_product(s, name="氰化钠", class_id="hazardous.toxic_chemical", gtin=TOXIC)
        regulator = parties_service.create_party(s, name="示范市应急管理局", party_type="government")
        parties_service.grant(s, regulator, actor_role="regulator", jurisdiction="3706")
        lic = masterdata.add_licence(
            s,
            ids["carrier"],
            licence_type="dangerous_goods_transport",
            number="YS-001",
            valid_from=date(2026, 1, 1),
            valid_to=date(2026, 12, 31),
        )
        inspections_service.confirm_licence(s, lic.id, actor=regulator, classes=["hazardous"])
    engine.dispose()
    body = tmp_path / "waybill.json"
    # when: a bad body, then a good one, then listing and cancelling
    body.write_text(json.dumps(waybill_body(driver={"name": "王师傅"})), encoding="utf-8")
    bad = cli("waybill", "create", "--file", str(body))
    body.write_text(json.dumps(waybill_body(vehicle_plate="")), encoding="utf-8")
    empty = cli("waybill", "create", "--file", str(body))
    body.write_text("{", encoding="utf-8")
    broken = cli("waybill", "create", "--file", str(body))
    body.write_text(json.dumps(waybill_body()), encoding="utf-8")
    made = cli("waybill", "create", "--file", str(body), "--json")
    listed = cli("waybills", "--state", "open", "--json")
    wrong_state = cli("waybills", "--state", "lost")
    cancelled = cli("waybill", "cancel", "W-1", "--reason", "改期", "--json")
    stock = cli("stock", "--region", "3706", "--json")
    wrong_region = cli("stock", "--region", "济南")
    permits = cli("permits", "--json")
    # then
    assert (bad[0], "driver.qualification" in bad[1], len(bad[1].strip().splitlines())) == (1, True, 1)
    assert (empty[0], "vehicle_plate" in empty[1]) == (1, True)
    assert (broken[0], "--file" in broken[1]) == (1, True)
    assert made[0] == 0, made[1]
    assert (json.loads(made[1])["number"], json.loads(made[1])["consignor"]) == ("W-1", "示范危化品经营有限公司")
    assert [(w["number"], w["state"]) for w in json.loads(listed[1])] == [("W-1", "planned")]
    assert (wrong_state[0], "--state" in wrong_state[1]) == (1, True)
    assert (cancelled[0], json.loads(cancelled[1])["state"]) == (0, "cancelled")
    assert (stock[0], json.loads(stock[1])) == (0, [])
    assert (wrong_region[0], "--region" in wrong_region[1]) == (1, True)
    assert (permits[0], json.loads(permits[1])) == (0, [])
    assert cli("waybill", "cancel", "W-1")[0] == 1  # already cancelled
