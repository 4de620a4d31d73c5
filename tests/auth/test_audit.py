"""The audit trail's reader: the admin reads every entry, a regulator its jurisdiction's, an enterprise nothing."""

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Credentials
from zhuisu.db.session import unit_of_work
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
