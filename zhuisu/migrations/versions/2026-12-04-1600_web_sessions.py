"""Sign-in sessions (``web_sessions``): the desk's and the console's cookie names a session, no longer the token.

Only the digest of a session's cookie secret is stored. Browsers signed in before this migration hold a token in
their cookie, which no session matches: they sign in again.

Revision ID: 0019_web_sessions
Revises: 0018_delegations
Create Date: 2026-12-04 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from zhuisu.db.types import UTCDateTime

revision: str = "0019_web_sessions"
down_revision: str | None = "0018_delegations"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.String(32), primary_key=True),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("secret_hash", sa.String(64), nullable=False, unique=True),
        sa.Column("party_id", sa.String(32), sa.ForeignKey("parties.id"), nullable=False),
        sa.Column("token_id", sa.String(32), sa.ForeignKey("api_tokens.id"), nullable=False),
        sa.Column("csrf_secret", sa.String(64), nullable=False),
        sa.Column("expires_at", UTCDateTime(), nullable=False),
        sa.Column("ended_at", UTCDateTime(), nullable=True),
    )
    op.create_index("ix_web_sessions_party_id", "web_sessions", ["party_id"])
    op.create_index("ix_web_sessions_token_id", "web_sessions", ["token_id"])


def downgrade() -> None:
    op.drop_index("ix_web_sessions_token_id", "web_sessions")
    op.drop_index("ix_web_sessions_party_id", "web_sessions")
    op.drop_table("web_sessions")
