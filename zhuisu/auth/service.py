"""Bearer tokens resolved to their party. Only a token's SHA-256 digest is stored (``zhuisu.parties.service`` issues
them), so a stolen database does not yield working tokens."""

import hashlib
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuisu.auth.errors import InvalidToken
from zhuisu.kit.time import utc_now
from zhuisu.models import ApiToken, Party


def token_digest(secret: str) -> str:
    """What is stored of a token: its SHA-256, hex."""
    return hashlib.sha256(secret.encode()).hexdigest()


#: What a token may be used for: reads (GET), captures and every other write, the admin's operations.
SCOPES = ("read", "capture", "admin")


@dataclass(frozen=True)
class Caller:
    """A resolved token: its party and what the token may be used for."""

    party: Party
    scopes: frozenset[str]


def authenticate(session: Session, secret: str) -> Party:
    """The party a bearer token belongs to. Raises InvalidToken for an unknown, revoked or expired token."""
    return resolve(session, secret).party


def resolve(session: Session, secret: str) -> Caller:
    """The party and scopes of a bearer token, read afresh on every call (a revocation or expiry applies to the
    next request). Raises InvalidToken for an unknown, revoked or expired token."""
    row = session.execute(
        select(ApiToken.revoked_at, ApiToken.expires_at, ApiToken.scopes, Party)
        .join(Party, Party.id == ApiToken.party_id)
        .where(ApiToken.token_hash == token_digest(secret))
    ).one_or_none()
    if row is None or row.revoked_at is not None:
        raise InvalidToken("访问令牌无效或已吊销", message_en="the access token is invalid or revoked")
    if row.expires_at is not None and row.expires_at <= utc_now():
        raise InvalidToken("访问令牌已过期", message_en="the access token has expired")
    party: Party = row.Party
    return Caller(party, frozenset(row.scopes if row.scopes is not None else SCOPES))
