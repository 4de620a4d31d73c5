"""The demo's farmers' market (``zhuisu.demo.market``) on both databases: recorded through the market's services,
idempotent, its oversale's alert planted once, and the stalls' books as the page shows them."""

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from zhuisu.db.session import unit_of_work
from zhuisu.demo import market
from zhuisu.models import Alert, MarketReceipt, MarketStall, Party
from zhuisu.oversight import alerts
from zhuisu.oversight.rules.base import RiskConfig
from zhuisu.sectors.market import service as market_service


def test_the_market_plants_its_oversale_alert_once(maker: sessionmaker[Session], session: Session) -> None:
    # when: planted twice, then a scan
    with unit_of_work(maker) as s:
        first = market.plant(s)
    with unit_of_work(maker) as s:
        second = market.plant(s)
    with unit_of_work(maker) as s:
        alerts.scan(s, config=RiskConfig.of(None))
    # then: four wholesaler events, two purchases and four sales once; nothing twice
    assert (first, second) == ((10, 0), (0, 10))
    assert [session.scalar(select(func.count()).select_from(m)) for m in (MarketStall, MarketReceipt)] == [2, 4]
    names = {pid: name for pid, name in session.execute(select(Party.id, Party.name))}
    found = sorted((a.rule, names[a.party_id or ""], a.detail_zh) for a in session.scalars(select(Alert)))
    assert found == [
        (
            "mass_balance",
            "示范市历下区张记果蔬店",
            f"批次 {market.TOMATO_LOT} 流出 32 KGM，多于流入 30 KGM（容差 2%）",
        )
    ]
    # the stalls' books
    wang = market.party(session, "wang")
    zhang = market.party(session, "zhang")
    assert wang is not None
    assert zhang is not None
    books = {
        key: [(r.lot, r.purchased, r.sold, r.on_hand) for r in market_service.ledger(session, reader=p).on_hand]
        for key, p in (("wang", wang), ("zhang", zhang))
    }
    assert books == {"wang": [("BC2612", 50.0, 5.0, 45.0)], "zhang": [("XH2612", 30.0, 32.0, -2.0)]}
