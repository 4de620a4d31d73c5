"""The audit trail: every write leaves an entry (who, which token, what, the outcome), the database refuses to
rewrite it, and its reader shows the admin every entry, a regulator its jurisdiction's, an enterprise nothing."""

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Credentials
from tests.support.epcis import document, object_event
from zhuisu.db.session import unit_of_work
from zhuisu.models import AuditEntry
from zhuisu.parties import service as parties_service


def _token(maker: sessionmaker[Session], name: str, region: str | None, role: str, jurisdiction: str | None) -> str:
    with unit_of_work(maker) as s:
        party = parties_service.create_party(s, name=name, region=region)
        if role != "enterprise":
            parties_service.grant(s, party, actor_role=role, jurisdiction=jurisdiction)
        return parties_service.issue_token(s, party=party).secret


def test_each_reader_sees_its_share(client: TestClient, maker: sessionmaker[Session], admin: Credentials) -> None:
    # given tokens issued to a party of 370602 and one of 110101 (each issuance is audited), and two regulators
    local = _token(maker, "示范市甲食品有限公司", "370602", "enterprise", None)
    _token(maker, "北京乙食品有限公司", "110101", "enterprise", None)
    city = _token(maker, "示范市市场监督管理局", "370600", "regulator", "3706")

    def read(token: str, **params: str) -> list[tuple[str, str | None]]:
        response = client.get("/audit", params=params, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.json()
        return [(e["action"], e["actor_name"]) for e in response.json()]

    # then the city's regulator reads the entries of parties registered in the city (itself included), newest first
    assert read(city, action="token_issued") == [
        ("token_issued", "示范市市场监督管理局"),
        ("token_issued", "示范市甲食品有限公司"),
    ]
    # the admin reads them all, including the operator's grants (no actor) and its own token
    everything = read(admin.token, action="token_issued")
    assert [name for _, name in everything] == [
        "示范市市场监督管理局", "北京乙食品有限公司", "示范市甲食品有限公司", "节点管理员"
    ]  # fmt: skip
    assert read(admin.token, action="role_granted", limit="1") == [("role_granted", None)]
    # and an enterprise reads nothing of it
    refused = client.get("/audit", headers={"Authorization": f"Bearer {local}"})
    assert (refused.status_code, refused.json()["code"]) == (403, "permission_denied")


def test_pages_by_entry_id(client: TestClient, admin: Credentials, session: Session) -> None:
    first = client.get("/audit", params={"limit": 1}, headers=admin.headers).json()
    rest = client.get("/audit", params={"before": first[0]["id"]}, headers=admin.headers).json()
    assert [e["action"] for e in first + rest] == ["token_issued", "role_granted", "party_created"]


def _writes(session: Session) -> list[tuple[str | None, str, dict[str, object]]]:
    rows = session.execute(
        select(AuditEntry.actor_id, AuditEntry.subject, AuditEntry.payload)
        .where(AuditEntry.action == "write")
        .order_by(AuditEntry.id)
    )
    return [(actor, subject, dict(payload)) for actor, subject, payload in rows]


def test_every_write_leaves_its_trace_refused_ones_too(
    client: TestClient, maker: sessionmaker[Session], session: Session
) -> None:
    with unit_of_work(maker) as s:
        a = parties_service.create_party(s, name="示范市甲食品有限公司", region="370602")
        b = parties_service.create_party(s, name="示范市乙食品有限公司", region="370602")
        issued = {p.id: parties_service.issue_token(s, party=p) for p in (a, b)}
    a_token, b_token = (issued[p.id] for p in (a, b))
    # when A captures, B tries to change A's profile, and a revoked token tries to write
    captured = client.post("/capture", json=document(object_event(1)), headers=_bearer(a_token.secret))
    refused = client.patch(f"/api/v1/parties/{a.id}", json={"address": "乙的地址"}, headers=_bearer(b_token.secret))
    with unit_of_work(maker) as s:
        parties_service.revoke_token(s, token_id=b_token.token.id)
    gone = client.post("/queries", json={"name": "q", "query": {}}, headers=_bearer(b_token.secret))
    # then two entries: who, which token, what, the outcome (and the capture job); none for the revoked token
    assert (captured.status_code, refused.status_code, gone.status_code) == (202, 403, 401)
    job = captured.headers["Location"].rsplit("/", 1)[1]
    assert _writes(session) == [
        (a.id, "POST /capture", {"status": 202, "outcome": "done", "token": a_token.token.id, "capture": job}),
        (b.id, f"PATCH /api/v1/parties/{a.id}", {"status": 403, "outcome": "refused", "token": b_token.token.id}),
    ]


def test_the_trail_cannot_be_rewritten(session: Session) -> None:
    session.add(AuditEntry(actor_id=None, action="write", subject="POST /x", payload={}))
    session.flush()
    for statement in (update(AuditEntry).values(subject="forged"), delete(AuditEntry)):
        with pytest.raises(DBAPIError, match="append-only"), session.begin_nested():
            session.execute(statement)
    assert session.scalars(select(AuditEntry.subject).where(AuditEntry.action == "write")).all() == ["POST /x"]


def _bearer(secret: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {secret}"}
