"""The demo's farm certificates (``zhuisu.demo.farm``) on both databases: recorded through the services,
idempotent, the overused certificate alerted once and nothing else."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from zhuisu.db.session import unit_of_work
from zhuisu.demo import farm
from zhuisu.models import Alert, AuditEntry, FarmCertificate, Party
from zhuisu.oversight import alerts
from zhuisu.oversight.rules.base import RiskConfig


def test_the_demo_plants_the_overused_certificate_once(maker: sessionmaker[Session], session: Session) -> None:
    # when: planted twice, then a scan
    with unit_of_work(maker) as s:
        first = farm.plant(s)
    with unit_of_work(maker) as s:
        second = farm.plant(s)
    with unit_of_work(maker) as s:
        alerts.scan(s, config=RiskConfig.of(None))
    # then
    assert (first, second) == ((7, 0), (0, 7))
    rows = list(session.scalars(select(FarmCertificate).order_by(FarmCertificate.number)))
    assert [(r.product, r.quantity, r.unit, r.event_quantity, r.uom) for r in rows] == [
        ("西红柿", 100.0, "kg", 100.0, "KGM"),
        ("黄瓜", 200.0, "jin", 100.0, "KGM"),
    ]
    names = {pid: name for pid, name in session.execute(select(Party.id, Party.name))}
    found = [(a.rule, names[a.party_id or ""], a.region, a.detail_zh) for a in session.scalars(select(Alert))]
    assert found == [
        (
            "farm_certificate_overused",
            "示范市绿源蔬菜专业合作社",
            "370112",
            f"承诺达标合格证 {rows[1].number}（黄瓜）开具 100 KGM，收货方已凭其收货 110 KGM，超出合格证数量",
        )
    ]
    actions = dict(
        session.execute(
            select(AuditEntry.action, func.count())
            .where(AuditEntry.action.startswith("farm_"))
            .group_by(AuditEntry.action)
        ).all()
    )
    assert actions == {"farm_certificate_issued": 2, "farm_certificate_shipped": 2, "farm_certificate_received": 3}
