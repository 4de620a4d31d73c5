"""The demo's cold chain (``zhuisu.demo.coldchain``) on both databases: recorded through the import service,
idempotent, its one excursion alerted once, and the lot's product page showing the summary."""

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from zhuisu.db.session import unit_of_work
from zhuisu.demo import coldchain
from zhuisu.models import Alert, LoggerFile, Party
from zhuisu.oversight import alerts
from zhuisu.oversight.rules.base import RiskConfig


def test_the_chain_plants_one_excursion(maker: sessionmaker[Session], session: Session, client: TestClient) -> None:
    # when: planted twice, then a scan
    with unit_of_work(maker) as s:
        first = coldchain.plant(s)
    with unit_of_work(maker) as s:
        second = coldchain.plant(s)
    with unit_of_work(maker) as s:
        alerts.scan(s, config=RiskConfig.of(None))
    # then: five events once (two of them the logger files'), two files, one alert
    assert (first, second) == ((5, 0), (0, 5))
    assert session.scalar(select(func.count()).select_from(LoggerFile)) == 2
    names = dict(session.execute(select(Party.id, Party.name)).all())
    found = [
        (a.rule, names[a.party_id or ""], a.region, a.facts["minutes"], a.facts["peak"])
        for a in session.scalars(select(Alert))
    ]
    assert found == [("temperature_excursion", "示范市鲜达冷链物流有限公司", "370104", 40.0, 7.5)]
    # and the lot's page tells it
    story = client.get(f"/api/v1/portal/products/{coldchain.lot_code()}").json()["cold_chain"]
    assert (story["readings"], story["minutes_outside"], story["excursions"], story["allowed"]) == (
        50,
        40.0,
        1,
        [-25.0, 4.0],
    )
    assert [(leg["label"], leg["on_road"], leg["readings"]) for leg in story["legs"]] == [
        ("示范市鲜达冷链物流有限公司", True, 25),
        ("门店冷柜", False, 25),
    ]
    assert "超出范围 40 分钟（1 次）" in client.get(f"/c/{coldchain.lot_code()}").text
