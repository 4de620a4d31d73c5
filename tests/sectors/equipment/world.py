"""A small world for special equipment: a property company using an elevator (370102), the elevator's maintenance
company, an inspection body, a gas company filling its own cylinders under a confirmed filling licence, a filling
point without one, the district's regulator (special equipment), another district's, a food regulator of the same
district, and the admin — with helpers to write the lifecycle events."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from tests.support.epcis import document
from zhuisu.capture import service as capture_service
from zhuisu.capture.schemas import CaptureResult
from zhuisu.demo.generator import CONTEXT
from zhuisu.models import Party
from zhuisu.oversight.inspections import service as inspections_service
from zhuisu.parties import masterdata
from zhuisu.parties import service as parties_service
from zhuisu.sectors.equipment.lifecycle import CODE_URL

ELEVATOR = CODE_URL + "311011001201800123"
CYLINDER = CODE_URL + "231037001201900007"
CYLINDER2 = CODE_URL + "231037001201900008"
STRANGER = CODE_URL + "231037001201900009"  # a cylinder this node never registered
V = "https://zhuisu.cn/voc/bizstep/"
#: The name of the catalog's filling rule (``special_equipment.filling``).
FILLING_RULE = "气瓶充装：本节点登记、在用、定期检验未超期的本单位气瓶，由持有效充装许可的单位充装"
GLNS = {"owner": "6901234000016", "keeper": "6901234000023", "gas": "6901234000030"}


@dataclass
class World:
    parties: dict[str, Party]

    def __getitem__(self, key: str) -> Party:
        return self.parties[key]


def world(session: Session) -> World:
    def party(key: str, name: str, role: str = "enterprise", **kw: Any) -> Party:
        grant = {k: kw.pop(k) for k in ("jurisdiction", "mandate") if k in kw}
        found = parties_service.create_party(session, name=name, **kw)
        if role != "enterprise":
            parties_service.grant(session, found, actor_role=role, **grant)
        return found

    p = {
        "owner": party("owner", "示范物业管理有限公司", gln=GLNS["owner"], region="370102"),
        "keeper": party("keeper", "示范电梯维保有限公司", gln=GLNS["keeper"], region="370102"),
        "inspector": party("inspector", "示范市特种设备检验研究院", "inspector", region="370102"),
        "gas": party(
            "gas", "示范燃气有限公司", gln=GLNS["gas"], region="370102", product_class="special_equipment.gas_cylinder"
        ),
        "rogue": party("rogue", "无证充装点", region="370102", product_class="special_equipment.gas_cylinder"),
        "regulator": party(
            "regulator", "历下区市场监管局", "regulator", jurisdiction="370102", mandate=["special_equipment"]
        ),
        "elsewhere": party(
            "elsewhere", "市中区市场监管局", "regulator", jurisdiction="370103", mandate=["special_equipment"]
        ),
        "food": party("food", "历下区食品监管科", "regulator", jurisdiction="370102", mandate=["food"]),
        "admin": party("admin", "节点管理员", "admin"),
    }
    licence = masterdata.add_licence(
        session,
        p["gas"],
        licence_type="special_equipment_filling",
        number="TS4237001-2028",
        valid_from=date(2024, 1, 1),
        valid_to=date(2028, 12, 31),
    )
    inspections_service.confirm_licence(session, licence.id, actor=p["regulator"], classes=["special_equipment"])
    return World(p)


def ev(step: str, code: str, when: str, **extra: Any) -> dict[str, Any]:
    """A lifecycle ObjectEvent of ``code`` at ``when`` (Beijing time, ``2026-11-25T09:00``)."""
    event: dict[str, Any] = {
        "type": "ObjectEvent",
        "eventTime": f"{when}:00.000+08:00",
        "eventTimeZoneOffset": "+08:00",
        "action": "OBSERVE",
        "epcList": [code],
        "bizStep": step,
    }
    event.update(extra)
    return event


def register(code: str, when: str, **master: Any) -> dict[str, Any]:
    return ev(V + "registering", code, when, **{"zs:equipment": master})


def inspect(code: str, when: str, result: str = "合格", report: str = "JY-1", **extra: Any) -> dict[str, Any]:
    btt = [{"type": "testres", "bizTransaction": f"urn:zhuisu:doc:report:{report}"}]
    return ev("inspecting", code, when, bizTransactionList=btt, **{"zs:result": result}, **extra)


def fill(code: str, when: str) -> dict[str, Any]:
    return ev(V + "filling", code, when)


def elevator_master() -> dict[str, Any]:
    return {
        "type": "曳引驱动乘客电梯",
        "model": "TKJ1000/1.75",
        "manufacturer": "示范电梯制造有限公司",
        "address": "济南市历下区示范小区3号楼1单元",
        "region": "370102",
        "userUnit": GLNS["owner"],
        "maintenanceUnit": GLNS["keeper"],
        "registrationCertificate": "梯11鲁A00123(18)",
        "designLifeYears": 20,
    }


def cylinder_master() -> dict[str, Any]:
    return {"type": "液化石油气钢瓶", "model": "YSP35.5", "region": "370102", "userUnit": GLNS["gas"]}


def capture(session: Session, actor: Party, *events: dict[str, Any]) -> CaptureResult:
    return capture_service.capture_document(session, document(*events, context=CONTEXT), actor=actor)


def statuses(result: CaptureResult) -> list[str]:
    return [o.status for o in result.outcomes]
