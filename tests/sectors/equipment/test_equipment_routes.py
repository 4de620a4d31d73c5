"""The special equipment register over HTTP, as each persona sees it: which equipment each caller gets back (JSON,
workbook, one piece), the desk page for the district's regulator only, and the public scan page (一梯一码) with its
JSON twin, reached from the product page's URL of the code."""

from io import BytesIO

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session, sessionmaker

from tests.sectors.equipment.world import (
    CODE_URL,
    CYLINDER,
    ELEVATOR,
    FILLING_RULE,
    V,
    capture,
    cylinder_master,
    elevator_master,
    ev,
    fill,
    inspect,
    register,
    world,
)
from tests.support.epcis import document
from zhuisu.db.session import unit_of_work
from zhuisu.demo.generator import CONTEXT
from zhuisu.parties import service as parties_service

PERSONAS = ("owner", "keeper", "inspector", "gas", "rogue", "regulator", "elsewhere", "food", "admin")


@pytest.fixture
def tokens(maker: sessionmaker[Session]) -> dict[str, str]:
    with unit_of_work(maker) as s:
        w = world(s)
        capture(s, w["owner"], register(ELEVATOR, "2026-11-01T10:00", **elevator_master()))
        capture(s, w["inspector"], inspect(ELEVATOR, "2026-11-20T14:00", **{"zs:nextInspectionDue": "2027-11-19"}))
        capture(s, w["keeper"], ev(V + "maintaining", ELEVATOR, "2026-11-25T09:00"))
        capture(s, w["gas"], register(CYLINDER, "2022-03-01T09:00", **cylinder_master()))
        capture(s, w["inspector"], inspect(CYLINDER, "2022-03-02T09:00"))  # due 2026-03-02: overdue now
        return {who: parties_service.issue_token(s, party=w[who]).secret for who in PERSONAS}


def auth(tokens: dict[str, str], who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens[who]}"}


def test_each_persona_gets_the_equipment_of_its_lane(client: TestClient, tokens: dict[str, str]) -> None:
    seen = {
        who: [i["label"] for i in client.get("/api/v1/equipment", headers=auth(tokens, who)).json()["items"]]
        for who in PERSONAS
    }
    assert seen == {
        "owner": ["311011001201800123"],
        "keeper": ["311011001201800123"],
        "inspector": ["311011001201800123", "231037001201900007"],
        "gas": ["231037001201900007"],
        "rogue": [],
        "regulator": ["311011001201800123", "231037001201900007"],
        "elsewhere": [],
        "food": [],
        "admin": ["311011001201800123", "231037001201900007"],
    }
    assert client.get("/api/v1/equipment").status_code == 401
    # one piece: in the lane, or 404 as if it were not registered
    one = client.get("/api/v1/equipment/311011001201800123", headers=auth(tokens, "keeper"))
    assert one.status_code == 200
    body = one.json()
    assert (body["code"], body["status"], body["user_unit"], body["maintenance_unit"]["name"]) == (
        ELEVATOR,
        "in_service",
        {"id": body["user_unit"]["id"], "name": "示范物业管理有限公司"},
        "示范电梯维保有限公司",
    )
    for who in ("gas", "elsewhere", "food", "rogue"):
        assert client.get("/api/v1/equipment/311011001201800123", headers=auth(tokens, who)).status_code == 404


def test_the_district_list_filters_and_exports(client: TestClient, tokens: dict[str, str]) -> None:
    page = client.get("/api/v1/equipment", params={"condition": "overdue"}, headers=auth(tokens, "regulator")).json()
    assert [(i["label"], i["condition"], i["inspection_overdue"]) for i in page["items"]] == [
        ("231037001201900007", "overdue", True)
    ]
    assert page["counts"]["overdue"] == 1
    assert page["total"] == 1
    first = client.get("/api/v1/equipment", params={"limit": 1}, headers=auth(tokens, "regulator")).json()
    second = client.get("/api/v1/equipment", params={"limit": 1, "offset": 1}, headers=auth(tokens, "regulator"))
    assert ([i["label"] for i in first["items"]], first["total"]) == (["311011001201800123"], 2)
    assert [i["label"] for i in second.json()["items"]] == ["231037001201900007"]
    bad = client.get("/api/v1/equipment", params={"condition": "broken"}, headers=auth(tokens, "regulator"))
    assert bad.status_code == 400
    book = client.get(
        "/api/v1/equipment.xlsx", params={"class": "special_equipment.elevator"}, headers=auth(tokens, "regulator")
    )
    assert book.status_code == 200
    sheet = load_workbook(BytesIO(book.content))["设备 Equipment"]
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert rows[0][:3] == ["设备代码 Code", "类别 Class", "状态 Condition"]
    assert [(r[0], r[1], r[7], r[8]) for r in rows[1:]] == [
        ("311011001201800123", "电梯", "示范物业管理有限公司", "示范电梯维保有限公司")
    ]


def test_the_desk_page_is_the_regulators(client: TestClient, tokens: dict[str, str]) -> None:
    desk = client.get("/dashboard/equipment", headers=auth(tokens, "regulator"))
    assert desk.status_code == 200
    assert desk.text.count('class="equipment ') == 2
    assert "231037001201900007" in desk.text
    assert "超期或检验不合格" in desk.text
    assert client.get("/dashboard/equipment", headers=auth(tokens, "owner")).status_code == 403
    assert client.get("/dashboard/equipment", headers=auth(tokens, "elsewhere")).text.count('class="equipment ') == 0


def test_a_scan_of_the_code_opens_the_public_page(client: TestClient, tokens: dict[str, str]) -> None:
    # the label's QR carries the product page URL; registered equipment has a page of its own
    moved = client.get("/c/311011001201800123", follow_redirects=False)
    assert (moved.status_code, moved.headers["location"]) == (307, "/e/311011001201800123")
    page = client.get("/e/311011001201800123")
    assert page.status_code == 200
    for text in (
        "曳引驱动乘客电梯",
        "梯11鲁A00123(18)",
        "示范电梯维保有限公司",
        "2027-11-19",
        "2026-11-25",
        'id="complaint-form"',
    ):
        assert text in page.text
    cylinder = client.get("/e/231037001201900007")
    assert "超期或检验不合格，停止使用" in cylinder.text
    assert 'id="advice"' in cylinder.text
    twin = client.get("/api/v1/portal/equipment/231037001201900007").json()
    assert (twin["condition"], twin["next_inspection_due"], twin["user_unit"], twin["last_filled_at"]) == (
        "overdue",
        "2026-03-02",
        "示范燃气有限公司",
        None,
    )
    assert "events" not in twin
    assert "master" not in twin
    assert client.get("/e/231037001201900009").status_code == 404
    assert client.get("/api/v1/portal/equipment/231037001201900009").status_code == 404
    # a report from the scan page goes to the equipment's district
    filed = client.post("/complaints", data={"code": "231037001201900007", "message": "钢瓶锈蚀严重", "kind": "report"})
    assert filed.status_code == 201
    listed = client.get("/api/v1/dashboard/complaints", headers=auth(tokens, "regulator")).json()
    assert [(c["code"], c["region"], c["product_name"]) for c in listed] == [
        ("231037001201900007", "370102", "液化石油气钢瓶")
    ]


def test_filling_an_overdue_cylinder_over_http_is_a_clear_problem(client: TestClient, tokens: dict[str, str]) -> None:
    body = document(fill(CYLINDER, "2026-11-12T08:00"), context=CONTEXT)
    before = client.get("/api/v1/equipment/231037001201900007", headers=auth(tokens, "gas")).json()
    response = client.post("/capture", json=body, headers=auth(tokens, "gas"))
    assert response.status_code == 400
    problem = response.json()
    assert problem["code"] == "document_rejected"
    assert [(e["eventIndex"], e["pointer"], e["code"], e["expected"]) for e in problem["errors"]] == [
        (
            0,
            "/epcisBody/eventList/0",
            "interlock_failed",
            "inspection_current: equipment within its periodic inspection period",
        )
    ]
    assert problem["errors"][0]["message"] == (
        "第 0 个事件（特种设备）未通过「定期检验在有效期内」检查："
        "设备 231037001201900007 的定期检验已于 2026-03-02 到期"
        f"（规则 special_equipment.filling：{FILLING_RULE}；目录 national::2026.1）"
    )
    assert client.get("/api/v1/equipment/231037001201900007", headers=auth(tokens, "gas")).json() == before


def test_a_filling_station_uploads_its_fills_as_a_spreadsheet(client: TestClient, tokens: dict[str, str]) -> None:
    """A small filling station keeps a spreadsheet: 充装 rows by the printed 18-character codes. The overdue
    cylinder's row is refused with the reason; the other rows of the sheet are recorded."""
    from tests.sectors.equipment.world import CYLINDER2

    registered = document(register(CYLINDER2, "2026-01-05T09:00", **cylinder_master()), context=CONTEXT)
    assert client.post("/capture", json=registered, headers=auth(tokens, "gas")).status_code == 202
    inspected = document(inspect(CYLINDER2, "2026-01-06T09:00", report="JY-7"), context=CONTEXT)
    assert client.post("/capture", json=inspected, headers=auth(tokens, "inspector")).status_code == 202
    sheet = (
        "事件时间,追溯码,业务步骤\n2026-11-20 08:00,231037001201900008,充装\n2026-11-20 08:05,231037001201900007,充装\n"
    )
    response = client.post(
        "/api/v1/console/uploads",
        files={"file": ("充装记录.csv", sheet.encode("utf-8"))},
        headers=auth(tokens, "gas"),
    )
    assert response.status_code == 201, response.json()
    result = response.json()
    assert (result["rows"], result["accepted"]) == (2, 1)
    [row] = result["rejected"]
    assert row["row"] == 3
    assert [e["expected"] for e in row["errors"]] == [
        "inspection_current: equipment within its periodic inspection period"
    ]
    assert "设备 231037001201900007 的定期检验已于 2026-03-02 到期" in row["errors"][0]["message"]
    after = client.get("/api/v1/equipment/231037001201900008", headers=auth(tokens, "gas")).json()
    assert (after["fills"], after["last_filled_at"]) == (1, "2026-11-20T00:00:00Z")


def test_a_code_whose_digits_also_spell_an_sscc_opens_its_equipment_page(
    client: TestClient, maker: sessionmaker[Session]
) -> None:
    # 231037002202000002 is a well-formed 特种设备代码 and, read as 18 digits, a valid SSCC too
    code = "231037002202000002"
    with unit_of_work(maker) as s:
        w = world(s)
        capture(s, w["gas"], register(CODE_URL + code, "2022-03-01T09:00", **cylinder_master()))
    for scanned in (CODE_URL + code, code):
        moved = client.get("/c/" + scanned.replace(":", "%3A").replace("/", "%2F"), follow_redirects=False)
        assert (moved.status_code, moved.headers["location"]) == (307, "/e/" + code)
    assert client.get("/e/" + code).status_code == 200
