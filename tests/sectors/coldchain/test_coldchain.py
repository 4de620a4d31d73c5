"""The cold chain end to end on both databases, through the app: a logger file imported as EPCIS sensor events (the
exact sensorElementList), refused rows changing nothing, a re-import recognised, excursions measured and alerted once
(rescans, a later import closing one, the tolerance), who sees which files, and the product page's summary."""

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from stdnum import ean

from tests.support.epcis import document
from zhuisu.db.engine import SETTINGS_KEY, node_settings
from zhuisu.db.session import unit_of_work
from zhuisu.models import Alert, AuditEntry, CaptureJob, Event, LoggerFile, Party
from zhuisu.oversight import alerts
from zhuisu.oversight.rules.base import RiskConfig
from zhuisu.parties import masterdata
from zhuisu.parties import service as parties_service
from zhuisu.sectors.coldchain import service as coldchain_service
from zhuisu.sectors.coldchain.schemas import LogRead

BEIJING = timezone(timedelta(hours=8))
CONTEXT = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"]


def _check(body: str) -> str:
    return body + ean.calc_check_digit(body)


PORK = _check("0690444" + "000001")
LOT = f"https://id.gs1.org/01/{PORK}/10/C1"
GLN = {k: _check("690444" + f"{n:06d}") for n, k in enumerate(("carrier", "store", "shop", "shopsite", "plant"), 1)}
T0 = datetime(2026, 11, 30, 8, tzinfo=BEIJING)


def site(key: str) -> str:
    return f"https://id.gs1.org/414/{GLN[key]}"


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
        for key, jurisdiction, mandate in (
            ("regulator", "3701", ["edible_agri"]),
            ("regulator_elsewhere", "1101", ["edible_agri"]),
            ("regulator_drugs", "3701", ["drug"]),
        ):
            reg = parties_service.create_party(s, name=f"监管部门 {key}", party_type="government")
            parties_service.grant(s, reg, actor_role="regulator", jurisdiction=jurisdiction, mandate=mandate)
            tokens[key] = parties_service.issue_token(s, party=reg).secret
        for key, name in (("plant", "示范肉类加工有限公司"), ("carrier", "示范冷链物流有限公司"), ("shop", "示范超市")):
            p = parties_service.create_party(
                s, name=name, gln=GLN[key], region="370104", product_class="edible_agri.meat"
            )
            tokens[key] = parties_service.issue_token(s, party=p).secret
            ids[key] = p.id
        carrier, shop = s.get_one(Party, ids["carrier"]), s.get_one(Party, ids["shop"])
        masterdata.add_location(s, carrier, name="冷链仓", gln=GLN["store"], region="370104")
        masterdata.add_location(s, shop, name="门店冷柜", gln=GLN["shopsite"], region="370104")
        masterdata.register_product(
            s, name="冷鲜猪肉", class_id="edible_agri.meat", producer=s.get_one(Party, ids["plant"]), gtin=PORK
        )
    return World(tokens, ids)


def csv(temperatures: list[float], *, start: datetime = T0, minutes: int = 10, device: str = "TL-1") -> bytes:
    lines = ["时间,温度(℃),设备编号"]
    lines += [
        f"{(start + timedelta(minutes=minutes * n)):%Y-%m-%d %H:%M:%S},{t},{device}" for n, t in enumerate(temperatures)
    ]
    return ("\n".join(lines) + "\n").encode()


def upload(client: TestClient, world: World, who: str, data: bytes, *, name: str = "log.csv", **form: str) -> Any:
    fields = {"codes": LOT, "location": site("store")} | form
    return client.post(
        "/api/v1/coldchain/logs",
        headers=world.h(who) | {"Accept-Language": "en"},
        files={"file": (name, data, "text/csv")},
        data=fields,
    )


def counts(session: Session) -> list[int]:
    """Logger files, events, alerts, import audit rows."""
    imported = select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "coldchain_log_imported")
    return [
        *(session.scalar(select(func.count()).select_from(m)) or 0 for m in (LoggerFile, Event, Alert)),
        session.scalar(imported) or 0,
    ]


class TestImport:
    def test_a_file_becomes_one_sensor_event(self, client: TestClient, world: World, session: Session) -> None:
        data = "时间,温度(℃),湿度,设备编号\n2026-11-30 08:00:00,2.5,60,TL 1\n2026-11-30 08:10:00,3,,TL 1\n".encode(
            "gbk"
        )
        # when
        answer = upload(client, world, "carrier", data, name="trip.csv", step="storing")
        # then
        assert answer.status_code == 201, answer.text
        body = answer.json()
        [event] = session.scalars(select(Event))
        assert {k: body[k] for k in ("filename", "encoding", "readings", "min_celsius", "max_celsius", "allowed")} == {
            "filename": "trip.csv",
            "encoding": "gbk",
            "readings": 2,
            "min_celsius": 2.5,
            "max_celsius": 3.0,
            "allowed": [-25.0, 4.0],
        }
        assert (body["codes"], body["class_id"], body["region"], body["event_ids"]) == (
            [LOT],
            "edible_agri.meat",
            "370104",
            [event.event_id],
        )
        assert (body["excursions"], body["duplicate"], body["sha256"]) == ([], False, hashlib.sha256(data).hexdigest())
        assert (event.biz_step, event.biz_location, event.recorder_id) == (
            "storing",
            site("store"),
            world.ids["carrier"],
        )
        assert event.body["sensorElementList"] == [
            {
                "sensorMetadata": {"time": "2026-11-30T08:00:00+08:00", "deviceID": "urn:zhuisu:device:TL%201"},
                "sensorReport": [
                    {"type": "gs1:Temperature", "value": 2.5, "uom": "CEL"},
                    {"type": "gs1:RelativeHumidity", "value": 60.0, "uom": "P1"},
                ],
            },
            {
                "sensorMetadata": {"time": "2026-11-30T08:10:00+08:00", "deviceID": "urn:zhuisu:device:TL%201"},
                "sensorReport": [{"type": "gs1:Temperature", "value": 3.0, "uom": "CEL"}],
            },
        ]
        assert {k: event.body[k] for k in ("type", "action", "eventTime", "quantityList", "readPoint")} == {
            "type": "ObjectEvent",
            "action": "OBSERVE",
            "eventTime": "2026-11-30T08:10:00+08:00",
            "quantityList": [{"epcClass": LOT}],
            "readPoint": {"id": site("store")},
        }
        # the file is kept as submitted, and the import audited
        row = session.get_one(LoggerFile, body["id"])
        assert row.content == data
        [audit] = session.scalars(select(AuditEntry).where(AuditEntry.action == "coldchain_log_imported"))
        assert (audit.actor_id, audit.subject, audit.payload["readings"]) == (world.ids["carrier"], row.id, 2)
        assert client.get(f"/api/v1/coldchain/logs/{row.id}/file", headers=world.h("carrier")).content == data

    def test_on_the_road_with_an_sscc(self, client: TestClient, world: World, session: Session) -> None:
        sscc = "https://id.gs1.org/00/069044400000000016"
        answer = upload(
            client, world, "carrier", csv([3.0]), codes=sscc, location="", shipment="YD 001", step="transporting"
        )
        assert answer.status_code == 201, answer.text
        [event] = session.scalars(select(Event))
        assert (event.body["epcList"], event.body["bizTransactionList"], event.biz_location) == (
            [sscc],
            [{"type": "bol", "bizTransaction": "urn:zhuisu:shipment:YD%20001"}],
            None,
        )
        assert answer.json()["class_id"] == "edible_agri.meat"  # the carrier's class: an SSCC names no product

    def test_the_same_file_again_is_a_duplicate(self, client: TestClient, world: World, session: Session) -> None:
        first = upload(client, world, "carrier", csv([2.0, 3.0]))
        before = counts(session)
        again = upload(client, world, "carrier", csv([2.0, 3.0]), name="renamed.csv")
        assert (again.status_code, again.json()["id"], again.json()["duplicate"]) == (200, first.json()["id"], True)
        assert counts(session) == before == [1, 1, 0, 1]

    @pytest.mark.parametrize(
        ("_case", "data", "form", "field", "message_en"),
        [
            (
                "a bad row",
                b"timestamp,temperature,device\n2026-11-30 08:00,2,T\n2026-11-30 08:10,warm,T\n",
                {},
                "file",
                "line 3, column temperature: 'warm' is not a temperature (expected a number between -100 and 100 °C)",
            ),
            ("no codes", b"", {"codes": " "}, "codes", "codes: name what the logger accompanied"),
            (
                "a site of another",
                b"",
                {"location": GLN["shopsite"]},
                "location",
                f"location: {GLN['shopsite']} is not a site (GLN) registered to this enterprise",
            ),
            ("neither site nor shipment", b"", {"location": ""}, "location", "location: give the site"),
            ("an unknown step", b"", {"step": "dancing"}, "step", "step: must be one of sensor_reporting"),
        ],
    )
    def test_refused_input_stores_nothing(
        self,
        client: TestClient,
        world: World,
        session: Session,
        _case: str,
        data: bytes,
        form: dict[str, str],
        field: str,
        message_en: str,
    ) -> None:
        before = counts(session), session.scalar(select(func.count()).select_from(CaptureJob))
        answer = upload(client, world, "carrier", data or csv([2.0]), **form)
        assert (answer.status_code, answer.json()["field"]) == (400, field)
        assert answer.json()["detail"].startswith(message_en)
        assert (counts(session), session.scalar(select(func.count()).select_from(CaptureJob))) == before

    def test_the_bad_row_is_named_in_the_problem(self, client: TestClient, world: World) -> None:
        answer = upload(client, world, "carrier", b"time,temp,device\n2026-11-30 08:00,2,T\nnever,2,T\n")
        assert {k: answer.json()[k] for k in ("row", "column", "field")} == {
            "row": 3,
            "column": "time",
            "field": "file",
        }

    @pytest.mark.parametrize("who", ["regulator", "admin"])
    def test_only_an_enterprise_imports(
        self, client: TestClient, world: World, session: Session, admin: Any, who: str
    ) -> None:
        headers = admin.headers if who == "admin" else world.h(who)
        before = counts(session)
        answer = client.post(
            "/api/v1/coldchain/logs",
            headers=headers,
            files={"file": ("a.csv", csv([2.0]), "text/csv")},
            data={"codes": LOT, "shipment": "X"},
        )
        assert answer.status_code == 403
        assert counts(session) == before
        assert (
            client.post(
                "/api/v1/coldchain/logs", files={"file": ("a.csv", csv([2.0]))}, data={"codes": LOT}
            ).status_code
            == 401
        )


def configure(session: Session, **updates: Any) -> None:
    settings = node_settings(session)
    assert settings is not None
    session.info[SETTINGS_KEY] = settings.model_copy(update=updates)


def excursion_alerts(session: Session) -> list[tuple[str | None, list[str], dict[str, Any], str]]:
    return [
        (a.party_id, a.codes, a.facts, a.detail_zh)
        for a in session.scalars(select(Alert).where(Alert.rule == "temperature_excursion").order_by(Alert.id))
    ]


class TestExcursions:
    def test_minutes_and_peak_alerted_once(self, client: TestClient, world: World, session: Session) -> None:
        # given: every 10 minutes, above 4 °C from 08:30 until 09:10 (back at 3.8)
        answer = upload(client, world, "carrier", csv([2.0, 2.5, 3.0, 5.2, 6.8, 7.5, 5.9, 3.8, 3.0]))
        assert answer.json()["excursions"] == [
            {
                "start": "2026-11-30T08:30:00+08:00",
                "end": "2026-11-30T09:10:00+08:00",
                "minutes": 40.0,
                "peak": 7.5,
                "readings": 4,
                "open": False,
            }
        ]
        assert answer.json()["minutes_outside"] == 40.0
        expected = [
            (
                world.ids["carrier"],
                [LOT],
                {
                    "start": "2026-11-30T00:30:00+00:00",
                    "end": "2026-11-30T01:10:00+00:00",
                    "minutes": 40.0,
                    "peak": 7.5,
                    "worst": 7.5,
                    "range": [-25.0, 4.0],
                    "readings": 4,
                    "open": False,
                },
                "2026-11-30 08:30 起温度超出 edible_agri.meat 类允许范围 -25～4°C 共 40 分钟，峰值 7.5°C",
            )
        ]
        assert excursion_alerts(session) == expected
        # when: a full scan, twice
        alerts.scan(session, config=RiskConfig.of(None))
        alerts.scan(session, config=RiskConfig.of(None))
        # then: still the one alert
        assert excursion_alerts(session) == expected

    def test_an_open_excursion_is_closed_by_a_later_file(
        self, client: TestClient, world: World, session: Session
    ) -> None:
        # the truck's file ends outside the range; the shop's logger shows the lot back inside 30 minutes later
        upload(client, world, "carrier", csv([3.0, 6.0, 9.0]), location="", shipment="YD-9")
        [(_, _, facts, detail)] = excursion_alerts(session)
        assert (facts["minutes"], facts["open"], detail.endswith("，尚未恢复")) == (10.0, True, True)
        upload(client, world, "shop", csv([2.0, 2.5], start=T0 + timedelta(minutes=50)), location=site("shopsite"))
        [(party, codes, facts, detail)] = excursion_alerts(session)
        assert (party, codes, facts["minutes"], facts["open"], facts["peak"]) == (
            world.ids["carrier"],
            [LOT],
            40.0,
            False,
            9.0,
        )

    def test_a_short_excursion_within_the_tolerance(self, world: World, session: Session) -> None:
        configure(session, risk_temperature_tolerance_minutes={"*": 0.0, "edible_agri.meat": 30.0})
        found = record(session, world, csv([3.0, 5.0, 6.0, 3.0]))  # 20 minutes outside
        alerts.scan(session, config=RiskConfig.of(node_settings(session)))
        assert (found.minutes_outside, excursion_alerts(session)) == (20.0, [])

    def test_the_node_setting_overrides_the_catalog(self, world: World, session: Session) -> None:
        configure(session, risk_temperature_ranges={"edible_agri.meat": (0.0, 8.0)})
        found = record(session, world, csv([3.0, 7.0, 3.0]))
        assert (found.allowed, found.excursions, excursion_alerts(session)) == ([0.0, 8.0], [], [])


def record(session: Session, world: World, data: bytes) -> LogRead:
    """An import through the service, in the test's session (whose node settings ``configure`` changed)."""
    carrier = session.get_one(Party, world.ids["carrier"])
    return coldchain_service.import_log(
        session, data, filename="t.csv", actor=carrier, codes=LOT, location=site("store")
    )


class TestWhoSeesWhat:
    def test_each_reader_its_lane(self, client: TestClient, world: World, admin: Any) -> None:
        mine = upload(client, world, "carrier", csv([2.0])).json()["id"]
        shops = upload(client, world, "shop", csv([3.0]), location=site("shopsite")).json()["id"]

        def ids(headers: dict[str, str]) -> list[str]:
            answer = client.get("/api/v1/coldchain/logs", headers=headers)
            assert answer.status_code == 200
            return sorted(row["id"] for row in answer.json())

        assert ids(world.h("carrier")) == [mine]
        assert ids(world.h("shop")) == [shops]
        assert ids(world.h("plant")) == []
        assert ids(world.h("regulator")) == sorted([mine, shops])
        assert ids(world.h("regulator_elsewhere")) == []
        assert ids(world.h("regulator_drugs")) == []
        assert ids(admin.headers) == sorted([mine, shops])
        assert client.get("/api/v1/coldchain/logs").status_code == 401
        for who, status in (("carrier", 200), ("regulator", 200), ("shop", 404), ("regulator_elsewhere", 404)):
            assert client.get(f"/api/v1/coldchain/logs/{mine}", headers=world.h(who)).status_code == status
            assert client.get(f"/api/v1/coldchain/logs/{mine}/file", headers=world.h(who)).status_code == status


class TestProductPage:
    def test_the_summary_per_leg(self, client: TestClient, world: World, session: Session) -> None:
        # given: the lot made at the plant, a truck leg with an excursion, then the shop's display case
        made = {
            "type": "ObjectEvent",
            "eventTime": "2026-11-30T07:00:00+08:00",
            "eventTimeZoneOffset": "+08:00",
            "action": "ADD",
            "bizStep": "commissioning",
            "quantityList": [{"epcClass": LOT, "quantity": 100, "uom": "KGM"}],
            "ilmd": {"https://zhuisu.cn/ns/epcis/origin": "370104"},
        }
        assert client.post("/capture", json=document(made, context=CONTEXT), headers=world.h("plant")).status_code in (
            201,
            202,
        )
        page = client.get(f"/api/v1/portal/products/{LOT}")
        assert page.json()["cold_chain"] is None
        upload(client, world, "carrier", csv([2.0, 5.0, 6.0, 3.0]), location="", shipment="YD-1", step="transporting")
        upload(client, world, "shop", csv([3.0, 3.5], start=T0 + timedelta(hours=2)), location=site("shopsite"))
        # when: the page again (the new events made its story stale)
        story = client.get(f"/api/v1/portal/products/{LOT}").json()["cold_chain"]
        # then
        assert {
            k: story[k] for k in ("readings", "min_celsius", "max_celsius", "allowed", "minutes_outside", "excursions")
        } == {
            "readings": 6,
            "min_celsius": 2.0,
            "max_celsius": 6.0,
            "allowed": [-25.0, 4.0],
            "minutes_outside": 20.0,
            "excursions": 1,
        }
        assert [(leg["label"], leg["on_road"], leg["readings"], leg["minutes_outside"]) for leg in story["legs"]] == [
            ("示范冷链物流有限公司", True, 4, 20.0),
            ("门店冷柜", False, 2, 0.0),
        ]
        assert [value for _, value in story["series"]] == [2.0, 5.0, 6.0, 3.0, 3.0, 3.5]
        html = client.get(f"/c/{LOT}").text
        assert 'id="coldchain"' in html
        for shown in (
            "6 条温度记录",
            "最低 2 °C，最高 6 °C",
            "超出范围 20 分钟（1 次）",
            "在途 · 示范冷链物流有限公司",
        ):
            assert shown in html
        for secret in ("YD-1", "TL-1"):  # no shipment numbers, no devices
            assert secret not in html
