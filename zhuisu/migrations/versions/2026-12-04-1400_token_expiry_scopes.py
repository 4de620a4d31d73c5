"""Tokens that expire and tokens limited to scopes: ``api_tokens.expires_at`` and ``api_tokens.scopes``.

Existing tokens keep working as before: no expiry, every scope (NULL).

Revision ID: 0017_token_expiry_scopes
Revises: 0016_party_access
Create Date: 2026-12-04 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from zhuisu.db.types import UTCDateTime

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision: str = "0017_token_expiry_scopes"
down_revision: str | None = "0016_party_access"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.add_column(sa.Column("expires_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("scopes", _JSON, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("api_tokens") as batch:
        batch.drop_column("scopes")
        batch.drop_column("expires_at")
