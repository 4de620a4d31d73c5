"""Complaints and reports handled to the end, on both databases: anonymous filing and the reward flag, the regulator's
steps (assign, note, answer, close — closing needs an answer), what the person who filed sees by the reference
number (the page and its JSON twin), who may take which step, and that a refused step changes nothing."""

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Credentials
from tests.support.signin import sign_in
from zhuisu.db.session import unit_of_work
from zhuisu.models import Complaint
from zhuisu.parties import service as parties_service

FILE = "/api/v1/portal/complaints"


def _regulator(maker: sessionmaker[Session], name: str, jurisdiction: str) -> tuple[str, str]:
    with unit_of_work(maker) as s:
        party = parties_service.create_party(s, name=name, region=jurisdiction.ljust(6, "0"))
        parties_service.grant(s, party, actor_role="regulator", jurisdiction=jurisdiction)
        return party.id, parties_service.issue_token(s, party=party, label="t").secret


def _stored(session: Session) -> list[tuple[str, str, str, str, str | None, bool, bool]]:
    rows = session.execute(
        select(Complaint.kind, Complaint.status, Complaint.contact, Complaint.answer, Complaint.assigned_to,
               Complaint.anonymous, Complaint.reward).order_by(Complaint.id)
    )  # fmt: skip
    return [tuple(r) for r in rows]  # type: ignore[misc]


class TestFiling:
    def test_anonymous_keeps_no_contact_and_only_a_report_asks_for_a_reward(
        self, client: TestClient, session: Session
    ) -> None:
        both = client.post(FILE, json={"message": "假冒", "kind": "report", "contact": "138", "anonymous": True})
        assert (both.status_code, both.json()["code"], both.json()["field"]) == (400, "invalid_input", "contact")
        reward = client.post(FILE, json={"message": "质量差", "kind": "complaint", "reward": True})
        assert (reward.status_code, reward.json()["field"]) == (400, "reward")
        assert session.scalar(select(func.count()).select_from(Complaint)) == 0
        filed = client.post(FILE, json={"message": "假冒", "kind": "report", "anonymous": True, "reward": True})
        assert filed.status_code == 201
        ack = client.get(f"{FILE}/{filed.json()['reference']}").json()
        assert (ack["status"], ack["anonymous"], ack["reward"], ack["answer"]) == ("received", True, True, "")
        assert _stored(session) == [("report", "received", "", "", None, True, True)]

    def test_the_form_files_anonymously(self, client: TestClient, session: Session) -> None:
        page = client.post("/complaints", data={"message": "假冒", "kind": "report", "anonymous": "1", "reward": "1"})
        assert page.status_code == 201
        assert _stored(session) == [("report", "received", "", "", None, True, True)]


class TestHandling:
    def test_assign_answer_close_and_the_filer_sees_the_answer(
        self, client: TestClient, maker: sessionmaker[Session], session: Session
    ) -> None:
        city_id, city = _regulator(maker, "示范市市场监督管理局", "2301")
        district_id, _ = _regulator(maker, "示范区市场监督管理局", "230102")
        _, elsewhere = _regulator(maker, "外省市场监督管理局", "11")
        reference = client.post(FILE, json={"message": "标签模糊", "contact": "138"}).json()["reference"]
        step = f"/api/v1/dashboard/complaints/{reference}"

        def send(token: str, body: dict[str, object]) -> tuple[int, dict[str, object]]:
            response = client.post(step, json=body, headers={"Authorization": f"Bearer {token}"})
            return response.status_code, response.json()

        # a complaint routed nowhere is every regulator's; assigning it to a regulator of another region is refused
        code, body = send(city, {"status": "in_progress", "assign_to": district_id, "note": "转区局办理"})
        assert (code, body["status"], body["assigned_to"], body["note"]) == (
            200,
            "in_progress",
            district_id,
            "转区局办理",
        )
        code, body = send(city, {"assign_to": "nobody"})
        assert (code, body["field"]) == (400, "assign_to")
        # closing needs an answer; nothing changes when refused
        code, body = send(city, {"status": "closed"})
        assert (code, body["field"]) == (400, "answer")
        assert _stored(session) == [("complaint", "in_progress", "138", "", district_id, False, False)]
        code, body = send(city, {"status": "closed", "answer": "已责令商家整改标签"})
        assert (code, body["status"], body["answer"]) == (200, "closed", "已责令商家整改标签")
        assert send(city, {"note": "again"})[0] == 409
        assert send(elsewhere, {"note": "x"})[0] == 409  # unrouted: every regulator sees it, and it is closed
        # the person who filed sees where it stands and the answer, never the internal note or the contact
        ack = client.get(f"{FILE}/{reference}").json()
        assert (ack["status"], ack["answer"]) == ("closed", "已责令商家整改标签")
        assert "note" not in ack
        assert "contact" not in ack
        page = client.get("/complaint", params={"reference": reference.lower()})
        assert page.status_code == 200
        assert '<strong id="complaint-status">已办结</strong>' in page.text
        assert '<p class="notice" id="complaint-answer">已责令商家整改标签</p>' in page.text
        assert "转区局办理" not in page.text
        assert "138" not in page.text
        missing = client.get("/complaint", params={"reference": "TS20260101-AAAAAA"})
        assert missing.status_code == 404
        assert 'id="lookup-error"' in missing.text
        assert city_id != district_id

    def test_outside_the_region_and_enterprises(
        self, client: TestClient, maker: sessionmaker[Session], session: Session, creds: Credentials
    ) -> None:
        _, elsewhere = _regulator(maker, "外省市场监督管理局", "11")
        with unit_of_work(maker) as s:
            complaint = Complaint(reference="TS20261204-ROUTED", kind="complaint", message="x", region="230102")
            s.add(complaint)
        step = "/api/v1/dashboard/complaints/TS20261204-ROUTED"
        refused = client.post(step, json={"note": "x"}, headers={"Authorization": f"Bearer {elsewhere}"})
        assert (refused.status_code, refused.json()["code"]) == (404, "not_found")
        assert client.post(step, json={"note": "x"}, headers=creds.headers).status_code == 403
        assert client.post(step, json={"note": "x"}).status_code == 401
        assert _stored(session) == [("complaint", "received", "", "", None, False, False)]

    def test_the_desk_form(self, client: TestClient, session: Session, regulator_token: str) -> None:
        reference = client.post(
            FILE, json={"message": "标签模糊", "code": "https://id.gs1.org/01/06901234567892"}
        ).json()["reference"]
        csrf = sign_in(client, regulator_token)
        desk = client.get("/dashboard")
        assert '<a href="/dashboard/trace?code=https%3A//id.gs1.org/01/06901234567892">追溯 →</a>' in desk.text
        done = client.post(
            f"/dashboard/complaints/{reference}",
            data={"csrf_token": csrf, "status": "closed", "answer": "已核查", "note": "", "assign_to": ""},
            follow_redirects=False,
        )
        assert (done.status_code, done.headers["location"]) == (303, "/dashboard#complaints")
        assert _stored(session) == [("complaint", "closed", "", "已核查", None, False, False)]
        assert "答复：已核查" in client.get("/dashboard").text
