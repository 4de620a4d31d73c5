"""Portal story read model: each code's public story and pages as last built, the things its trace walked (a
capture naming one marks it stale), the clock captures bump, and the events whose ledger proofs checked out.
Complaints get the region of the place the product was last recorded at (regulators see their regions').

Revision ID: 0011_portal_story
Revises: 0007_portal
Create Date: 2026-11-22 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import zhuisu.db.types

revision: str = "0011_portal_story"
down_revision: str | None = "0007_portal"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "portal_stories",
        sa.Column("code", sa.String(length=500), nullable=False),
        sa.Column("story", sa.LargeBinary(), nullable=False),
        sa.Column("page_zh", sa.LargeBinary(), nullable=False),
        sa.Column("page_en", sa.LargeBinary(), nullable=False),
        sa.Column("etag", sa.String(length=32), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("tree_size", sa.BigInteger(), nullable=True),
        sa.Column("stale", sa.Boolean(), nullable=False),
        sa.Column("built_at", zhuisu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_portal_stories")),
    )
    op.create_table(
        "portal_story_things",
        sa.Column("code", sa.String(length=500), nullable=False),
        sa.Column("thing", sa.String(length=500), nullable=False),
        sa.PrimaryKeyConstraint("code", "thing", name=op.f("pk_portal_story_things")),
    )
    op.create_index(op.f("ix_portal_story_things_thing"), "portal_story_things", ["thing"], unique=False)
    clock = op.create_table(
        "portal_story_clock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.Column("tree_size", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_portal_story_clock")),
    )
    op.bulk_insert(clock, [{"id": 1, "version": 0, "tree_size": 0}])
    op.create_table(
        "portal_verified_events",
        sa.Column("event_id", sa.String(length=500), nullable=False),
        sa.Column("tree_size", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_portal_verified_events")),
    )
    with op.batch_alter_table("portal_complaints", schema=None) as batch_op:
        batch_op.add_column(sa.Column("place_region", sa.String(length=6), nullable=True))
        batch_op.create_index(batch_op.f("ix_portal_complaints_place_region"), ["place_region"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("portal_complaints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_portal_complaints_place_region"))
        batch_op.drop_column("place_region")
    op.drop_table("portal_verified_events")
    op.drop_table("portal_story_clock")
    op.drop_index(op.f("ix_portal_story_things_thing"), table_name="portal_story_things")
    op.drop_table("portal_story_things")
    op.drop_table("portal_stories")
