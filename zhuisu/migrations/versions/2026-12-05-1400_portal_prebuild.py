"""The story builder: the cursor of the codes whose stories were built ahead of their first read, and the lease of
the one process building them; stale stories, and those a witness's cosignature now covers, found by indexes.

Revision ID: 0042_portal_prebuild
Revises: 0041_rareearth
Create Date: 2026-12-05 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from zhuisu.db.types import UTCDateTime

revision: str = "0042_portal_prebuild"
down_revision: str | None = "0041_rareearth"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("portal_story_clock") as batch:
        batch.add_column(sa.Column("built_through", sa.BigInteger(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("builder", sa.String(64), nullable=True))
        batch.add_column(sa.Column("builder_until", UTCDateTime(), nullable=True))
    op.create_index("ix_portal_stories_stale", "portal_stories", ["stale"])
    op.create_index("ix_portal_stories_tree_size", "portal_stories", ["tree_size"])


def downgrade() -> None:
    op.drop_index("ix_portal_stories_tree_size", table_name="portal_stories")
    op.drop_index("ix_portal_stories_stale", table_name="portal_stories")
    with op.batch_alter_table("portal_story_clock") as batch:
        batch.drop_column("builder_until")
        batch.drop_column("builder")
        batch.drop_column("built_through")
