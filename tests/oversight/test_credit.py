"""Credit on both databases: the blacklist (who may list and remove, the public 失信名单, captures of a listed party
flagged), each party's credit record and grade with its inputs, appeals — and that a refused write writes nothing."""

from datetime import date, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.support.epcis import document, object_event
from tests.support.signin import sign_in
from zhuisu.capture import service as capture_service
from zhuisu.db.session import unit_of_work
from zhuisu.kit.time import utc_now
from zhuisu.models import (
    Alert,
    BlacklistEntry,
    Complaint,
    CreditAppeal,
    Event,
    EventFlag,
    Inspection,
    Licence,
    Party,
    Product,
    Recall,
)
from zhuisu.parties import service as parties_service

A_USCC, B_USCC = "91110000600037341L", "91350100M000100Y43"
TODAY = date.today()


@pytest.fixture
def world(maker: sessionmaker[Session]) -> dict[str, str]:
    """Enterprises A and B (370602, food), the city's food regulator, one elsewhere, one with only the drug
    mandate, the admin: their tokens by name, and A's and B's ids."""
    found: dict[str, str] = {}
    with unit_of_work(maker) as s:
        a = parties_service.create_party(s, name="甲食品", uscc=A_USCC, region="370602", product_class="food.dairy")
        b = parties_service.create_party(s, name="乙食品", uscc=B_USCC, region="370602", product_class="food")
        city = parties_service.create_party(s, name="本市监管", region="370600")
        parties_service.grant(s, city, actor_role="regulator", jurisdiction="3706", mandate=["food"])
        far = parties_service.create_party(s, name="外地监管", region="110000")
        parties_service.grant(s, far, actor_role="regulator", jurisdiction="11")
        drug = parties_service.create_party(s, name="药监", region="370600")
        parties_service.grant(s, drug, actor_role="regulator", jurisdiction="3706", mandate=["drug"])
        admin = parties_service.create_party(s, name="管理员")
        parties_service.grant(s, admin, actor_role="admin")
        for party in (a, b, city, far, drug, admin):
            found[party.name] = parties_service.issue_token(s, party=party, label="t").secret
        found["A"], found["B"] = a.id, b.id
    return found


def _as(world: dict[str, str], name: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world[name]}"}


def _list(client: TestClient, world: dict[str, str], who: str, **body: object) -> tuple[int, dict[str, object]]:
    payload = {
        "party": A_USCC,
        "reason": "销售过期食品",
        "legal_basis": "《食品安全法》第一百二十四条",
        "starts_on": TODAY.isoformat(),
    } | body
    response = client.post("/api/v1/credit/blacklist", json=payload, headers=_as(world, who))
    return response.status_code, response.json()


def _count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _capture(maker: sessionmaker[Session], party_id: str, n: int) -> int:
    with unit_of_work(maker) as s:
        party = s.get_one(Party, party_id)
        result = capture_service.capture_document(
            s, document(object_event(n, eventID=f"urn:uuid:credit-{n}")), actor=party
        )
        assert [o.status for o in result.outcomes] == ["captured"]
        pk = s.scalar(select(Event.id).where(Event.event_id == f"urn:uuid:credit-{n}"))
        assert pk is not None
        return pk


class TestBlacklist:
    def test_who_may_list_and_what_is_refused(
        self, client: TestClient, session: Session, world: dict[str, str]
    ) -> None:
        assert [_list(client, world, who)[0] for who in ("乙食品", "外地监管", "药监")] == [403, 403, 403]
        code, body = _list(client, world, "本市监管", reason=" ")
        assert (code, body["field"]) == (400, "reason")
        code, body = _list(client, world, "本市监管", ends_on=(TODAY - timedelta(days=1)).isoformat())
        assert (code, body["field"]) == (400, "ends_on")
        assert _list(client, world, "本市监管", party="nobody")[0] == 404
        assert _list(client, world, "本市监管", party="91000000000000000X")[0] == 404
        assert _count(session, BlacklistEntry) == 0
        code, body = _list(client, world, "本市监管")
        assert (code, body["party_id"], body["in_force"], body["reason"]) == (201, world["A"], True, "销售过期食品")

    def test_public_while_in_force_flags_captures_and_can_be_removed(
        self, client: TestClient, maker: sessionmaker[Session], session: Session, world: dict[str, str]
    ) -> None:
        entry = _list(client, world, "本市监管")[1]["id"]
        _list(client, world, "管理员", party=B_USCC, starts_on=(TODAY + timedelta(days=10)).isoformat())  # not yet
        public = client.get("/api/v1/portal/blacklist").json()
        assert public == [
            {
                "name": "甲食品",
                "uscc": A_USCC,
                "region": "370602",
                "reason": "销售过期食品",
                "legal_basis": "《食品安全法》第一百二十四条",
                "starts_on": TODAY.isoformat(),
                "ends_on": None,
            }
        ]
        page = client.get("/blacklist")
        assert page.status_code == 200
        assert "甲食品" in page.text
        assert "乙食品" not in page.text
        # a listed party's captures are flagged, another's are not
        listed, other = _capture(maker, world["A"], 1), _capture(maker, world["B"], 2)
        flags = session.execute(select(EventFlag.event_pk, EventFlag.rule_id)).all()
        assert [tuple(f) for f in flags] == [(listed, "credit.blacklist")]
        assert other != listed
        # removal: by a regulator supervising A, with a reason; then public no more, captures unflagged
        revoke = f"/api/v1/credit/blacklist/{entry}/revoke"
        assert client.post(revoke, json={"reason": "x"}, headers=_as(world, "外地监管")).status_code == 404
        assert client.post(revoke, json={"reason": " "}, headers=_as(world, "本市监管")).json()["field"] == "reason"
        removed = client.post(revoke, json={"reason": "整改到位"}, headers=_as(world, "本市监管")).json()
        assert (removed["in_force"], removed["revoke_reason"]) == (False, "整改到位")
        assert client.post(revoke, json={"reason": "again"}, headers=_as(world, "本市监管")).status_code == 409
        assert client.get("/api/v1/portal/blacklist").json() == []
        _capture(maker, world["A"], 3)
        assert _count(session, EventFlag) == 1


class TestRecord:
    def test_grades_with_their_inputs_and_who_reads_them(
        self, client: TestClient, maker: sessionmaker[Session], world: dict[str, str]
    ) -> None:
        def record(who: str, party: str) -> tuple[int, dict[str, object]]:
            response = client.get(f"/api/v1/credit/{party}", headers=_as(world, who))
            return response.status_code, response.json()

        code, b = record("乙食品", world["B"])
        assert (code, b["grade"], b["grade_zh"], b["reasons"]) == (200, "A", "守信", [])
        # a complaint about one of B's products: B; an expired licence: C; listed: D
        with unit_of_work(maker) as s:
            s.add(
                Complaint(
                    reference="TS1", kind="complaint", message="x", code="https://id.gs1.org/01/06901234567892/21/1"
                )
            )
            s.add(Product(name="牛奶", gtin="06901234567892", producer_id=world["B"], class_id="food"))
        assert record("乙食品", world["B"])[1]["grade"] == "B"
        assert record("乙食品", world["B"])[1]["reasons"] == [
            ["产品被投诉举报 1 次", "1 complaint(s) about its products"]
        ]
        with unit_of_work(maker) as s:
            s.add(
                Licence(
                    party_id=world["B"],
                    licence_type="sc_food_production",
                    number="SC1",
                    valid_from=date(2020, 1, 1),
                    valid_to=TODAY - timedelta(days=1),
                )
            )
        code, b = record("本市监管", world["B"])
        assert (code, b["grade"], b["licences_expired"], b["complaints_open"]) == (200, "C", 1, 1)
        _list(client, world, "本市监管", party=B_USCC)
        code, b = record("管理员", B_USCC)
        entries = b["blacklist"]
        assert isinstance(entries, list)
        assert (code, b["grade"], b["grade_en"], len(entries)) == (200, "D", "seriously untrustworthy", 1)
        # who reads: the party, the regulators supervising it, the admin; 404 for the rest
        assert [record(who, world["B"])[0] for who in ("甲食品", "外地监管", "药监")] == [404, 404, 404]

    def test_appeals(self, client: TestClient, session: Session, world: dict[str, str]) -> None:
        entry = _list(client, world, "本市监管")[1]["id"]
        assert (
            client.post(
                "/api/v1/credit/appeals", json={"note": "x", "entry_id": entry}, headers=_as(world, "乙食品")
            ).status_code
            == 404
        )
        assert (
            client.post("/api/v1/credit/appeals", json={"note": " "}, headers=_as(world, "甲食品")).json()["field"]
            == "note"
        )
        assert _count(session, CreditAppeal) == 0
        filed = client.post(
            "/api/v1/credit/appeals", json={"note": "已销毁过期产品", "entry_id": entry}, headers=_as(world, "甲食品")
        )
        assert (filed.status_code, filed.json()["status"]) == (201, "open")
        answer = f"/api/v1/credit/appeals/{filed.json()['id']}/answer"
        assert client.post(answer, json={"answer": "x"}, headers=_as(world, "外地监管")).status_code == 404
        answered = client.post(answer, json={"answer": "维持原决定"}, headers=_as(world, "本市监管")).json()
        assert (answered["status"], answered["answer"]) == ("answered", "维持原决定")
        assert client.post(answer, json={"answer": "y"}, headers=_as(world, "本市监管")).status_code == 409
        own = client.get(f"/api/v1/credit/{world['A']}", headers=_as(world, "甲食品")).json()
        assert [(a["note"], a["answer"]) for a in own["appeals"]] == [("已销毁过期产品", "维持原决定")]


def test_the_desk(client: TestClient, session: Session, world: dict[str, str]) -> None:
    csrf = sign_in(client, world["本市监管"])
    added = client.post(
        "/dashboard/credit/blacklist",
        data={
            "csrf_token": csrf,
            "party": A_USCC,
            "reason": "拒不召回",
            "legal_basis": "《食品安全法》第六十三条",
            "starts_on": TODAY.isoformat(),
            "ends_on": "",
        },
        follow_redirects=False,
    )
    assert (added.status_code, added.headers["location"]) == (303, "/dashboard/credit")
    page = client.get("/dashboard/credit")
    assert "拒不召回" in page.text
    assert '<span class="badge bad">公示中</span>' in page.text
    assert [e.reason for e in session.scalars(select(BlacklistEntry))] == ["拒不召回"]


def test_alerts_inspections_and_ordered_recalls_weigh(
    client: TestClient, maker: sessionmaker[Session], world: dict[str, str]
) -> None:
    def record() -> dict[str, object]:
        found: dict[str, object] = client.get(f"/api/v1/credit/{world['B']}", headers=_as(world, "乙食品")).json()
        return found

    with unit_of_work(maker) as s:  # an open alert of medium severity: B
        s.add(Alert(rule="shipped_not_received", dedup_key="c-1", severity="medium", party_id=world["B"], evidence=[]))
    b = record()
    assert (b["grade"], b["alerts_open"], b["alerts_high"]) == ("B", 1, 0)
    assert b["reasons"] == [["1 条风险预警未关闭", "1 open risk alert(s)"]]
    with unit_of_work(maker) as s:  # a high one, a failed inspection of its product, an ordered recall of it: C
        s.add(Alert(rule="duplicate_sale", dedup_key="c-2", severity="high", party_id=world["B"], evidence=[]))
        s.add(
            Inspection(
                lab="示范市检验检测中心",
                report_number="C-1",
                code="https://id.gs1.org/01/06901234567892",
                items=[],
                result="fail",
                inspected_on=TODAY,
                producer_id=world["B"],
                recorded_by_id=world["B"],
            )
        )
        s.add(
            Recall(
                kind="ordered",
                level=1,
                code="https://id.gs1.org/01/06901234567892",
                reason="x",
                advice="y",
                deadline=utc_now(),
                issuer_id=world["A"],
                owner_id=world["B"],
            )
        )
    b = record()
    assert (b["grade"], b["alerts_open"], b["alerts_high"], b["inspections_failed"], b["recalls_ordered"]) == (
        "C",
        2,
        1,
        1,
        1,
    )
    assert b["reasons"] == [
        ["1 条高风险预警未关闭", "1 open high-severity risk alert(s)"],
        ["近一年产品检验不合格 1 次", "1 failed inspection(s) in a year"],
        ["近一年被责令召回 1 次", "ordered to recall 1 time(s) in a year"],
    ]
