"""Sign-in sessions of the regulator desk and the enterprise console: a browser presents a bearer token once and
gets a random cookie secret, of which only the SHA-256 digest is stored (``zhuisu.auth.service``)."""

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from zhuisu.db.base import Base
from zhuisu.db.types import UTCDateTime
from zhuisu.models.base import IdMixin, TimestampMixin


class WebSession(IdMixin, TimestampMixin, Base):
    """A browser signed in with a token. It ends at ``expires_at``, at sign-out (``ended_at``), or as soon as the
    token it was started with is revoked or expires (checked on every request)."""

    __tablename__ = "web_sessions"

    #: SHA-256 (hex) of the cookie's secret; the secret itself is never stored.
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    party_id: Mapped[str] = mapped_column(ForeignKey("parties.id"), index=True)
    #: The token signed in with: its scopes are the session's, its revocation or expiry ends the session.
    token_id: Mapped[str] = mapped_column(ForeignKey("api_tokens.id"), index=True)
    #: What every form posted with the cookie must carry (``csrf_token``, or the ``X-CSRF-Token`` header).
    csrf_secret: Mapped[str] = mapped_column(String(64))
    #: The absolute end of the session (``signin_session_hours`` after signing in).
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: When the browser signed out (None: it has not).
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
