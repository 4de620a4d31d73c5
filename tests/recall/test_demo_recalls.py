"""The demo's recalls (``make run``): one closed at 100 % with its report, one ordered and partly confirmed."""

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from zhuisu.db.session import unit_of_work
from zhuisu.demo import recall as demo_recall
from zhuisu.models import Recall
from zhuisu.parties import service as parties_service
from zhuisu.recall import orders, report


def test_the_demo_recalls_end_to_end(client: TestClient, maker: sessionmaker[Session], session: Session) -> None:
    with unit_of_work(maker) as s:
        regulator = parties_service.create_party(s, name="示范市市场监督管理局", party_type="government")
        parties_service.grant(s, regulator, actor_role="regulator", jurisdiction="3701")
        loaded = demo_recall.load(s, regulator=regulator)
        assert loaded.closed is not None
        assert loaded.open is not None
        ids = (loaded.closed.id, loaded.open.id)
    closed = orders.get_recall(session, ids[0], reader=None)
    assert (closed.kind, closed.status, closed.completion.percent, closed.completion.holders_confirmed) == (
        "voluntary",
        "closed",
        100.0,
        2,
    )
    assert [e.kind for e in closed.timeline] == ["issued", "quarantined", "returned", "destroyed", "closed"]
    opened = orders.get_recall(session, ids[1], reader=None)
    assert (opened.kind, opened.level, opened.status, opened.completion.percent) == ("ordered", 1, "open", 33.3)
    assert [(h.name, h.quantity_out, h.quantity_confirmed, h.status) for h in opened.holders] == [
        ("示范市惠万家超市", 3.0, 2.0, "partial"),
        ("示范市便民生活超市", 3.0, 0.0, "pending"),
    ]
    assert report.render(session, session.get_one(Recall, ids[0]), fmt="pdf").startswith(b"%PDF-")
    story = client.get(f"/api/v1/portal/products/01/{demo_recall.GTIN}/21/K2001").json()
    assert [(n["id"], n["kind"], n["status"]) for n in story["recall_notices"]] == [(ids[1], "ordered", "open")]
    # loading again adds nothing
    with unit_of_work(maker) as s:
        assert demo_recall.load(s, regulator=regulator) == demo_recall.DemoRecalls(None, None)
    assert session.scalar(select(func.count()).select_from(Recall)) == 2
