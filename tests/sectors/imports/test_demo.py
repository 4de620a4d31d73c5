"""The demo's import lots (``zhuisu.demo.imports``) on both databases: recorded through the services, idempotent,
the olive oil sold without a certificate alerted once and nothing else."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from zhuisu.db.session import unit_of_work
from zhuisu.demo import imports
from zhuisu.models import Alert, AuditEntry, ImportCertificate, ImportLot, Party
from zhuisu.oversight import alerts
from zhuisu.oversight.rules.base import RiskConfig
from zhuisu.sectors.imports import service as imports_service


def test_the_demo_plants_the_uncertified_sale_once(maker: sessionmaker[Session], session: Session) -> None:
    with unit_of_work(maker) as s:
        first = imports.plant(s)
    with unit_of_work(maker) as s:
        second = imports.plant(s)
    with unit_of_work(maker) as s:
        alerts.scan(s, config=RiskConfig.of(None))
    assert (first, second) == ((6, 0), (0, 6))
    lots = imports_service.list_lots(session, reader=None)
    assert [
        (lot.declaration, lot.country_zh, lot.certified, [e.step for e in lot.events], lot.orders) for lot in lots
    ] == [
        (
            "422020261000012345",
            "意大利",
            True,
            ["receiving", "shipping", "receiving", "retail_selling"],
            ["CBEC-DEMO-0001"],
        ),
        ("422020261000012346", "西班牙", False, ["arriving", "retail_selling"], []),
    ]
    assert session.scalar(select(func.count()).select_from(ImportCertificate)) == 1
    assert session.scalar(select(func.count()).select_from(ImportLot)) == 2
    names = {pid: name for pid, name in session.execute(select(Party.id, Party.name))}
    found = [(a.rule, names[a.party_id or ""], a.region, a.detail_zh) for a in session.scalars(select(Alert))]
    assert found == [
        (
            "import_uncertified_sale",
            "示范市环球进口食品有限公司",
            "370102",
            "进口批次 西班牙特级初榨橄榄油（500 mL）（批号 ES2026B，报关单号 422020261000012346）"
            "在取得入境货物检验检疫证明前零售",
        )
    ]
    actions = dict(
        session.execute(
            select(AuditEntry.action, func.count())
            .where(AuditEntry.action.startswith("import_"))
            .group_by(AuditEntry.action)
        ).all()
    )
    assert actions == {
        "import_lot_registered": 2,
        "import_sale_recorded": 2,
        "import_receipt_recorded": 1,
        "import_order_recorded": 1,
    }
