"""The demo's special equipment in 历下区 (370102): an elevator fleet of a property company, maintained by an
elevator company and inspected by the special equipment inspection institute, and the gas cylinders a gas company
fills under its filling licence — recorded as lifecycle events through capture, with event times relative to
today so that the fleet always has members in service, due soon, overdue, suspended, scrapped and made unusable.

Idempotent: every event has a fixed eventID (a second load finds them all stored), every party is found by name
before it is created. The overdue members are what the ``equipment_overdue`` risk rule finds in a scan; the desk
(``/dashboard/equipment``) lists them for the district's regulator and each code opens its public page
(``/e/{code}``).
"""

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from zhuisu.capture import service as capture_service
from zhuisu.demo.generator import CONTEXT, ZS_NS
from zhuisu.kit.time import BEIJING, utc_now
from zhuisu.models import Party
from zhuisu.oversight.inspections import service as inspections_service
from zhuisu.parties import masterdata
from zhuisu.parties import service as parties_service
from zhuisu.sectors.equipment.lifecycle import (
    CODE_URL,
    DEFUNCTIONING,
    FILLING,
    INSPECTING,
    INSTALLING,
    MAINTAINING,
    REGISTERING,
    SCRAPPING,
    SUSPENDING,
)

REGION = "370102"
OWNER = "示范市泉城物业服务有限公司"
KEEPER = "示范市安达电梯维保有限公司"
INSTITUTE = "示范市特种设备检验研究院"
GAS = "示范市港华燃气有限公司"
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, ZS_NS + "demo/equipment")


@dataclass(frozen=True)
class Unit:
    name: str
    actor: str
    product_class: str | None


_UNITS = {
    "owner": Unit(OWNER, "enterprise", None),
    "keeper": Unit(KEEPER, "enterprise", None),
    "institute": Unit(INSTITUTE, "inspector", None),
    "gas": Unit(GAS, "enterprise", "special_equipment.gas_cylinder"),
}


def elevator(n: int) -> str:
    """The demo's n-th elevator: 3110 曳引驱动乘客电梯, made by licence unit 37001 in 2019."""
    return f"{CODE_URL}311037001201900{n:03d}"


def cylinder(n: int) -> str:
    """The demo's n-th cylinder: 2310 液化石油气钢瓶, made by licence unit 37002 in 2020."""
    return f"{CODE_URL}231037002202000{n:03d}"


def _units(session: Session) -> dict[str, Party]:
    found: dict[str, Party] = {}
    for key, unit in _UNITS.items():
        party = parties_service.find_party_by_name(session, unit.name)
        if party is None:
            party = parties_service.create_party(
                session, name=unit.name, region=REGION, product_class=unit.product_class
            )
            if unit.actor != "enterprise":
                parties_service.grant(session, party, actor_role=unit.actor)
        found[key] = party
    return found


def _filling_licence(session: Session, gas: Party, regulator: Party, today: date) -> None:
    """The gas company's cylinder filling licence (气瓶充装许可), confirmed by the city's regulator."""
    held = [x for x in masterdata.list_licences(session, party=gas) if x.licence_type == "special_equipment_filling"]
    if held:
        return
    licence = masterdata.add_licence(
        session,
        gas,
        licence_type="special_equipment_filling",
        number="TS4237010-2029",
        valid_from=today - timedelta(days=3 * 365),
        valid_to=today + timedelta(days=3 * 365),
        issuer="示范省市场监督管理局",
        scope="液化石油气钢瓶充装",
    )
    inspections_service.confirm_licence(session, licence.id, actor=regulator, classes=["special_equipment"])


class _Events:
    """The demo's lifecycle events, in time order, each with its recorder."""

    def __init__(self, today: date) -> None:
        self.today = today
        self.items: list[tuple[datetime, str, dict[str, Any]]] = []

    def add(
        self, who: str, step: str, code: str, days_ago: int, hour: int = 9, extra: dict[str, Any] | None = None
    ) -> None:
        day = self.today - timedelta(days=days_ago)
        moment = datetime(day.year, day.month, day.day, hour, 0, tzinfo=BEIJING)
        name = f"{code}/{step}/{days_ago}/{hour}"
        event: dict[str, Any] = {
            "type": "ObjectEvent",
            "eventID": f"urn:uuid:{uuid.uuid5(_NAMESPACE, name)}",
            "eventTime": moment.isoformat(timespec="milliseconds"),
            "eventTimeZoneOffset": "+08:00",
            "action": "OBSERVE",
            "epcList": [code],
            "bizStep": step,
        }
        event.update(extra or {})
        self.items.append((moment, who, event))

    def inspect(self, code: str, days_ago: int, result: str = "合格", next_due: date | None = None) -> None:
        report = f"urn:zhuisu:doc:report:TJ-{uuid.uuid5(_NAMESPACE, code + str(days_ago)).hex[:8].upper()}"
        extra: dict[str, Any] = {
            "bizTransactionList": [{"type": "testres", "bizTransaction": report}],
            "zs:result": result,
        }
        if next_due is not None:
            extra["zs:nextInspectionDue"] = next_due.isoformat()
        self.add("institute", INSPECTING, code, days_ago, 14, extra)


def _fleet(today: date, units: dict[str, Party]) -> _Events:
    events = _Events(today)
    addresses = (
        "泉城花园1号楼1单元",
        "泉城花园1号楼2单元",
        "泉城花园2号楼1单元",
        "泉城花园3号楼1单元",
        "泉城大厦A座",
        "泉城大厦B座",
    )
    for n, address in enumerate(addresses, start=1):
        code = elevator(n)
        notice = {
            "type": "https://zhuisu.cn/voc/BTT-installation_notice",
            "bizTransaction": f"urn:zhuisu:doc:notice:GZ-2019-{n:03d}",
        }
        events.add("owner", INSTALLING, code, 800, extra={"bizTransactionList": [notice]})
        master = {
            "type": "曳引驱动乘客电梯",
            "model": "TKJ1000/1.75-JXW",
            "manufacturer": "示范电梯制造有限公司",
            "address": f"示范市历下区{address}",
            "region": REGION,
            "userUnit": units["owner"].id,
            "maintenanceUnit": units["keeper"].id,
            "registrationCertificate": f"梯11鲁A{n:05d}(19)",
            "designLifeYears": 20,
        }
        events.add("owner", REGISTERING, code, 780, extra={"zs:equipment": master})
    # elevator 1: in service; 2: its inspection due in 20 days; 3: maintenance overdue (25 days since the last
    # visit); 4: inspection overdue by 10 days; 5: suspended; 6: scrapped
    for n, (inspected, next_due) in enumerate(
        (
            (90, today + timedelta(days=275)),
            (345, today + timedelta(days=20)),
            (60, today + timedelta(days=305)),
            (375, today - timedelta(days=10)),
            (200, today + timedelta(days=165)),
            (400, today - timedelta(days=35)),
        ),
        start=1,
    ):
        events.inspect(elevator(n), inspected, next_due=next_due)
    for n, last_visit in ((1, 5), (2, 8), (3, 25), (4, 6), (5, 40), (6, 60)):
        for back in (last_visit + 30, last_visit + 15, last_visit):
            events.add("keeper", MAINTAINING, elevator(n), back, 10)
    events.add("owner", SUSPENDING, elevator(5), 30)
    events.add("owner", SCRAPPING, elevator(6), 20)
    # cylinders: 1–3 in service and filled; 4 overdue for its periodic inspection (every 4 years); 5 scrapped and
    # made unusable by the institute; 6 due within a fortnight
    for n in range(1, 7):
        master = {
            "type": "液化石油气钢瓶",
            "model": "YSP35.5",
            "region": REGION,
            "userUnit": units["gas"].id,
            "filling": "液化石油气",
        }
        events.add("gas", REGISTERING, cylinder(n), 1900 if n == 4 else 1500, extra={"zs:equipment": master})
    due_soon: date | None = today + timedelta(days=14)
    for n, (back, due) in enumerate(
        ((400, None), (300, None), (200, None), (1850, None), (1400, None), (1445, due_soon)),
        start=1,
    ):
        events.inspect(cylinder(n), back, next_due=due)
    for n in (1, 2, 3, 6):
        for back in (60, 30, 3):
            events.add("gas", FILLING, cylinder(n), back, 8)
    events.add("gas", SCRAPPING, cylinder(5), 50)
    events.add("institute", DEFUNCTIONING, cylinder(5), 45, 15)
    events.items.sort(key=lambda item: (item[0], item[2]["eventID"]))
    return events


def plant(session: Session, *, regulator: Party) -> tuple[int, int]:
    """Record the demo fleet (idempotent): (events captured, events already stored). ``regulator`` (the city's)
    confirms the gas company's filling licence."""
    today = utc_now().astimezone(BEIJING).date()
    units = _units(session)
    _filling_licence(session, units["gas"], regulator, today)
    captured = duplicates = 0
    for _, who, event in _fleet(today, units).items:
        doc = {
            "@context": CONTEXT,
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": event["eventTime"],
            "epcisBody": {"eventList": [event]},
        }
        result = capture_service.capture_document(session, doc, actor=units[who], source="zhuisu demo load (特种设备)")
        captured += result.count("captured")
        duplicates += result.count("duplicate")
    return captured, duplicates
