"""The recall board on the regulator's desk (list with completion bars, the holder table) and the holders' console
inbox: what each signed-in party sees."""

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.recall import world
from tests.recall.world import B_SITE, ITEMS
from tests.support.signin import sign_in


def _recall(client: TestClient, cast: world.World) -> str:
    recall_id = client.post("/recalls", json=world.order(), headers=cast.a.headers).json()["id"]
    world.capture(client, cast.b, world.event(ITEMS[:1], B_SITE, 1, disposition="non_sellable_other"))
    return str(recall_id)


def test_the_board_lists_the_recalls_of_the_regulators_lane(client: TestClient, maker: sessionmaker[Session]) -> None:
    cast = world.build(client, maker)
    recall_id = _recall(client, cast)
    sign_in(client, cast.regulator.token)
    board = client.get("/dashboard/recalls")
    assert board.status_code == 200
    assert board.text.count('<tr class="recall"') == 1
    assert f'id="recall-{recall_id}"' in board.text
    assert '<progress max="100" value="25.0"></progress> <span class="percent">25.0%</span>' in board.text
    assert "<td>主动召回</td><td>二级</td>" in board.text
    detail = client.get(f"/dashboard/recalls/{recall_id}")
    assert detail.status_code == 200
    rows = detail.text.split('<tr class="holder ')[1:]
    assert [r.split('"', 1)[0] for r in rows] == ["partial", "pending"]
    assert [("示范市乙超市" in rows[0], "部分确认" in rows[0]), ("北京丙超市" in rows[1], "未确认" in rows[1])] == [
        (True, True),
        (True, True),
    ]
    assert f'href="/recalls/{recall_id}/report.pdf"' in detail.text
    # the JSON twin the page links to answers the same, with the session cookie
    assert client.get(f"/recalls/{recall_id}").json()["completion"]["percent"] == 25.0


def test_outside_the_lane_the_board_is_empty_and_the_recall_absent(
    client: TestClient, maker: sessionmaker[Session]
) -> None:
    cast = world.build(client, maker)
    recall_id = _recall(client, cast)
    sign_in(client, cast.regulator_elsewhere.token)
    assert client.get("/dashboard/recalls").text.count('<tr class="recall"') == 0
    assert client.get(f"/dashboard/recalls/{recall_id}").status_code == 404


def test_an_enterprise_is_not_a_regulator(client: TestClient, maker: sessionmaker[Session]) -> None:
    cast = world.build(client, maker)
    sign_in(client, cast.a.token)
    assert client.get("/dashboard/recalls").status_code == 403
    client.cookies.clear()
    response = client.get("/dashboard/recalls", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/signin?next=/dashboard/recalls")


def test_holders_find_the_recall_in_their_console(client: TestClient, maker: sessionmaker[Session]) -> None:
    cast = world.build(client, maker)
    recall_id = _recall(client, cast)
    inbox = client.get("/api/v1/console/overview", headers=cast.b.headers).json()["recalls"]
    assert [
        (r["id"], r["view"], [(h["name"], h["quantity_out"], h["quantity_confirmed"]) for h in r["holders"]])
        for r in inbox
    ] == [(recall_id, "holder", [("示范市乙超市", 2.0, 1.0)])]
    assert client.get("/api/v1/console/overview", headers=cast.d.headers).json()["recalls"] == []
    assert client.get("/api/v1/console/overview", headers=cast.a.headers).json()["recalls"] == []
    sign_in(client, cast.c.token)
    page = client.get("/console").text
    assert "召回通知" in page
    assert page.count('<tr class="recall-line pending">') == 1
