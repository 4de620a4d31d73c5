"""The demo's school canteen (``zhuisu.demo.canteen``) on both databases: a week of receipts recorded through the
ledger's service, idempotent, each canteen alert planted once, and the week in the district regulator's view."""

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from zhuisu.db.session import unit_of_work
from zhuisu.demo import canteen
from zhuisu.demo import service as demo_service
from zhuisu.models import Alert, CanteenReceipt, Party
from zhuisu.oversight import alerts
from zhuisu.oversight.rules.base import RiskConfig
from zhuisu.sectors.canteen import service as canteen_service


def test_the_week_plants_each_canteen_alert_once(maker: sessionmaker[Session], session: Session) -> None:
    # when: planted twice, then a full scan (every rule)
    with unit_of_work(maker) as s:
        first = canteen.plant(s)
    with unit_of_work(maker) as s:
        second = canteen.plant(s)
    with unit_of_work(maker) as s:
        report = alerts.scan(s, config=RiskConfig.of(None))
    # then: 14 shipments and 14 receipts once; one alert of each canteen rule, none other about the week
    assert (first, second) == ((28, 0), (0, 28))
    assert {k: v for k, v in report.hits.items() if v} == {"canteen_failed_lot": 1, "canteen_unlicensed_supplier": 1}
    names = dict(session.execute(select(Party.id, Party.name)).all())
    found = sorted((a.rule, names[a.party_id or ""], a.region, len(a.evidence)) for a in session.scalars(select(Alert)))
    assert found == [
        ("canteen_failed_lot", "示范市第一中学食堂", "370102", 1),
        ("canteen_unlicensed_supplier", "示范市第一中学食堂", "370102", 7),
    ]
    rows = session.scalars(select(CanteenReceipt).order_by(CanteenReceipt.received_at)).all()
    assert [r.licence_status for r in rows].count("unverified") == 7
    assert [(r.lot, r.certificate_source, r.certificate_result) for r in rows if r.lot == canteen.PASSED_LOT] == [
        (canteen.PASSED_LOT, "registered", "pass")
    ]
    # and: the district's regulator reads the week
    district = demo_service.demo_actor(session, "district-regulator")
    week = canteen_service.ledger(session, reader=district, since=rows[0].day, until=rows[0].day + timedelta(days=6))
    assert len(week.rows) == 14
