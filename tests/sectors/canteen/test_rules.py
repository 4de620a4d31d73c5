"""The canteen ledger's risk rules on both databases: a receipt from a supplier without a valid licence (one alert
per canteen and supplier), and a received lot that failed a test — a report registered after the receipt, or a failed
test event — found at the next scan; each in the canteen's region under its class, answered by the canteen."""

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.sectors.canteen.world import MILK, World, post, receipt, uscc
from tests.support.epcis import document
from zhuisu.db.session import unit_of_work
from zhuisu.models import Alert, Party
from zhuisu.oversight import alerts
from zhuisu.oversight.inspections import service as inspections_service
from zhuisu.oversight.inspections.schemas import InspectionCreate, ReportItem
from zhuisu.oversight.rules import canteen_failed_lot, canteen_unlicensed_supplier
from zhuisu.oversight.rules.base import RiskConfig

RULES = (canteen_unlicensed_supplier.RULE, canteen_failed_lot.RULE)


def _scan(maker: sessionmaker[Session]) -> dict[str, int]:
    with unit_of_work(maker) as s:
        return alerts.scan(s, config=RiskConfig.of(None), rules=RULES).hits


def _alerts(session: Session) -> list[tuple[str, str, str | None, str | None, str, int]]:
    names = dict(session.execute(select(Party.id, Party.name)).all())
    return sorted(
        (a.rule, names[a.party_id or ""], a.region, a.class_id, a.detail_zh, len(a.evidence))
        for a in session.scalars(select(Alert).where(Alert.rule.startswith("canteen_")))
    )


def test_receipts_from_suppliers_without_a_licence(
    client: TestClient, world: World, maker: sessionmaker[Session], session: Session
) -> None:
    greens = {"code": "", "product_name": "青菜", "lot": "QC1", "origin": "寿光", "unit": "KGM",
              "production_date": None, "expiry": None, "certificate_kind": "compliance_certificate",
              "certificate_number": "HGZ-1"}  # fmt: skip
    for day, who in (("01", uscc(9903)), ("02", uscc(9903))):
        body = receipt(supplier=who, received_at=f"2026-06-{day}T08:00:00+08:00", **greens)
        assert post(client, world, body).status_code == 201
    stranger = receipt(supplier="", supplier_name="某某商行", supplier_uscc=uscc(9977), **greens)
    assert post(client, world, stranger).status_code == 201
    assert post(client, world, receipt()).status_code == 201  # the licensed supplier: no alert
    # when: scanned twice
    assert _scan(maker) == {"canteen_unlicensed_supplier": 2, "canteen_failed_lot": 0}
    _scan(maker)
    # then: one alert per canteen and supplier, with its receipts as evidence
    assert _alerts(session) == [
        ("canteen_unlicensed_supplier", "示范市第二中学食堂", "370102", "food",
         "示范市第二中学食堂 从无有效许可证的供货者 某某商行 进货 1 次（2026-06-01 至 2026-06-01，"
         "最近一次：青菜）", 1),
        ("canteen_unlicensed_supplier", "示范市第二中学食堂", "370102", "food",
         "示范市第二中学食堂 从无有效许可证的供货者 示范市路边蔬菜摊 进货 2 次（2026-06-01 至 2026-06-02，"
         "最近一次：青菜）", 2),
    ]  # fmt: skip


def test_a_lot_that_fails_after_it_was_received(
    client: TestClient, world: World, maker: sessionmaker[Session], session: Session
) -> None:
    # given: lots L1 and L2 received, no failure known
    assert post(client, world, receipt()).status_code == 201
    assert post(client, world, receipt(code=f"(01){MILK}(10)L2", certificate_number="CC-L2")).status_code == 201
    assert _scan(maker) == {"canteen_unlicensed_supplier": 0, "canteen_failed_lot": 0}
    # when: L1's failed report is registered, and an inspection body records a failed test of L2
    with unit_of_work(maker) as s:
        inspector = s.get_one(Party, world.ids["inspector"])
        item = ReportItem(name="菌落总数", value="2.1×10⁵", unit="CFU/mL", limit="≤1.0×10⁵", result="fail")
        body = InspectionCreate(
            lab="示范市食品检验检测中心", report_number="R-L1", code=f"(01){MILK}(10)L1", items=[item], result="fail",
            inspected_on=date(2026, 6, 3),
        )  # fmt: skip
        inspections_service.record_inspection(s, body, actor=inspector)
    test = {
        "type": "ObjectEvent",
        "eventID": "urn:uuid:00000000-0000-4000-8000-00000000c001",
        "eventTime": "2026-06-04T10:00:00.000+08:00",
        "eventTimeZoneOffset": "+08:00",
        "action": "OBSERVE",
        "bizStep": "inspecting",
        "disposition": "non_conformant",
        "quantityList": [{"epcClass": f"https://id.gs1.org/01/{MILK}/10/L2", "quantity": 1, "uom": "XBX"}],
    }
    captured = client.post("/capture", json=document(test), headers=world.h("inspector"))
    assert captured.status_code in (201, 202), captured.json()
    # then: the next scan alerts each lot once
    assert _scan(maker) == {"canteen_unlicensed_supplier": 0, "canteen_failed_lot": 2}
    _scan(maker)
    assert _alerts(session) == [
        ("canteen_failed_lot", "示范市第二中学食堂", "370102", "food",
         "示范市第二中学食堂 验收的 示范牌纯牛奶（批号 L1） 检验不合格（示范市食品检验检测中心 R-L1），共收货 1 次，"
         "最近一次 2026-06-01", 1),
        ("canteen_failed_lot", "示范市第二中学食堂", "370102", "food",
         "示范市第二中学食堂 验收的 示范牌纯牛奶（批号 L2） 检验不合格（检验事件），共收货 1 次，"
         "最近一次 2026-06-01", 2),
    ]  # fmt: skip
