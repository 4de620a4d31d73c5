"""The portal's verified-event memo keeps the digest of the body it checked (``portal_verified_events.digest``): a row
whose body changed since is checked again, never shown as verified from the memo. Memos from before carry none and
are checked again once.

Revision ID: 0023_verified_digest
Revises: 0011_portal_story
Create Date: 2026-12-04 20:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023_verified_digest"
down_revision: str | None = "0011_portal_story"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("portal_verified_events") as batch:
        batch.add_column(sa.Column("digest", sa.String(64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("portal_verified_events") as batch:
        batch.drop_column("digest")
