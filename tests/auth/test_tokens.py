"""Tokens that expire and tokens limited to scopes: ``read`` (GET), ``capture`` (every other write), ``admin``."""

import json
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tests.catalog.test_catalog_versions import local_release
from tests.support.epcis import document, object_event
from zhuisu.app.cli import app as cli_app
from zhuisu.db.session import unit_of_work
from zhuisu.errors import InvalidInput
from zhuisu.kit.time import utc_now
from zhuisu.models import ApiToken, CatalogRelease, Event
from zhuisu.parties import service as parties_service


def _token(maker: sessionmaker[Session], *, scopes: list[str] | None, admin: bool = False) -> dict[str, str]:
    with unit_of_work(maker) as s:
        party = parties_service.create_party(s, name="示范市甲食品有限公司")
        if admin:
            parties_service.grant(s, party, actor_role="admin")
        secret = parties_service.issue_token(s, party=party, scopes=scopes).secret
    return {"Authorization": f"Bearer {secret}"}


def _count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


def test_a_read_token_reads_and_writes_nothing(
    client: TestClient, maker: sessionmaker[Session], session: Session
) -> None:
    headers = _token(maker, scopes=["read"])
    assert client.get("/events", headers=headers).status_code == 200
    refused = client.post("/capture", json=document(object_event(1)), headers=headers)
    assert (refused.status_code, refused.json()["code"]) == (403, "missing_scope")
    assert _count(session, Event) == 0


def test_an_admins_capture_token_cannot_do_the_admins_work(
    client: TestClient, maker: sessionmaker[Session], session: Session
) -> None:
    headers = _token(maker, scopes=["read", "capture"], admin=True)
    refused = client.post("/api/v1/catalog/releases", json=local_release(), headers=headers)
    assert (refused.status_code, refused.json()["code"]) == (403, "missing_scope")
    assert _count(session, CatalogRelease) == 0
    assert client.post("/capture", json=document(object_event(1)), headers=headers).status_code == 202


def test_an_expired_token_is_refused(client: TestClient, maker: sessionmaker[Session]) -> None:
    headers = _token(maker, scopes=None)
    assert client.get("/events", headers=headers).status_code == 200
    with unit_of_work(maker) as s:
        s.execute(update(ApiToken).values(expires_at=utc_now() - timedelta(seconds=1)))
    refused = client.get("/events", headers={**headers, "Accept-Language": "en"})
    assert (refused.status_code, refused.json()["detail"]) == (401, "the access token has expired")


@pytest.mark.parametrize(
    ("_case", "fields", "message"),
    [
        ("unknown scope", {"scopes": ["write"]}, "unknown token scopes write: read, capture or admin"),
        ("expired already", {"expires_at": utc_now() - timedelta(days=1)}, "the token's expiry is in the past"),
    ],
)
def test_bad_tokens_are_not_issued(session: Session, _case: str, fields: dict[str, object], message: str) -> None:
    party = parties_service.create_party(session, name="示范市甲食品有限公司")
    with pytest.raises(InvalidInput) as refused:
        parties_service.issue_token(session, party=party, **fields)  # type: ignore[arg-type]
    assert refused.value.message_en == message
    assert _count(session, ApiToken) == 0


@pytest.mark.usefixtures("cli_db")
def test_cli_issues_and_lists_limited_tokens() -> None:
    runner = CliRunner()
    party = json.loads(runner.invoke(cli_app, ["parties", "add", "示范市甲食品有限公司", "--json"]).output)["id"]
    issued = runner.invoke(cli_app, ["tokens", "issue", party, "--scope", "read", "--expires-in-days", "30"])
    assert issued.exit_code == 0, issued.output
    listed = runner.invoke(cli_app, ["tokens", "list", party]).output
    assert "  active  expires " in listed
    assert listed.rstrip().endswith("scopes read")


def test_a_read_token_uploads_nothing_through_the_console(
    client: TestClient, maker: sessionmaker[Session], session: Session
) -> None:
    headers = _token(maker, scopes=["read"])
    assert client.get("/api/v1/console/overview", headers=headers).status_code == 200
    sheet = "事件类型*,业务步骤*\nObjectEvent,shipping\n".encode()
    refused = client.post("/api/v1/console/uploads", files={"file": ("e.csv", sheet)}, headers=headers)
    assert (refused.status_code, refused.json()["code"]) == (403, "missing_scope")
    assert _count(session, Event) == 0
