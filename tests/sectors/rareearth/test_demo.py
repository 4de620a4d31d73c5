"""The demo's rare earth group (``zhuisu.demo.rareearth``) on both databases: recorded through the services,
idempotent, each quota alert planted once with the amounts it names."""

from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from zhuisu.db.session import unit_of_work
from zhuisu.demo import rareearth
from zhuisu.kit.time import BEIJING, utc_now
from zhuisu.models import Alert, AuditEntry, Event, Party, RareEarthQuota
from zhuisu.oversight import alerts
from zhuisu.oversight.rules.base import RiskConfig
from zhuisu.sectors.rareearth import service


def test_the_group_plants_each_quota_alert_once(maker: sessionmaker[Session], session: Session) -> None:
    # when: planted twice, then scanned twice
    with unit_of_work(maker) as s:
        first = rareearth.plant(s)
    with unit_of_work(maker) as s:
        second = rareearth.plant(s)
    with unit_of_work(maker) as s:
        alerts.scan(s, config=RiskConfig.of(None))
    with unit_of_work(maker) as s:
        # a month later: every receipt window long past, and still no other rule finds anything in the flow
        again = alerts.scan(s, config=RiskConfig.of(None), now=utc_now() + timedelta(days=30))
    # then: eight events once, four quota revisions, every alert once
    assert (first, second, again.created) == ((8, 0), (0, 8), 0)
    assert session.scalar(select(func.count()).select_from(Event)) == 8
    assert session.scalar(select(func.count()).select_from(RareEarthQuota)) == 4
    audits = session.scalars(select(AuditEntry.action).where(AuditEntry.action.startswith("rare_earth"))).all()
    assert sorted(audits) == ["rare_earth_quota_registered"] * 4 + ["rare_earth_quota_replaced"]
    year = utc_now().astimezone(BEIJING).year
    names = {pid: name for pid, name in session.execute(select(Party.id, Party.name))}
    found = sorted(
        (a.rule, names[a.party_id or ""], a.region, a.class_id, a.detail_zh, a.facts.get("excess"))
        for a in session.scalars(select(Alert))
    )
    assert found == [
        (
            "rare_earth_quota_missing",
            "示范稀土集团二号矿山有限公司",
            "370112",
            "rare_earth.ore",
            f"{year} 年生产稀土矿产品 44 TNE REO，无总量控制指标",
            None,
        ),
        (
            "rare_earth_quota_production",
            "示范稀土集团冶炼分离有限公司",
            "370112",
            "rare_earth.smelted",
            f"{year} 年冶炼分离产品产量 1287 TNE REO，超过总量控制指标 1200 TNE REO（文号 工信部联原〔{year}〕1号）"
            "87 TNE REO",
            87.0,
        ),
        (
            "rare_earth_quota_sales",
            "示范稀土集团冶炼分离有限公司",
            "370112",
            "rare_earth.smelted",
            f"{year} 年冶炼分离产品销量 1237.5 TNE REO，超过总量控制指标 1200 TNE REO（文号 工信部联原〔{year}〕1号）"
            "37.5 TNE REO",
            37.5,
        ),
    ]
    rows = [(r.party, r.kind, r.quota, r.produced, r.used_percent, r.remaining, r.sold, r.unquoted) for r in
            service.usage_rows(session, reader=None)]  # fmt: skip
    assert rows == [
        ("示范稀土集团二号矿山有限公司", "mining", None, 0.0, None, None, 0.0, 44.0),
        ("示范稀土集团冶炼分离有限公司", "separation", 1200.0, 1287.0, 107.25, -87.0, 1237.5, 0.0),
        ("示范稀土集团矿业有限公司", "mining", 2000.0, 1740.0, 87.0, 260.0, 1440.0, 0.0),
    ]
