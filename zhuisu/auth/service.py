"""Bearer tokens and sign-in sessions resolved to their party. Only SHA-256 digests are stored — of a token
(``zhuisu.parties.service`` issues them) and of a sign-in session's cookie secret — so a stolen database yields
neither working tokens nor working cookies.

A sign-in session (``WebSession``) is what the regulator desk and the enterprise console run on: a browser
presents a token once and gets a random cookie secret. The session serves the token's party with the token's
scopes until it expires, the browser signs out, or the token is revoked or expires (each checked on every request).
A write with the cookie must carry the session's CSRF secret (``check_csrf``)."""

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, or_, select
from sqlalchemy.orm import Session, sessionmaker

from zhuisu.auth.errors import CsrfFailed, InvalidToken
from zhuisu.db.session import unit_of_work
from zhuisu.errors import NotAuthenticated
from zhuisu.kit.time import utc_now
from zhuisu.models import ApiToken, AuditEntry, Party, WebSession


def token_digest(secret: str) -> str:
    """What is stored of a token or a session's cookie secret: its SHA-256, hex."""
    return hashlib.sha256(secret.encode()).hexdigest()


#: What a token may be used for: reads (GET), captures and every other write, the admin's operations.
SCOPES = ("read", "capture", "admin")


@dataclass(frozen=True)
class Caller:
    """A resolved token or sign-in session: its party and what the token may be used for."""

    party: Party
    scopes: frozenset[str]
    #: The API token it presented (a sign-in session's: the token it signed in with).
    token_id: str | None = None
    #: The sign-in session of the desk's or the console's cookie; None for a bearer token.
    web_session: WebSession | None = None

    @property
    def csrf_token(self) -> str:
        """What the caller's forms carry as ``csrf_token``: its session's CSRF secret ("" for a bearer token, which
        needs none)."""
        return self.web_session.csrf_secret if self.web_session is not None else ""


def authenticate(session: Session, secret: str) -> Party:
    """The party a bearer token belongs to. Raises InvalidToken for an unknown, revoked or expired token."""
    return resolve(session, secret).party


def _check_token(revoked_at: datetime | None, expires_at: datetime | None) -> None:
    if revoked_at is not None:
        raise InvalidToken("访问令牌无效或已吊销", message_en="the access token is invalid or revoked")
    if expires_at is not None and expires_at <= utc_now():
        raise InvalidToken("访问令牌已过期", message_en="the access token has expired")


def _scopes(stored: list[str] | None) -> frozenset[str]:
    return frozenset(stored if stored is not None else SCOPES)


def resolve(session: Session, secret: str) -> Caller:
    """The party and scopes of a bearer token, read afresh on every call (a revocation or expiry applies to the
    next request). Raises InvalidToken for an unknown, revoked or expired token."""
    row = session.execute(
        select(ApiToken.id, ApiToken.revoked_at, ApiToken.expires_at, ApiToken.scopes, Party)
        .join(Party, Party.id == ApiToken.party_id)
        .where(ApiToken.token_hash == token_digest(secret))
    ).one_or_none()
    if row is None:
        raise InvalidToken("访问令牌无效或已吊销", message_en="the access token is invalid or revoked")
    _check_token(row.revoked_at, row.expires_at)
    party: Party = row.Party
    return Caller(party, _scopes(row.scopes), token_id=row.id)


@dataclass(frozen=True)
class StartedSession:
    """A new sign-in session: ``secret`` is the only copy of the cookie's value and is never stored."""

    web_session: WebSession
    secret: str


def start_session(session: Session, token_secret: str, *, lifetime: timedelta) -> StartedSession:
    """Sign in with a bearer token: a new session of the token's party, ending after ``lifetime`` at the latest.
    Audited (``signed_in``, with the token's prefix). Raises InvalidToken for an unknown, revoked or expired token."""
    token = session.scalars(select(ApiToken).where(ApiToken.token_hash == token_digest(token_secret))).one_or_none()
    if token is None:
        raise InvalidToken("访问令牌无效或已吊销", message_en="the access token is invalid or revoked")
    _check_token(token.revoked_at, token.expires_at)
    secret, now = secrets.token_urlsafe(32), utc_now()
    web_session = WebSession(
        secret_hash=token_digest(secret),
        party_id=token.party_id,
        token_id=token.id,
        csrf_secret=secrets.token_urlsafe(32),
        created_at=now,
        expires_at=now + lifetime,
    )
    session.add(web_session)
    session.flush()
    _audit(session, "signed_in", web_session, token)
    return StartedSession(web_session, secret)


def resolve_session(session: Session, secret: str) -> Caller:
    """The party and scopes of a sign-in session's cookie secret, read afresh on every call. Raises
    NotAuthenticated for an unknown, ended or expired session, InvalidToken when its token was revoked or expired."""
    row = session.execute(
        select(WebSession, ApiToken.revoked_at, ApiToken.expires_at, ApiToken.scopes, Party)
        .join(ApiToken, ApiToken.id == WebSession.token_id)
        .join(Party, Party.id == WebSession.party_id)
        .where(WebSession.secret_hash == token_digest(secret))
    ).one_or_none()
    if row is None or row.WebSession.ended_at is not None or row.WebSession.expires_at <= utc_now():
        raise NotAuthenticated("登录已失效，请重新登录", message_en="the sign-in session has ended: sign in again")
    _check_token(row.revoked_at, row.expires_at)
    party: Party = row.Party
    return Caller(party, _scopes(row.scopes), token_id=row.WebSession.token_id, web_session=row.WebSession)


def end_session(session: Session, web_session: WebSession) -> None:
    """Sign out: the session serves no further request. Audited (``signed_out``); ending it again does nothing."""
    if web_session.ended_at is not None:
        return
    web_session.ended_at = utc_now()
    _audit(session, "signed_out", web_session, session.get_one(ApiToken, web_session.token_id))


#: How long an ended or expired sign-in session's row is kept (the audit trail keeps its sign-in and sign-out).
SESSION_KEEP = timedelta(days=30)


def sweep_sessions(maker: sessionmaker[Session], *, now: datetime | None = None) -> int:
    """Delete the sign-in sessions that ended or expired more than ``SESSION_KEEP`` ago (they serve no request
    again); a round of the node's worker. Returns how many."""
    cutoff = (now or utc_now()) - SESSION_KEEP
    with unit_of_work(maker) as session:
        result = session.execute(
            delete(WebSession)
            .where(or_(WebSession.expires_at < cutoff, WebSession.ended_at < cutoff))
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)


def check_csrf(caller: Caller, presented: str) -> None:
    """Raises CsrfFailed unless ``presented`` is the CSRF secret of the caller's sign-in session (compared in
    constant time). A bearer token's caller needs none: another site's page cannot make a browser send one."""
    if caller.web_session is None:
        return
    expected = caller.web_session.csrf_secret.encode()
    if not presented or not hmac.compare_digest(presented.encode(errors="replace"), expected):
        raise CsrfFailed(
            "缺少或错误的 CSRF 令牌：请刷新页面后重试",
            message_en="missing or wrong CSRF token: reload the page and try again",
        )


def _audit(session: Session, action: str, web_session: WebSession, token: ApiToken) -> None:
    """A sign-in's or sign-out's audit entry: the token (by id and prefix, never the secret) and the session."""
    payload = {"token_prefix": token.prefix, "session_id": web_session.id}
    session.add(AuditEntry(actor_id=web_session.party_id, action=action, subject=token.id, payload=payload))
