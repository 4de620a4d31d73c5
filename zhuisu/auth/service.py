"""Bearer tokens resolved to their party. Only a token's SHA-256 digest is stored (``zhuisu.parties.service`` issues
them), so a stolen database does not yield working tokens."""

import hashlib

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuisu.auth.errors import InvalidToken
from zhuisu.models import ApiToken, Party


def token_digest(secret: str) -> str:
    """What is stored of a token: its SHA-256, hex."""
    return hashlib.sha256(secret.encode()).hexdigest()


def authenticate(session: Session, secret: str) -> Party:
    """The party a bearer token belongs to. Raises InvalidToken for an unknown or revoked token."""
    row = session.execute(
        select(ApiToken.revoked_at, Party)
        .join(Party, Party.id == ApiToken.party_id)
        .where(ApiToken.token_hash == token_digest(secret))
    ).one_or_none()
    if row is None or row.revoked_at is not None:
        raise InvalidToken("访问令牌无效或已吊销", message_en="the access token is invalid or revoked")
    party: Party = row.Party
    return party
