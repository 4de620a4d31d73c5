"""``equipment_overdue``: special equipment in service past its periodic inspection (定期检验), past its maintenance
interval (维保; elevators every 15 days by default), or in service after failing its last inspection — by the
register ``zhuisu.sectors.equipment`` derives from the equipment's events, on the scan's day (Beijing time).

One alert per piece of equipment, kind and due date (an inspection done and due again later is a new alert),
addressed to the user unit (使用单位, answerable) and the maintenance unit (维保单位), located in the equipment's
registered region so the district's regulator reads it. It needs the clock: scans run it, captures do not.
"""

from sqlalchemy.orm import Session

from zhuisu.kit.i18n import pair
from zhuisu.oversight.rules.base import Hit, RiskRule, Scope
from zhuisu.sectors.equipment import service as equipment_service
from zhuisu.sectors.equipment.lifecycle import CODE_URL, beijing_day

_KINDS = {
    "inspection": pair("overdue for its periodic inspection: due {due}"),
    "maintenance": pair("overdue for maintenance: due {due}"),
    "failed": pair("in service after failing its inspection of {due}"),
}
_NAMES = {
    "special_equipment.elevator": pair("elevator"),
    "special_equipment.gas_cylinder": pair("gas cylinder"),
}


def find(session: Session, scope: Scope) -> list[Hit]:
    day = beijing_day(scope.now)
    hits: list[Hit] = []
    for found in equipment_service.overdue(session, day):
        e = found.equipment
        zh, en = _KINDS[found.kind]
        what_zh, what_en = _NAMES.get(e.class_id, pair("special equipment"))
        label = e.code.removeprefix(CODE_URL)
        where = (e.master or {}).get("address")
        at_zh = f"（{where}）" if where else ""
        at_en = f" ({where})" if where else ""
        hits.append(
            Hit(
                key=f"{e.code}\n{found.kind}\n{found.due.isoformat()}",
                events=(e.last_event_pk,) if e.last_event_pk is not None else (),
                codes=(e.code,),
                party_id=e.user_unit_id,
                class_id=e.class_id,
                region=e.region,
                addressed=tuple(p for p in (e.maintenance_unit_id,) if p is not None and p != e.user_unit_id),
                detail_zh=f"{what_zh} {label}{at_zh}" + zh.format(due=found.due.isoformat()),
                detail_en=f"{what_en} {label}{at_en} is " + en.format(due=found.due.isoformat()),
                facts={"kind": found.kind, "due": found.due.isoformat(), "day": day.isoformat()},
            )
        )
    return hits


RULE = RiskRule(
    id="equipment_overdue",
    severity="high",
    name_zh="特种设备超期",
    name_en="special equipment overdue",
    explanation_zh="在用的电梯、气瓶等特种设备超过定期检验日期、超过维保间隔（电梯默认 15 天），"
    "或最近一次检验不合格仍在用。预警发给使用单位和维保单位，辖区监管部门可见。",
    explanation_en="Special equipment in service past its periodic inspection date or its maintenance interval "
    "(elevators: 15 days by default), or still in service after failing its last inspection. Addressed to the user "
    "unit and the maintenance unit; the district's regulator sees it.",
    timed=True,
    find=find,
)
