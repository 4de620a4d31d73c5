"""Parties and tokens: validation, hashing, revocation, lookup by identifier."""

import hashlib
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuisu.auth import service as auth_service
from zhuisu.auth.errors import InvalidToken
from zhuisu.errors import InvalidInput
from zhuisu.models import ApiToken, AuditEntry
from zhuisu.parties import service
from zhuisu.parties.errors import InvalidUscc


def test_token_is_stored_hashed_and_authenticates(session: Session) -> None:
    party = service.create_party(session, name="示范市食品有限公司", uscc="91110000600037341L")
    issued = service.issue_token(session, party=party, label="erp")
    stored = session.scalars(select(ApiToken.token_hash)).all()
    assert issued.secret not in stored
    assert stored == [hashlib.sha256(issued.secret.encode()).hexdigest()]
    assert auth_service.authenticate(session, issued.secret).id == party.id
    service.revoke_token(session, token_id=issued.token.id)
    with pytest.raises(InvalidToken):
        auth_service.authenticate(session, issued.secret)
    actions = session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["party_created", "token_issued", "token_revoked"]


@pytest.mark.parametrize(
    ("_case", "kwargs", "error"),
    [
        ("bad check character", {"uscc": "91110000600037341X"}, InvalidUscc),
        ("bad GLN", {"gln": "6901234000017"}, InvalidInput),
        ("bad region", {"region": "37A1"}, InvalidInput),
    ],
)
def test_invalid_identifiers_are_refused(
    _case: str, kwargs: dict[str, Any], error: type[Exception], session: Session
) -> None:
    with pytest.raises(error):
        service.create_party(session, name="某公司", **kwargs)
    assert service.list_parties(session) == []


def test_find_by_identifier(session: Session) -> None:
    party = service.create_party(
        session, name="示范市肉类联合加工厂", uscc="91110000600037341L", gln="6901234000016", region="370102"
    )
    for value in (
        "91110000600037341L",
        "6901234000016",
        "https://id.gs1.org/417/6901234000016",
        "https://example.com/417/6901234000016?x=1",
        "urn:epc:id:pgln:6901234.00001",
        party.id,
    ):
        found = service.find_party_by_identifier(session, value)
        assert found is not None, value
        assert found.id == party.id, value
    assert service.find_party_by_identifier(session, "urn:epc:id:pgln:6901234.00009") is None
