"""Special equipment on both databases: the register derived from the lifecycle events (and rebuilt the same), the
conditions worked out from the event times, the interlocks at capture — filling after scrapping refused with the
rule named (or stored and alerted under ``flag``), a cylinder never registered here, an inspection by a
non-inspector, a filler without a licence, scrapping and filling in one document — and the overdue alerts."""

import copy
from collections import Counter
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.sectors.equipment.world import (
    CYLINDER,
    CYLINDER2,
    ELEVATOR,
    FILLING_RULE,
    STRANGER,
    V,
    World,
    capture,
    cylinder_master,
    elevator_master,
    ev,
    fill,
    inspect,
    register,
    statuses,
    world,
)
from zhuisu.catalog import service as catalog_service
from zhuisu.config import Settings
from zhuisu.db.engine import node_settings
from zhuisu.models import Alert, AlertParty, Equipment, Event, EventFlag
from zhuisu.oversight import alerts
from zhuisu.oversight.inspections import service as inspections_service
from zhuisu.oversight.permissions import alerts_lane
from zhuisu.oversight.rules.base import RiskConfig
from zhuisu.parties import masterdata
from zhuisu.sectors.equipment import service


@pytest.fixture
def w(session: Session) -> World:
    return world(session)


def settings_of(session: Session) -> Settings:
    found = node_settings(session)
    assert found is not None
    return found


def row(session: Session, code: str) -> dict[str, Any]:
    found = session.get(Equipment, code)
    assert found is not None
    session.refresh(found)
    return {c.name: getattr(found, c.name) for c in Equipment.__table__.columns if c.name != "updated_at"}


def elevator_history(session: Session, w: World) -> None:
    assert statuses(capture(session, w["owner"], register(ELEVATOR, "2026-11-01T10:00", **elevator_master()))) == [
        "captured"
    ]
    assert statuses(
        capture(
            session, w["inspector"], inspect(ELEVATOR, "2026-11-20T14:00", **{"zs:nextInspectionDue": "2027-11-19"})
        )
    ) == ["captured"]
    assert statuses(capture(session, w["keeper"], ev(V + "maintaining", ELEVATOR, "2026-11-25T09:00"))) == ["captured"]


def cylinder_history(session: Session, w: World, code: str = CYLINDER) -> None:
    result = capture(
        session,
        w["gas"],
        register(code, "2024-03-01T09:00", **cylinder_master()),
    )
    assert statuses(result) == ["captured"], result.outcomes
    assert statuses(capture(session, w["inspector"], inspect(code, "2024-03-02T09:00"))) == ["captured"]


def counts(session: Session) -> tuple[int, int, int, int]:
    return (
        int(session.scalar(select(func.count()).select_from(Event)) or 0),
        int(session.scalar(select(func.count()).select_from(EventFlag)) or 0),
        int(session.scalar(select(func.count()).select_from(Alert)) or 0),
        int(session.scalar(select(func.count()).select_from(Equipment)) or 0),
    )


def test_the_register_is_what_the_events_say_and_a_rebuild_says_the_same(session: Session, w: World) -> None:
    elevator_history(session, w)
    got = row(session, ELEVATOR)
    assert {k: v for k, v in got.items() if k not in ("last_event_pk", "master")} == {
        "code": ELEVATOR,
        "class_id": "special_equipment.elevator",
        "region": "370102",
        "registration_certificate": "梯11鲁A00123(18)",
        "user_unit_id": w["owner"].id,
        "maintenance_unit_id": w["keeper"].id,
        "status": "in_service",
        "installed_at": datetime(2026, 11, 1, 2, 0, tzinfo=UTC),
        "installed_by_id": w["owner"].id,
        "registered_at": datetime(2026, 11, 1, 2, 0, tzinfo=UTC),
        "status_since": datetime(2026, 11, 1, 2, 0, tzinfo=UTC),
        "last_inspection_at": datetime(2026, 11, 20, 6, 0, tzinfo=UTC),
        "last_inspection_result": "pass",
        "last_inspection_by_id": w["inspector"].id,
        "last_inspection_report": "urn:zhuisu:doc:report:JY-1",
        "next_inspection_due": date(2027, 11, 19),
        "last_maintenance_at": datetime(2026, 11, 25, 1, 0, tzinfo=UTC),
        "last_maintenance_by_id": w["keeper"].id,
        "next_maintenance_due": date(2026, 12, 10),
        "last_filled_at": None,
        "last_filled_by_id": None,
        "fills": 0,
        "events": 3,
    }
    assert got["master"] == elevator_master()
    # rebuilt from the events: the same row
    assert service.rebuild(session, settings_of(session)) == 1
    assert row(session, ELEVATOR) == got


def test_overdue_states_are_computed_from_event_times(session: Session, w: World) -> None:
    elevator_history(session, w)
    cylinder_history(session, w)  # inspected 2024-03-02; cylinders every 48 months: due 2028-03-02
    s = settings_of(session)

    def on(code: str, day: date) -> str:
        return service.get_equipment(session, None, s, code, on=day).condition

    # maintained 2026-11-25, every 15 days: due 2026-12-10 (due soon 3 days ahead), overdue from 2026-12-11
    assert [on(ELEVATOR, date(2026, 12, d)) for d in (5, 7, 10, 11)] == ["in_service", "due", "due", "overdue"]
    assert [on(CYLINDER, d) for d in (date(2028, 2, 1), date(2028, 3, 2), date(2028, 3, 3))] == [
        "due",
        "due",
        "overdue",
    ]
    page = service.list_equipment(session, None, s, on=date(2026, 12, 11))
    assert [(i.label, i.condition) for i in page.items] == [  # by region, class, code
        ("311011001201800123", "overdue"),
        ("231037001201900007", "in_service"),
    ]
    assert {k: n for k, n in page.counts.items() if n} == {"in_service": 1, "overdue": 1}
    # a failed inspection puts the elevator out of use at once
    capture(session, w["inspector"], inspect(ELEVATOR, "2026-12-01T10:00", result="不合格", report="JY-2"))
    assert on(ELEVATOR, date(2026, 12, 2)) == "overdue"


def test_filling_after_scrapping_is_refused_with_the_rule_named(session: Session, w: World) -> None:
    cylinder_history(session, w)
    assert statuses(capture(session, w["gas"], fill(CYLINDER, "2026-11-01T08:00"))) == ["captured"]
    assert statuses(capture(session, w["gas"], ev("decommissioning", CYLINDER, "2026-11-10T08:00"))) == ["captured"]
    before, register_before = counts(session), row(session, CYLINDER)
    result = capture(session, w["gas"], fill(CYLINDER, "2026-11-12T08:00"))
    assert statuses(result) == ["rejected"]
    [error] = result.outcomes[0].errors
    assert (error.code, error.pointer, error.expected) == (
        "interlock_failed",
        "/epcisBody/eventList/0",
        "equipment_in_service: equipment in service (not scrapped, made unusable, deregistered or suspended)",
    )
    assert error.message_zh == (
        "第 0 个事件（特种设备）未通过「设备在用」检查：设备 231037001201900007 已报废（2026-11-10）"
        f"（规则 special_equipment.filling：{FILLING_RULE}；目录 national::2026.1）"
    )
    assert "fails the check 'equipment in service': equipment 231037001201900007 is scrapped (since 2026-11-10)" in (
        error.message_en
    )
    # nothing changed: no event, flag, alert or register change
    assert counts(session) == before
    assert row(session, CYLINDER) == register_before
    assert register_before["status"] == "scrapped"
    assert register_before["fills"] == 1


def flagging(session: Session) -> None:
    """A national release of the catalog in which the filling rule flags instead of refusing."""
    document = copy.deepcopy(catalog_service.builtin_releases()[0].document)
    document["version"] = "2026.9"
    document["effective_from"] = "2026-01-01"
    for rule in document["rules"]:
        if rule["id"] == "special_equipment.filling":
            rule["mode"] = "flag"
    catalog_service.load_release(session, document)


def test_filling_after_scrapping_is_stored_and_alerted_under_flag(session: Session, w: World) -> None:
    flagging(session)
    cylinder_history(session, w)
    capture(session, w["gas"], ev("decommissioning", CYLINDER, "2026-11-10T08:00"))
    result = capture(session, w["gas"], fill(CYLINDER, "2026-11-12T08:00"))
    assert statuses(result) == ["captured"]
    flags = [(f.rule_id, f.elements, f.detail, f.release) for f in session.scalars(select(EventFlag))]
    assert flags == [
        (
            "special_equipment.filling",
            ["interlock:equipment_in_service"],
            {
                "zh": "设备 231037001201900007 已报废（2026-11-10）",
                "en": "equipment 231037001201900007 is scrapped (since 2026-11-10)",
                "code": CYLINDER,
                "status": "scrapped",
                "since": "2026-11-10",
            },
            "national::2026.9",
        )
    ]
    found = session.scalars(select(Alert).where(Alert.rule == "interlock")).all()
    assert [(a.party_id, a.class_id, a.codes, a.detail_zh, a.facts["interlock"]) for a in found] == [
        (
            w["gas"].id,
            "special_equipment",
            [CYLINDER],
            "事件未通过联锁检查（规则 special_equipment.filling）：设备 231037001201900007 已报废（2026-11-10）",
            "equipment_in_service",
        )
    ]
    # the register keeps counting what happened: the filling is recorded on the scrapped cylinder
    assert (row(session, CYLINDER)["status"], row(session, CYLINDER)["fills"]) == ("scrapped", 1)


@pytest.mark.parametrize(
    ("case", "interlock", "message"),
    [
        ("stranger", "equipment_registered", "设备 231037001201900009 未在本节点办理使用登记"),
        ("overdue", "inspection_current", "设备 231037001201900008 的定期检验已于 2026-03-02 到期"),
        ("suspended", "equipment_in_service", "设备 231037001201900008 停用（2026-11-01）"),
    ],
)
def test_filling_a_cylinder_that_may_not_be_filled_is_refused(
    session: Session, w: World, case: str, interlock: str, message: str
) -> None:
    if case != "stranger":
        capture(session, w["gas"], register(CYLINDER2, "2022-03-01T09:00", **cylinder_master()))
        capture(session, w["inspector"], inspect(CYLINDER2, "2022-03-02T09:00"))  # due 2026-03-02
    if case == "suspended":
        capture(session, w["inspector"], inspect(CYLINDER2, "2026-02-01T09:00", report="JY-9"))  # due 2030
        capture(session, w["gas"], ev(V + "suspending", CYLINDER2, "2026-11-01T09:00"))
    before = counts(session)
    result = capture(session, w["gas"], fill(STRANGER if case == "stranger" else CYLINDER2, "2026-11-12T08:00"))
    assert statuses(result) == ["rejected"]
    assert [(e.code, e.expected.split(":")[0]) for e in result.outcomes[0].errors] == [("interlock_failed", interlock)]
    assert message in result.outcomes[0].errors[0].message_zh
    assert counts(session) == before


def test_an_inspection_by_a_non_inspector_is_refused(session: Session, w: World) -> None:
    elevator_history(session, w)
    before, register_before = counts(session), row(session, ELEVATOR)
    result = capture(session, w["keeper"], inspect(ELEVATOR, "2026-12-01T10:00", report="JY-X"))
    assert statuses(result) == ["rejected"]
    [error] = result.outcomes[0].errors
    assert error.expected == "by_inspection_body: an inspection body (parties.actor inspector) as the recorder"
    assert "记录者 示范电梯维保有限公司 不是特种设备检验机构" in error.message_zh
    assert "special_equipment.inspection_body" in error.message_zh

    assert (counts(session), row(session, ELEVATOR)) == (before, register_before)


def test_filling_without_a_filling_licence_is_refused(session: Session, w: World) -> None:
    cylinder_history(session, w)
    before = counts(session)
    result = capture(session, w["rogue"], fill(CYLINDER, "2026-11-12T08:00"))
    assert statuses(result) == ["rejected"]
    # no filling licence, and not its cylinder
    assert [e.code for e in result.outcomes[0].errors] == ["licence_missing", "interlock_failed"]
    assert counts(session) == before


def test_scrapping_and_filling_in_one_document_is_refused(session: Session, w: World) -> None:
    cylinder_history(session, w)
    before = counts(session)
    result = capture(
        session,
        w["gas"],
        ev("decommissioning", CYLINDER, "2026-11-10T08:00"),
        fill(CYLINDER, "2026-11-12T08:00"),
        fill(CYLINDER, "2026-11-09T08:00"),  # before the scrapping: fine
    )
    assert statuses(result) == ["rejected", "rejected", "rejected"]  # rollback: the document is one unit
    assert [[e.code for e in o.errors] for o in result.outcomes] == [
        ["document_rejected"],
        ["interlock_failed"],
        ["document_rejected"],
    ]
    assert counts(session) == before


def test_overdue_equipment_is_alerted_to_its_units_and_its_district(session: Session, w: World) -> None:
    elevator_history(session, w)  # maintenance due 2026-12-10
    s = settings_of(session)
    config = RiskConfig.of(s)
    now = datetime(2026, 12, 12, 2, 0, tzinfo=UTC)  # 10:00 Beijing, 2026-12-12
    report = alerts.scan(session, config=config, now=now)
    assert report.hits["equipment_overdue"] == 1
    [alert] = session.scalars(select(Alert).where(Alert.rule == "equipment_overdue")).all()
    assert (alert.party_id, alert.region, alert.class_id, alert.severity, alert.codes, alert.facts) == (
        w["owner"].id,
        "370102",
        "special_equipment.elevator",
        "high",
        [ELEVATOR],
        {"kind": "maintenance", "due": "2026-12-10", "day": "2026-12-12"},
    )
    assert (
        alert.detail_zh == "电梯 311011001201800123（济南市历下区示范小区3号楼1单元）维保已超期：应于 2026-12-10 前维保"
    )
    assert session.scalars(select(AlertParty.party_id).where(AlertParty.alert_id == alert.id)).all() == [w["keeper"].id]

    def sees(who: str) -> bool:
        return alert.id in session.scalars(select(Alert.id).where(alerts_lane(w[who], s))).all()

    assert {who: sees(who) for who in ("owner", "keeper", "gas", "regulator", "elsewhere", "food", "admin")} == {
        "owner": True,
        "keeper": True,
        "gas": False,
        "regulator": True,
        "elsewhere": False,
        "food": False,
        "admin": True,
    }
    # the same scan again: the same alert, no second one; maintained since: nothing new
    alerts.scan(session, config=config, now=now)
    assert session.scalar(select(func.count()).select_from(Alert).where(Alert.rule == "equipment_overdue")) == 1
    capture(session, w["keeper"], ev(V + "maintaining", ELEVATOR, "2026-12-12T11:00"))
    assert alerts.scan(session, config=config, now=now).hits.get("equipment_overdue", 0) == 0


def test_a_scrapped_cylinder_is_made_unusable_by_an_inspection_body_only(session: Session, w: World) -> None:
    cylinder_history(session, w)
    capture(session, w["gas"], ev("decommissioning", CYLINDER, "2026-11-10T08:00"))
    before = counts(session)
    refused = capture(session, w["gas"], ev("destroying", CYLINDER, "2026-11-11T08:00"))
    assert statuses(refused) == ["rejected"]
    assert [e.expected.split(":")[0] for e in refused.outcomes[0].errors] == [
        "cylinder_defunctioned_by_inspection_body"
    ]
    assert "记录者 示范燃气有限公司 不是特种设备检验机构" in refused.outcomes[0].errors[0].message_zh
    assert counts(session) == before
    assert statuses(capture(session, w["inspector"], ev("destroying", CYLINDER, "2026-11-11T08:00"))) == ["captured"]
    assert statuses(capture(session, w["gas"], ev(V + "deregistering", CYLINDER, "2026-11-12T08:00"))) == ["captured"]
    assert row(session, CYLINDER)["status"] == "deregistered"
    # made unusable and deregistered after scrapping: its end, not a use of it (no after_destruction alert) …
    assert session.scalars(select(Alert.rule)).all() == []
    # … but an inspection of the scrapped cylinder is
    capture(session, w["inspector"], inspect(CYLINDER, "2026-11-13T08:00", report="JY-Z"))
    assert [(a.rule, a.party_id, a.codes) for a in session.scalars(select(Alert))] == [
        ("after_destruction", w["inspector"].id, [CYLINDER])
    ]
    # an elevator is dismantled by whoever the owner hires: no inspection body needed
    elevator_history(session, w)
    assert statuses(capture(session, w["owner"], ev("destroying", ELEVATOR, "2026-12-01T08:00"))) == ["captured"]


def test_a_filler_fills_only_the_cylinders_registered_to_it(session: Session, w: World) -> None:
    cylinder_history(session, w)  # registered to the gas company
    other = w["rogue"]
    licence = masterdata.add_licence(
        session, other, licence_type="special_equipment_filling", number="TS4237002-2028", valid_from=date(2024, 1, 1)
    )
    inspections_service.confirm_licence(session, licence.id, actor=w["regulator"], classes=["special_equipment"])
    before = counts(session)
    result = capture(session, other, fill(CYLINDER, "2026-11-12T08:00"))
    assert statuses(result) == ["rejected"]
    assert [e.expected.split(":")[0] for e in result.outcomes[0].errors] == ["filled_by_its_user_unit"]
    assert "气瓶 231037001201900007 的使用登记单位是 示范燃气有限公司，充装单位只能充装本单位登记的气瓶" in (
        result.outcomes[0].errors[0].message_zh
    )
    assert counts(session) == before
    assert statuses(capture(session, w["gas"], fill(CYLINDER, "2026-11-12T08:00"))) == ["captured"]


def test_an_event_is_judged_by_the_state_at_its_time(session: Session, w: World) -> None:
    """A filling recorded late (or the same document sent again) is judged by the cylinder's state when it
    happened, not by what happened to the cylinder since."""
    cylinder_history(session, w)
    first = capture(session, w["gas"], fill(CYLINDER, "2026-11-01T08:00"))
    capture(session, w["gas"], ev("decommissioning", CYLINDER, "2026-11-10T08:00"))
    # the same filling sent again: a duplicate, not a refusal
    assert statuses(capture(session, w["gas"], fill(CYLINDER, "2026-11-01T08:00"))) == ["duplicate"]
    # a filling of 2026-11-05 recorded late: the cylinder was in service then
    assert statuses(capture(session, w["gas"], fill(CYLINDER, "2026-11-05T08:00"))) == ["captured"]
    assert (row(session, CYLINDER)["status"], row(session, CYLINDER)["fills"]) == ("scrapped", 2)
    assert first.outcomes[0].status == "captured"


@pytest.mark.parametrize(
    ("who", "step", "expected"),
    [
        (
            "gas",
            V + "maintaining",
            "设备 311011001201800123 的维保单位是 示范电梯维保有限公司，维保记录须由该维保单位记录",
        ),
        (
            "owner",
            V + "maintaining",
            "设备 311011001201800123 的维保单位是 示范电梯维保有限公司，维保记录须由该维保单位记录",
        ),
        (
            "gas",
            "decommissioning",
            "设备 311011001201800123 的使用单位是 示范物业管理有限公司，报废须由使用单位或监管部门记录",
        ),
        (
            "keeper",
            V + "suspending",
            "设备 311011001201800123 的使用单位是 示范物业管理有限公司，停用须由使用单位或监管部门记录",
        ),
        (
            "gas",
            V + "registering",
            "设备 311011001201800123 的使用单位是 示范物业管理有限公司，变更登记须由使用单位或监管部门记录",
        ),
        (
            "gas",
            "destroying",
            "设备 311011001201800123 的使用单位是 示范物业管理有限公司，拆除或去功能化须由使用单位或监管部门记录",
        ),
    ],
)
def test_only_the_responsible_unit_changes_a_registered_elevator(
    session: Session, w: World, who: str, step: str, expected: str
) -> None:
    elevator_history(session, w)
    before, register_before = counts(session), row(session, ELEVATOR)
    extra = (
        {"zs:equipment": {"userUnit": w[who].id, "maintenanceUnit": w[who].id}} if step.endswith("registering") else {}
    )
    result = capture(session, w[who], ev(step, ELEVATOR, "2026-12-01T09:00", **extra))
    assert statuses(result) == ["rejected"]
    assert [e.expected.split(":")[0] for e in result.outcomes[0].errors] == ["by_responsible_unit"]
    assert expected in result.outcomes[0].errors[0].message_zh
    assert (counts(session), row(session, ELEVATOR)) == (before, register_before)


def test_the_user_unit_and_the_regulator_change_it(session: Session, w: World) -> None:
    elevator_history(session, w)
    # the user unit changes its maintenance company; the district's regulator suspends the elevator
    change = {"zs:equipment": {"maintenanceUnit": w["gas"].id}}
    assert statuses(capture(session, w["owner"], ev(V + "registering", ELEVATOR, "2026-12-01T09:00", **change))) == [
        "captured"
    ]
    assert row(session, ELEVATOR)["maintenance_unit_id"] == w["gas"].id
    visit = ev(V + "maintaining", ELEVATOR, "2026-12-02T09:00", **{"zs:equipment": {"userUnit": w["gas"].id}})
    assert statuses(capture(session, w["gas"], visit)) == ["captured"]
    assert statuses(capture(session, w["regulator"], ev(V + "suspending", ELEVATOR, "2026-12-03T09:00"))) == [
        "captured"
    ]
    assert row(session, ELEVATOR)["status"] == "suspended"
    # another district's regulator may not resume it
    refused = capture(session, w["elsewhere"], ev(V + "resuming", ELEVATOR, "2026-12-04T09:00"))
    assert [e.expected.split(":")[0] for e in refused.outcomes[0].errors] == ["by_responsible_unit"]
    assert row(session, ELEVATOR)["status"] == "suspended"
    # the visit's master data changed none of it
    assert (row(session, ELEVATOR)["user_unit_id"], row(session, ELEVATOR)["maintenance_unit_id"]) == (
        w["owner"].id,
        w["gas"].id,
    )


def test_equipment_named_by_a_giai_meets_the_same_interlocks(session: Session, w: World) -> None:
    giai = "urn:epc:id:giai:6901234.ELEV-7"
    master = {**elevator_master(), "class": "special_equipment.elevator"}
    assert statuses(capture(session, w["owner"], register(giai, "2026-11-01T10:00", **master))) == ["captured"]
    code = "https://id.gs1.org/8004/6901234ELEV-7"
    assert (row(session, code)["class_id"], row(session, code)["status"]) == (
        "special_equipment.elevator",
        "in_service",
    )
    # the catalog tells no class from a GIAI: the register does, so the maintenance rule applies
    refused = capture(session, w["gas"], ev(V + "maintaining", giai, "2026-11-20T09:00"))
    assert [e.expected.split(":")[0] for e in refused.outcomes[0].errors] == ["by_responsible_unit"]
    assert statuses(capture(session, w["keeper"], ev(V + "maintaining", giai, "2026-11-20T09:00"))) == ["captured"]
    assert service.get_equipment(session, None, settings_of(session), code).last_maintenance_by is not None


def test_a_rule_naming_an_interlock_this_node_lacks_refuses_saying_so(session: Session, w: World) -> None:
    document = copy.deepcopy(catalog_service.builtin_releases()[0].document)
    document["version"] = "2026.8"
    document["effective_from"] = "2026-01-01"
    for rule in document["rules"]:
        if rule["id"] == "special_equipment.maintenance":
            rule["interlocks"] = ["elevator_weighed"]
    catalog_service.load_release(session, document)
    capture(session, w["owner"], register(ELEVATOR, "2026-11-01T10:00", **elevator_master()))
    result = capture(session, w["keeper"], ev(V + "maintaining", ELEVATOR, "2026-11-26T09:00"))
    [error] = result.outcomes[0].errors
    assert (error.code, error.message_en) == (
        "interlock_failed",
        "event 0: rule special_equipment.maintenance (catalog national::2026.8) names the check 'elevator_weighed', "
        "which this node does not have",
    )
    maintained = select(func.count()).select_from(Event).where(Event.biz_step == V + "maintaining")
    assert session.scalar(maintained) == 0


def test_the_conditions_counted_in_sql_are_each_rows_condition(session: Session, w: World) -> None:
    elevator_history(session, w)
    cylinder_history(session, w)
    capture(session, w["gas"], register(CYLINDER2, "2022-03-01T09:00", **cylinder_master()))
    capture(session, w["gas"], ev(V + "suspending", CYLINDER2, "2026-11-01T09:00"))
    s = settings_of(session)
    for day in (date(2026, 12, 5), date(2026, 12, 8), date(2026, 12, 11), date(2028, 2, 10), date(2028, 3, 3)):
        page = service.list_equipment(session, None, s, on=day)
        each = Counter(service.get_equipment(session, None, s, i.code, on=day).condition for i in page.items)
        assert {k: n for k, n in page.counts.items() if n} == dict(each), day
        for key, n in each.items():
            one = service.list_equipment(session, None, s, on=day, condition_key=key, limit=1)
            assert (one.total, len(one.items), one.items[0].condition) == (n, 1, key)
