"""Recording and reading inspection reports, certificates and licence confirmations through the API, on both
databases: who may record (an inspection body, a supervising regulator, the admin; an enterprise is refused and
nothing is written), which reports each caller reads, and the bad inputs."""

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.oversight.inspections.conftest import GTIN, LOT, World, count, report
from zhuisu.db.session import unit_of_work
from zhuisu.models import AuditEntry, Certificate, Inspection, Licence
from zhuisu.parties import masterdata
from zhuisu.parties import service as parties_service


class TestRecord:
    def test_by_inspection_body(self, client: TestClient, world: World, session: Session) -> None:
        # when: a report on the lot, named as a GS1 element string
        response = client.post(
            "/inspections", json=report(code=f"(01){GTIN}(10)L1"), headers=world.headers("inspector")
        )
        # then: linked to the lot, the product's producer and class
        assert response.status_code == 201, response.json()
        body = response.json()
        assert {k: body[k] for k in ("code", "gtin", "lot", "producer_id", "class_id", "result", "recorded_by_id")} == {
            "code": LOT,
            "gtin": GTIN,
            "lot": "L1",
            "producer_id": world.ids["A"],
            "class_id": "food.dairy",
            "result": "fail",
            "recorded_by_id": world.ids["inspector"],
        }
        assert [i["name"] for i in body["items"] if i["result"] == "fail"] == ["菌落总数"]
        audit = session.scalars(select(AuditEntry.action).where(AuditEntry.subject == body["id"])).all()
        assert audit == ["inspection_recorded"]

    @pytest.mark.parametrize(("_case", "who", "status"), [("supervising", "regulator", 201), ("admin", "admin", 201)])
    def test_by_authority(self, client: TestClient, world: World, _case: str, who: str, status: int) -> None:
        response = client.post("/inspections", json=report(), headers=world.headers(who))
        assert response.status_code == status, response.json()
        assert response.json()["recorded_by_id"] == world.ids[who]

    @pytest.mark.parametrize(
        ("_case", "who", "code"),
        [
            ("the producer itself", "A", "not_an_inspector"),
            ("another enterprise", "B", "not_an_inspector"),
            ("a regulator of another city", "elsewhere", "not_supervised"),
        ],
    )
    def test_refused_and_nothing_written(
        self, client: TestClient, world: World, session: Session, _case: str, who: str, code: str
    ) -> None:
        audit_before = count(session, AuditEntry)
        response = client.post("/inspections", json=report(), headers=world.headers(who))
        assert response.status_code == 403
        assert response.json()["code"] == code
        assert count(session, Inspection) == 0
        assert count(session, AuditEntry) == audit_before + 1  # the trail's own entry of the refused write only
        assert session.scalars(select(AuditEntry.action).order_by(AuditEntry.id.desc()).limit(1)).one() != (
            "inspection_recorded"
        )

    def test_anonymous_is_401(self, client: TestClient, world: World, session: Session) -> None:
        assert client.post("/inspections", json=report()).status_code == 401
        assert count(session, Inspection) == 0

    @pytest.mark.parametrize(
        ("_case", "body", "code"),
        [
            ("overall pass with a failed item", report(result="pass", items=report()["items"]), "inconsistent_result"),
            (
                "overall fail without a failed item",
                report(result="fail", items=report("x", result="pass")["items"]),
                "inconsistent_result",
            ),
            ("a code nobody could read", report(code="not a code"), "unrecognised_code"),
        ],
    )
    def test_bad_input(
        self, client: TestClient, world: World, session: Session, _case: str, body: dict[str, object], code: str
    ) -> None:
        response = client.post("/inspections", json=body, headers=world.headers("inspector"))
        assert response.status_code == 400, response.json()
        assert response.json()["code"] == code
        assert count(session, Inspection) == 0

    def test_same_report_twice_conflicts(self, client: TestClient, world: World, session: Session) -> None:
        assert client.post("/inspections", json=report(), headers=world.headers("inspector")).status_code == 201
        again = client.post("/inspections", json=report(), headers=world.headers("regulator"))
        assert again.status_code == 409
        assert count(session, Inspection) == 1


class TestLanes:
    def test_who_reads_which_reports(self, client: TestClient, world: World) -> None:
        # given: a report on A's lot by the inspector, one on an unregistered product by the other city's regulator
        on_a = client.post("/inspections", json=report(), headers=world.headers("inspector")).json()["id"]
        other = report(
            code="https://id.gs1.org/01/06901234111118/10/X", number="JC-2", result="pass", inspected_on="2026-06-03"
        )
        elsewhere = client.post("/inspections", json=other, headers=world.headers("elsewhere")).json()["id"]
        # when / then
        seen = {
            who: [r["id"] for r in client.get("/inspections", headers=world.headers(who)).json()]
            for who in ("A", "B", "inspector", "regulator", "elsewhere", "admin")
        }
        assert seen == {
            "A": [on_a],
            "B": [],
            "inspector": [on_a],
            "regulator": [on_a],
            "elsewhere": [elsewhere],
            "admin": [elsewhere, on_a],  # the newest inspection first
        }
        assert client.get(f"/inspections/{on_a}", headers=world.headers("A")).status_code == 200
        assert client.get(f"/inspections/{on_a}", headers=world.headers("B")).status_code == 404
        assert client.get(f"/inspections/{on_a}", headers=world.headers("elsewhere")).status_code == 404

    def test_filter_by_lot_and_result(self, client: TestClient, world: World) -> None:
        failed = client.post("/inspections", json=report(), headers=world.headers("inspector")).json()["id"]
        item = report(code=f"https://id.gs1.org/01/{GTIN}/21/7", number="JC-2", result="pass")
        passed = client.post("/inspections", json=item, headers=world.headers("inspector")).json()["id"]
        listed = client.get("/inspections", params={"code": LOT}, headers=world.headers("regulator")).json()
        assert [r["id"] for r in listed] == [failed]
        listed = client.get("/inspections", params={"result": "pass"}, headers=world.headers("regulator")).json()
        assert [r["id"] for r in listed] == [passed]


class TestCertificates:
    def test_recorded_by_inspection_body_refused_to_enterprise(
        self, client: TestClient, world: World, session: Session
    ) -> None:
        body = {
            "kind": "green_food",
            "number": "LB-2026-1",
            "issuer": "中国绿色食品发展中心",
            "code": GTIN,
            "valid_from": "2026-01-01",
            "valid_to": "2028-12-31",
        }
        refused = client.post("/certificates", json=body, headers=world.headers("A"))
        assert (refused.status_code, refused.json()["code"]) == (403, "not_an_inspector")
        assert count(session, Certificate) == 0
        made = client.post("/certificates", json=body, headers=world.headers("inspector"))
        assert made.status_code == 201, made.json()
        assert {k: made.json()[k] for k in ("code", "gtin", "lot", "producer_id")} == {
            "code": f"https://id.gs1.org/01/{GTIN}",
            "gtin": GTIN,
            "lot": None,
            "producer_id": world.ids["A"],
        }
        assert [c["number"] for c in client.get("/certificates", headers=world.headers("A")).json()] == ["LB-2026-1"]
        assert client.get("/certificates", headers=world.headers("B")).json() == []
        bad = client.post("/certificates", json=body | {"kind": "gold_star"}, headers=world.headers("inspector"))
        assert (bad.status_code, bad.json()["code"]) == (400, "invalid_input")


class TestLicenceConfirmation:
    @pytest.fixture
    def licence_id(self, world: World, maker: sessionmaker[Session]) -> str:
        with unit_of_work(maker) as s:
            a = parties_service.get_party(s, world.ids["A"])
            return masterdata.add_licence(
                s, a, licence_type="sc_food_production", number="SC10537060200011", valid_from=date(2025, 1, 1)
            ).id

    def test_by_supervising_regulator(
        self, client: TestClient, world: World, session: Session, licence_id: str
    ) -> None:
        response = client.post(
            f"/licences/{licence_id}/confirm", json={"classes": ["food.dairy"]}, headers=world.headers("regulator")
        )
        assert response.status_code == 200, response.json()
        body = response.json()
        assert (body["classes"], body["confirmed_by_id"]) == (["food.dairy"], world.ids["regulator"])
        assert body["confirmed_at"] is not None
        held = client.get(f"/api/v1/parties/{world.ids['A']}/licences", headers=world.headers("A")).json()
        assert [(x["number"], x["classes"], x["confirmed_by_id"]) for x in held] == [
            ("SC10537060200011", ["food.dairy"], world.ids["regulator"])
        ]

    @pytest.mark.parametrize(
        ("_case", "who", "classes", "status", "code"),
        [
            ("the holder itself", "A", None, 403, "not_issuing_authority"),
            ("an inspection body", "inspector", None, 403, "not_issuing_authority"),
            ("a regulator of another city", "elsewhere", None, 403, "not_issuing_authority"),
            ("a class outside the mandate", "regulator", ["drug"], 403, "not_issuing_authority"),
            ("a class the catalog lacks", "regulator", ["food.nothing"], 400, "invalid_input"),
        ],
    )
    def test_refused_and_nothing_written(
        self,
        client: TestClient,
        world: World,
        session: Session,
        licence_id: str,
        _case: str,
        who: str,
        classes: list[str] | None,
        status: int,
        code: str,
    ) -> None:
        response = client.post(f"/licences/{licence_id}/confirm", json={"classes": classes}, headers=world.headers(who))
        assert (response.status_code, response.json()["code"]) == (status, code)
        licence = session.get_one(Licence, licence_id)
        session.refresh(licence)
        assert (licence.classes, licence.confirmed_by_id, licence.confirmed_at) == (None, None, None)


class TestDeskPage:
    def test_regulator_sees_failed_reports_red(self, client: TestClient, world: World) -> None:
        client.post("/inspections", json=report(), headers=world.headers("inspector"))
        page = client.get("/dashboard/inspections", params={"result": "fail"}, headers=world.headers("regulator"))
        assert page.status_code == 200
        assert '<strong class="bad">✘ 不合格</strong>' in page.text
        assert '<span class="bad">菌落总数 2.0×10⁵CFU/g（限量 ≤1.0×10⁵）</span>' in page.text
        assert "纯牛奶样品" in page.text
        empty = client.get("/dashboard/inspections", params={"result": "pass"}, headers=world.headers("regulator"))
        assert "没有检验报告" in empty.text

    def test_enterprise_gets_the_forbidden_page(self, client: TestClient, world: World) -> None:
        assert client.get("/dashboard/inspections", headers=world.headers("A")).status_code == 403
        assert client.get("/dashboard/inspections", follow_redirects=False).status_code == 303
