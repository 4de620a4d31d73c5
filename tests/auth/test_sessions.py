"""Sign-in sessions of the regulator desk and the enterprise console: the cookie holds a session's secret (never the
token), the session ends at sign-out, at expiry or with its token, and every write with the cookie carries the
session's CSRF token (403 ``csrf_failed`` and nothing written otherwise); a bearer token needs none."""

import hashlib
from collections.abc import Callable
from datetime import timedelta
from http.cookies import SimpleCookie

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, func, select, update
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Credentials
from tests.support.signin import sign_in
from zhuisu.auth import service as auth_service
from zhuisu.db.session import unit_of_work
from zhuisu.kit.time import utc_now
from zhuisu.models import ApiToken, AuditEntry, Base, CaptureJob, CodeBatch, Complaint, WebSession
from zhuisu.parties import service as parties_service
from zhuisu.portal import complaints
from zhuisu.portal.schemas import ComplaintCreate
from zhuisu.web.rendering import SESSION_COOKIE

SHEET = "事件时间,追溯码,业务步骤,业务地点\n2026-10-04 08:30,(01)06901234123456(21)7001,shipping,6901234000016\n"


@pytest.fixture
def regulator(maker: sessionmaker[Session]) -> Credentials:
    """A national regulator (it handles every complaint), registered in Beijing (so it may issue codes)."""
    with unit_of_work(maker) as s:
        party = parties_service.create_party(s, name="国家市场监督管理总局", region="110000", party_type="government")
        parties_service.grant(s, party, actor_role="regulator")
        return Credentials(party.id, parties_service.issue_token(s, party=party, label="desk").secret)


def _set_cookie(header: str) -> SimpleCookie:
    """The cookie a ``Set-Cookie`` header sets, with its attributes."""
    cookie: SimpleCookie = SimpleCookie()
    cookie.load(header)
    return cookie


def _count(session: Session, model: type, *where: object) -> int:
    return int(session.scalar(select(func.count()).select_from(model).where(*where)) or 0)  # type: ignore[arg-type]


def _signed_out(client: TestClient) -> bool:
    """False when the client's cookie reads the desk and the console's JSON twin; True when the desk sends it to
    sign in and the twin answers 401."""
    page = client.get("/dashboard", follow_redirects=False)
    twin = client.get("/api/v1/console/overview")
    if (page.status_code, twin.status_code) == (200, 200):
        return False
    assert (page.status_code, page.headers["location"], twin.status_code, twin.json()["code"]) == (
        303,
        "/signin?next=/dashboard",
        401,
        "not_authenticated",
    )
    return True


class TestSignIn:
    def test_the_cookie_holds_a_session_secret_not_the_token(
        self, client: TestClient, session: Session, regulator: Credentials
    ) -> None:
        response = client.post("/signin", data={"token": regulator.token, "next": "/dashboard"}, follow_redirects=False)
        assert (response.status_code, response.headers["location"]) == (303, "/dashboard")
        morsel = _set_cookie(response.headers["set-cookie"])[SESSION_COOKIE]
        assert morsel.value != regulator.token
        assert len(morsel.value) == 43  # secrets.token_urlsafe(32)
        assert (morsel["httponly"], morsel["samesite"], morsel["secure"], morsel["path"], morsel["max-age"]) == (
            True,
            "lax",
            "",
            "/",
            "28800",
        )
        row = session.execute(select(WebSession)).scalar_one()
        token_id = session.scalar(select(ApiToken.id).where(ApiToken.party_id == regulator.party_id))
        assert (row.secret_hash, row.party_id, row.token_id, row.ended_at) == (
            hashlib.sha256(morsel.value.encode()).hexdigest(),
            regulator.party_id,
            token_id,
            None,
        )
        assert row.expires_at - row.created_at == timedelta(hours=8)
        assert len(row.csrf_secret) == 43
        assert morsel.value not in (row.secret_hash, row.csrf_secret)
        entry = session.execute(select(AuditEntry).where(AuditEntry.action == "signed_in")).scalar_one()
        assert (entry.actor_id, entry.subject, entry.payload) == (
            regulator.party_id,
            token_id,
            {"token_prefix": regulator.token[:10], "session_id": row.id},
        )

    def test_the_cookie_reads_the_desk_and_the_console(self, client: TestClient, regulator: Credentials) -> None:
        sign_in(client, regulator.token)
        pages = [client.get(path) for path in ("/dashboard", "/api/v1/dashboard/overview", "/console")]
        assert [(r.status_code, r.headers["cache-control"]) for r in pages] == [(200, "no-store")] * 3
        assert client.get("/api/v1/console/overview").json()["party"]["id"] == regulator.party_id
        assert "cache-control" not in client.get("/portal").headers

    def test_over_https_the_cookie_is_secure(self, app: FastAPI, regulator: Credentials) -> None:
        with TestClient(app, base_url="https://testserver") as client:
            response = client.post("/signin", data={"token": regulator.token}, follow_redirects=False)
            assert (response.status_code, response.headers["location"]) == (303, "/dashboard")
            morsel = _set_cookie(response.headers["set-cookie"])[SESSION_COOKIE]
            assert (morsel["secure"], morsel["httponly"], morsel["samesite"]) == (True, True, "lax")
            assert client.get("/dashboard").status_code == 200

    def test_a_bad_token_starts_no_session(self, client: TestClient, session: Session) -> None:
        response = client.post("/signin", data={"token": "zs_nope"}, follow_redirects=False)
        assert (response.status_code, "set-cookie" in response.headers) == (401, False)
        assert _count(session, WebSession) == 0

    def test_a_token_in_the_cookie_is_no_longer_accepted(self, client: TestClient, regulator: Credentials) -> None:
        client.cookies.set(SESSION_COOKIE, regulator.token)
        assert _signed_out(client)


@pytest.mark.parametrize(
    ("target", "landing"),
    [
        ("/console", "/console"),
        ("/dashboard/trace?code=x", "/dashboard/trace?code=x"),
        # a path on this node (browsers do not decode %2F when resolving it): this node's 404, not another host
        ("/%2F%2Fevil.example", "/%2F%2Fevil.example"),
        ("//evil.example", "/dashboard"),
        ("//evil.example/dashboard", "/dashboard"),
        ("/\\evil.example", "/dashboard"),
        ("https://evil.example", "/dashboard"),
        ("https:/evil.example", "/dashboard"),
        ("javascript:alert(1)", "/dashboard"),
        ("/\t/evil.example", "/dashboard"),
        ("/\n/evil.example", "/dashboard"),
        ("evil.example", "/dashboard"),
        ("", "/dashboard"),
    ],
)
def test_sign_in_goes_only_to_paths_on_this_node(
    client: TestClient, regulator: Credentials, target: str, landing: str
) -> None:
    response = client.post("/signin", data={"token": regulator.token, "next": target}, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, landing)


class TestTheSessionEnds:
    def test_when_its_token_is_revoked(
        self, client: TestClient, maker: sessionmaker[Session], regulator: Credentials
    ) -> None:
        sign_in(client, regulator.token)
        assert not _signed_out(client)
        with unit_of_work(maker) as s:
            token_id = s.scalars(select(ApiToken.id).where(ApiToken.party_id == regulator.party_id)).one()
            parties_service.revoke_token(s, token_id=token_id)
        assert _signed_out(client)

    def test_when_its_token_expires(
        self, client: TestClient, maker: sessionmaker[Session], regulator: Credentials
    ) -> None:
        sign_in(client, regulator.token)
        with unit_of_work(maker) as s:
            s.execute(update(ApiToken).values(expires_at=utc_now() - timedelta(seconds=1)))
        assert _signed_out(client)

    def test_when_it_expires(self, client: TestClient, maker: sessionmaker[Session], regulator: Credentials) -> None:
        sign_in(client, regulator.token)
        with unit_of_work(maker) as s:
            s.execute(update(WebSession).values(expires_at=utc_now() - timedelta(seconds=1)))
        assert _signed_out(client)

    def test_at_sign_out(self, client: TestClient, session: Session, regulator: Credentials) -> None:
        csrf_token = sign_in(client, regulator.token)
        secret = client.cookies[SESSION_COOKIE]
        response = client.post("/signout", data={"csrf_token": csrf_token}, follow_redirects=False)
        assert (response.status_code, response.headers["location"]) == (303, "/signin")
        deleted = _set_cookie(response.headers["set-cookie"])[SESSION_COOKIE]
        assert (deleted.value, deleted["max-age"], deleted["path"]) == ("", "0", "/")
        assert SESSION_COOKIE not in client.cookies
        row = session.execute(select(WebSession.id, WebSession.ended_at)).one()
        assert row.ended_at is not None
        entry = session.execute(select(AuditEntry).where(AuditEntry.action == "signed_out")).scalar_one()
        assert (entry.actor_id, entry.payload) == (
            regulator.party_id,
            {"token_prefix": regulator.token[:10], "session_id": row.id},
        )
        client.cookies.set(SESSION_COOKIE, secret)  # the same cookie again
        assert _signed_out(client)

    def test_not_at_a_forged_sign_out(self, client: TestClient, session: Session, regulator: Credentials) -> None:
        sign_in(client, regulator.token)
        for data in ({}, {"csrf_token": "forged"}):
            refused = client.post("/signout", data=data, follow_redirects=False)
            assert (refused.status_code, refused.json()["code"]) == (403, "csrf_failed")
        assert session.scalar(select(WebSession.ended_at)) is None
        assert _count(session, AuditEntry, AuditEntry.action == "signed_out") == 0
        assert not _signed_out(client)

    def test_a_read_only_token_signs_out_too(self, client: TestClient, maker: sessionmaker[Session]) -> None:
        with unit_of_work(maker) as s:
            party = parties_service.create_party(s, name="示范市甲食品有限公司")
            token = parties_service.issue_token(s, party=party, scopes=["read"]).secret
        csrf_token = sign_in(client, token)
        refused = client.post("/console/batches", data={"csrf_token": csrf_token, "product_code": "A", "count": "1"})
        assert (refused.status_code, refused.json()["code"]) == (403, "missing_scope")
        assert client.post("/signout", data={"csrf_token": csrf_token}, follow_redirects=False).status_code == 303
        assert _signed_out(client)


@pytest.fixture
def complaint(session: Session) -> str:
    filed = complaints.file_complaint(session, ComplaintCreate(message="标签模糊"), language="zh")
    session.flush()
    return filed.reference


#: A write of the desk or the console: its URL, form fields, files, and the status it succeeds with.
Write = tuple[str, dict[str, str], dict[str, tuple[str, bytes]] | None, int]


def _writes(reference: str) -> dict[str, Write]:
    return {
        "complaint": (
            f"/dashboard/complaints/{reference}",
            {"status": "closed", "note": "已核查", "answer": "已责令整改"},
            None,
            303,
        ),
        "issue": ("/console/batches", {"product_code": "RICE-5KG", "count": "2"}, None, 303),
        "upload page": ("/console/uploads", {}, {"file": ("e.csv", SHEET.encode())}, 200),
        "upload twin": ("/api/v1/console/uploads", {}, {"file": ("e.csv", SHEET.encode())}, 201),
    }


def _written(session: Session) -> dict[str, int]:
    """What each write writes, counted."""
    return {
        "complaint": _count(session, Complaint, Complaint.status != "received"),
        "issue": _count(session, CodeBatch),
        "upload page": _count(session, CaptureJob),
        "upload twin": _count(session, CaptureJob),
    }


WRITES = ["complaint", "issue", "upload page", "upload twin"]


class TestCsrf:
    @pytest.mark.parametrize("write", WRITES)
    @pytest.mark.parametrize("presented", [None, "", "forged", "wrong-session"])
    def test_a_write_with_the_cookie_and_no_right_token_writes_nothing(
        self,
        client: TestClient,
        session: Session,
        maker: sessionmaker[Session],
        regulator: Credentials,
        complaint: str,
        write: str,
        presented: str | None,
    ) -> None:
        csrf_token = sign_in(client, regulator.token)
        if presented == "wrong-session":  # the CSRF token of another session of the same party
            with unit_of_work(maker) as s:
                presented = auth_service.start_session(
                    s, regulator.token, lifetime=timedelta(hours=1)
                ).web_session.csrf_secret
            assert presented != csrf_token
        url, data, files, _ = _writes(complaint)[write]
        fields = data if presented is None else {**data, "csrf_token": presented}
        refused = client.post(url, data=fields, files=files, follow_redirects=False)
        assert (refused.status_code, refused.json()["code"]) == (403, "csrf_failed")
        assert _written(session)[write] == 0

    @pytest.mark.parametrize("write", WRITES)
    @pytest.mark.parametrize("how", ["form field", "header"])
    def test_the_sessions_token_lets_it_through(
        self, client: TestClient, session: Session, regulator: Credentials, complaint: str, write: str, how: str
    ) -> None:
        csrf_token = sign_in(client, regulator.token)
        url, data, files, status = _writes(complaint)[write]
        if how == "header":
            response = client.post(
                url, data=data, files=files, headers={"X-CSRF-Token": csrf_token}, follow_redirects=False
            )
        else:
            response = client.post(url, data={**data, "csrf_token": csrf_token}, files=files, follow_redirects=False)
        assert response.status_code == status, response.text
        assert _written(session)[write] == 1

    @pytest.mark.parametrize("write", WRITES)
    def test_a_bearer_token_needs_none(
        self, client: TestClient, session: Session, regulator: Credentials, complaint: str, write: str
    ) -> None:
        url, data, files, status = _writes(complaint)[write]
        bearer = {"Authorization": f"Bearer {regulator.token}"}
        response = client.post(url, data=data, files=files, headers=bearer, follow_redirects=False)
        assert response.status_code == status, response.text
        assert _written(session)[write] == 1

    def test_the_pages_forms_carry_the_sessions_token(
        self, client: TestClient, session: Session, regulator: Credentials, complaint: str
    ) -> None:
        csrf_token = sign_in(client, regulator.token)
        assert csrf_token == session.scalar(select(WebSession.csrf_secret))
        hidden = f'<input type="hidden" name="csrf_token" value="{csrf_token}">'
        pages: dict[str, Callable[[], str]] = {
            "/dashboard": lambda: client.get("/dashboard").text,
            "/dashboard/audit": lambda: client.get("/dashboard/audit").text,
            "/console": lambda: client.get("/console").text,
        }
        # the desk: a complaint's form and sign-out; the audit page: sign-out; the console: issue, upload, sign-out
        assert {url: page().count(hidden) for url, page in pages.items()} == {
            "/dashboard": 2,
            "/dashboard/audit": 1,
            "/console": 3,
        }


def test_the_migration_builds_the_model(connection: Connection) -> None:
    """Migration 0019 and ``WebSession`` agree (alembic's comparison of the migrated database with the models)."""
    differences = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata)
    assert [d for d in differences if "web_sessions" in repr(d)] == []


def test_sessions_long_ended_or_expired_are_swept(maker: sessionmaker[Session]) -> None:
    from zhuisu.db.session import unit_of_work
    from zhuisu.kit.time import utc_now
    from zhuisu.models import WebSession
    from zhuisu.parties import service as parties_service

    with unit_of_work(maker) as s:
        party = parties_service.create_party(s, name="示范市甲食品有限公司")
        secret = parties_service.issue_token(s, party=party).secret
        started = {
            name: auth_service.start_session(s, secret, lifetime=timedelta(hours=8)).web_session.id
            for name in ("active", "expired long ago", "ended long ago", "expired yesterday")
        }
        now = utc_now()
        rows = {row.id: row for row in s.scalars(select(WebSession))}
        rows[started["expired long ago"]].expires_at = now - timedelta(days=40)
        rows[started["ended long ago"]].ended_at = now - timedelta(days=31)
        rows[started["expired yesterday"]].expires_at = now - timedelta(days=1)
    assert auth_service.sweep_sessions(maker) == 2
    with unit_of_work(maker) as s:
        kept = set(s.scalars(select(WebSession.id)))
    assert kept == {started["active"], started["expired yesterday"]}
    assert auth_service.sweep_sessions(maker) == 0
