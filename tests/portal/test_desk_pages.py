"""Sign-in, the regulator desk's gate and its JSON twins, complaint handling, the console's gate."""

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Credentials
from tests.portal.conftest import SGTIN
from tests.support.signin import sign_in
from zhuisu.db.session import unit_of_work
from zhuisu.errors import Conflict
from zhuisu.models import CodeBatch, Complaint, Party
from zhuisu.parties import service as parties_service
from zhuisu.portal import complaints
from zhuisu.portal.schemas import ComplaintCreate, ComplaintHandle


class TestSignIn:
    def test_bad_token_stays_signed_out(self, client: TestClient) -> None:
        response = client.post("/signin", data={"token": "zs_nope", "next": "/dashboard"}, follow_redirects=False)
        assert response.status_code == 401
        assert "zhuisu_session" not in response.cookies

    def test_cookie_then_desk(self, client: TestClient, regulator_token: str) -> None:
        response = client.post("/signin", data={"token": regulator_token, "next": "/dashboard"}, follow_redirects=False)
        assert (response.status_code, response.headers["location"]) == (303, "/dashboard")
        assert client.get("/dashboard").status_code == 200

    def test_an_enterprise_lands_on_its_console(self, client: TestClient, creds: Credentials) -> None:
        response = client.post("/signin", data={"token": creds.token, "next": "/dashboard"}, follow_redirects=False)
        assert (response.status_code, response.headers["location"]) == (303, "/console")
        assert client.get("/console").status_code == 200
        # a page it asked for is kept
        again = client.post("/signin", data={"token": creds.token, "next": "/console/events"}, follow_redirects=False)
        assert again.headers["location"] == "/console/events"

    def test_next_must_be_local(self, client: TestClient, regulator_token: str) -> None:
        response = client.post(
            "/signin", data={"token": regulator_token, "next": "//evil.example/"}, follow_redirects=False
        )
        assert response.headers["location"] == "/dashboard"


class TestDeskGate:
    def test_signed_out_goes_to_signin(self, client: TestClient) -> None:
        response = client.get("/dashboard/trace", follow_redirects=False)
        assert (response.status_code, response.headers["location"]) == (303, "/signin?next=/dashboard/trace")

    def test_enterprise_is_forbidden(self, client: TestClient, creds: Credentials) -> None:
        assert client.get("/dashboard", headers=creds.headers).status_code == 403
        assert client.get("/api/v1/dashboard/overview", headers=creds.headers).json()["code"] == "permission_denied"

    def test_json_twin_needs_sign_in(self, client: TestClient) -> None:
        assert client.get("/api/v1/dashboard/overview").json()["code"] == "not_authenticated"

    def test_complaints_listed_for_regulator(self, client: TestClient, session: Session, regulator_token: str) -> None:
        filed = complaints.file_complaint(session, ComplaintCreate(message="标签模糊"), language="zh")
        headers = {"Authorization": f"Bearer {regulator_token}"}
        listed = client.get("/api/v1/dashboard/complaints", headers=headers).json()
        assert [(c["reference"], c["message"], c["status"]) for c in listed] == [
            (filed.reference, "标签模糊", "received")
        ]
        assert filed.reference in client.get("/dashboard", headers=headers).text


class TestHandleComplaint:
    def test_received_to_closed(self, session: Session, creds: Credentials) -> None:
        filed = complaints.file_complaint(session, ComplaintCreate(message="x", kind="report"), language="en")
        actor = session.get_one(Party, creds.party_id)
        step = ComplaintHandle(status="closed", note=" done ", answer=" 已查处 ")
        handled = complaints.handle_complaint(session, filed.reference, actor=actor, step=step)
        assert (handled.status, handled.note, handled.answer, handled.handled_by, handled.language) == (
            "closed",
            "done",
            "已查处",
            creds.party_id,
            "en",
        )

    def test_closed_cannot_reopen(self, session: Session, creds: Credentials) -> None:
        filed = complaints.file_complaint(session, ComplaintCreate(message="x"), language="zh")
        actor = session.get_one(Party, creds.party_id)
        step = ComplaintHandle(status="closed", note="done", answer="已答复")
        complaints.handle_complaint(session, filed.reference, actor=actor, step=step)
        again = ComplaintHandle(status="in_progress", note="again")
        with pytest.raises(Conflict):
            complaints.handle_complaint(session, filed.reference, actor=actor, step=again)
        stored = session.get_one(Complaint, filed.id)
        assert (stored.status, stored.note) == ("closed", "done")


class TestConsole:
    def test_signed_out_goes_to_signin(self, client: TestClient) -> None:
        assert client.get("/console", follow_redirects=False).headers["location"] == "/signin?next=/console"

    def test_a_refused_issue_shows_why(self, client: TestClient, session: Session, creds: Credentials) -> None:
        csrf_token = sign_in(client, creds.token)
        refused = client.post("/console/batches", data={"csrf_token": csrf_token, "gtin": "123", "count": "1"})
        assert refused.status_code == 400
        assert '<p class="notice" id="console-error">' in refused.text
        assert session.scalar(select(func.count()).select_from(CodeBatch)) == 0

    def test_overview_twin(self, client: TestClient, creds: Credentials) -> None:
        body = client.get("/api/v1/console/overview", headers=creds.headers).json()
        assert body == {
            "party": {"id": creds.party_id, "name": "测试食品有限公司"},
            "products": [],
            "batches": [],
            "recalls": [],
        }
        assert client.get("/console", headers=creds.headers).status_code == 200


class TestAuditPage:
    def test_regulator_reads_its_jurisdictions_trail(self, client: TestClient, regulator_token: str) -> None:
        client.post("/signin", data={"token": regulator_token, "next": "/dashboard"}, follow_redirects=False)
        page = client.get("/dashboard/audit", params={"action": "token_issued"})
        assert page.status_code == 200
        # the regulator's own token (its party is registered in 230102, its jurisdiction), in Beijing time
        assert page.text.count("<td>签发令牌</td>") == 1
        assert "<td>示范市市场监督管理局</td>" in page.text
        assert "UTC+08:00" in page.text
        english = client.get("/dashboard/audit", params={"action": "token_issued", "lang": "en"})
        assert english.text.count("<td>token issued</td>") == 1

    def test_enterprise_is_forbidden(self, client: TestClient, creds: Credentials) -> None:
        assert client.get("/dashboard/audit", headers=creds.headers).status_code == 403


class TestDeskTracePage:
    """The trace explorer as a regulator reads it: Chinese step and role names, Beijing time, region names."""

    @pytest.mark.usefixtures("demo")
    def test_steps_roles_and_times_in_chinese(self, client: TestClient, maker: sessionmaker[Session]) -> None:
        with unit_of_work(maker) as s:
            party = parties_service.create_party(s, name="国家市场监督管理总局", party_type="government")
            parties_service.grant(s, party, actor_role="regulator")
            token = parties_service.issue_token(s, party=party, label="desk").secret
        page = client.get("/dashboard/trace", params={"code": SGTIN}, headers={"Authorization": f"Bearer {token}"}).text
        timeline = page[page.index('<ol class="timeline">') : page.index("</ol>")]
        assert '<time datetime="2026-04-06T22:00:00.000Z">2026-04-07 06:00</time><strong>赋码/生产</strong>' in timeline
        assert "<strong>发货</strong>" in timeline
        assert "<strong>收货</strong>" in timeline
        assert not re.search(r"<strong>[a-z_]+</strong>", timeline)  # no CBV step left untranslated
        assert not re.search(r"\d{4}-\d\d-\d\dT\d\d:\d\d", re.sub(r'datetime="[^"]*"', "", timeline))  # no ISO UTC
        chain = page[page.index('id="responsibility"') : page.index('id="findings"')]
        assert "<td>发货方</td>" in chain
        assert "<td>记录方</td>" in chain
        assert "source" not in chain
        assert "recorder" not in chain
