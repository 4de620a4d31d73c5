"""The demo's hazardous chemical chain (``zhuisu.demo.hazardous``) on both databases: recorded through the
services, idempotent, each hazardous alert planted once, and all of it in the district regulator's view."""

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from zhuisu.db.session import unit_of_work
from zhuisu.demo import hazardous
from zhuisu.demo import service as demo_service
from zhuisu.models import Alert, AuditEntry, BuyerIdentity, EventFlag, Licence, Party, Waybill
from zhuisu.oversight import alerts
from zhuisu.oversight.rules.base import RiskConfig
from zhuisu.parties import service as parties_service
from zhuisu.sectors.hazardous import service as hazardous_service


def test_the_chain_plants_each_hazardous_alert_once(
    maker: sessionmaker[Session], session: Session, client: TestClient
) -> None:
    # when: planted twice, then a scan
    with unit_of_work(maker) as s:
        first = hazardous.plant(s)
    with unit_of_work(maker) as s:
        second = hazardous.plant(s)
        token = parties_service.issue_token(s, party=demo_service.demo_actor(s, "district-regulator")).secret
    with unit_of_work(maker) as s:
        alerts.scan(s, config=RiskConfig.of(None))
    # then: ten events once; nothing duplicated
    assert (first, second) == ((10, 0), (0, 10))
    counts = [
        session.scalar(select(func.count()).select_from(model)) for model in (Waybill, BuyerIdentity, Licence, Party)
    ]
    assert counts[:3] == [5, 2, 5]
    names = {pid: name for pid, name in session.execute(select(Party.id, Party.name))}
    found = sorted((a.rule, names[a.party_id or ""], a.region, a.detail_zh) for a in session.scalars(select(Alert)))
    assert found == [
        (
            "hazardous_quantity_mismatch",
            "示范市危货运输有限公司",
            "370102",
            "电子运单 HZ-DEMO-02：运单 06908880000018 50 KGM，发货 06908880000018 50 KGM，收货 06908880000018 48 KGM，"
            "数量不符",
        ),
        ("hazardous_receipt_unmatched", "示范市历下电镀有限公司", "370102", "收货所注明的电子运单 HZ-DEMO-05 已作废"),
        (
            "hazardous_stock_difference",
            "示范市泉城危化品经营有限公司",
            "370102",
            "仓库 https://id.gs1.org/414/6908880000124 盘点 氰化钠（工业级，25 kg 桶装） 120 KGM，账面应有 125 KGM"
            "（入库 − 出库 − 销毁），相差 -5 KGM",
        ),
        (
            "hazardous_waybill_unclosed",
            "示范市危货运输有限公司",
            "370102",
            found[3][3],  # the window's end, relative to now
        ),
        (
            "interlock",
            "示范市泉城危化品经营有限公司",
            "370102",
            "事件未通过联锁检查（规则 hazardous.destruction）：销毁须有至少两名见证人（zs:witnesses，现有 0 名）"
            "和销毁数量（quantityList 或逐件的 epcList）",
        ),
        (
            "interlock",
            "示范市泉城危化品经营有限公司",
            "370102",
            "事件未通过联锁检查（规则 hazardous.explosive_precursor.sale）：未注明买方的购买许可证号（BTT-permit）",
        ),
    ]
    assert found[3][3].startswith("电子运单 HZ-DEMO-03 的运输时间窗已于 ")
    assert found[3][3].endswith(" 结束，仍未关闭（已发货未收货）")
    flags = session.execute(select(EventFlag.class_id, EventFlag.elements).order_by(EventFlag.id))
    assert [tuple(f) for f in flags] == [
        ("hazardous.toxic_chemical", ["interlock:destruction_witnessed"]),
        (hazardous.LAB_CLASS, ["interlock:buyer_permit"]),
    ]
    waybills = hazardous_service.list_waybills(session, reader=None)
    assert [(w.number, w.state, w.overdue) for w in waybills] == [
        ("HZ-DEMO-01", "received", False),
        ("HZ-DEMO-02", "received", False),
        ("HZ-DEMO-03", "on_road", True),
        ("HZ-DEMO-05", "cancelled", False),
        ("HZ-DEMO-04", "planned", False),
    ]
    stock = hazardous_service.stock(session, reader=None)
    assert [(r.warehouse_name, r.code, r.on_hand, r.counted, r.difference) for r in stock] == [
        ("生产厂区", hazardous.CYANIDE, 300.0, None, None),
        ("生产厂区", hazardous.PERCHLORIC, 75.0, None, None),
        ("危化品仓库", hazardous.CYANIDE, 125.0, 120.0, -5.0),
        ("危化品仓库", hazardous.PERCHLORIC, 22.5, None, None),
        ("电镀车间库房", hazardous.CYANIDE, 58.0, None, None),
    ]
    permits = hazardous_service.list_permits(session, reader=None)
    assert [(p.number, p.quantity_used, p.quantity_limit) for p in permits] == [
        ("GM-370102-2026-0001", 200.0, 1000.0),  # the 25 kg of perchloric acid counted under the business licence
        ("GM-370102-2026-0002", 70.0, 100.0),
    ]
    actions = {
        action: n
        for action, n in session.execute(
            select(AuditEntry.action, func.count())
            .where(AuditEntry.action.startswith("hazardous_"))
            .group_by(AuditEntry.action)
        )
    }
    assert actions == {
        "hazardous_permit_limit_set": 2,
        "hazardous_identity_registered": 2,
        "hazardous_waybill_created": 5,
        "hazardous_waybill_cancelled": 1,
    }
    # and the district regulator sees all of it on its desk
    headers = {"Authorization": f"Bearer {token}"}
    stock_page = client.get("/dashboard/hazardous/stock", headers=headers)
    waybills_page = client.get("/dashboard/hazardous/waybills?state=all", headers=headers)
    open_page = client.get("/dashboard/hazardous/waybills", headers=headers)
    alerts_page = client.get("/dashboard/alerts", headers=headers)
    assert [p.status_code for p in (stock_page, waybills_page, open_page, alerts_page)] == [200] * 4
    assert all(name in stock_page.text for name in ("生产厂区", "危化品仓库", "电镀车间库房"))
    assert all(f"HZ-DEMO-0{n}" in waybills_page.text for n in range(1, 6))
    assert [f"HZ-DEMO-0{n}" in open_page.text for n in range(1, 6)] == [False, False, True, True, False]
    assert all(number in alerts_page.text for number in ("HZ-DEMO-02", "HZ-DEMO-03", "HZ-DEMO-05"))
    seen = client.get("/alerts", headers=headers)
    assert sorted(a["rule"] for a in seen.json()) == sorted(a[0] for a in found)
