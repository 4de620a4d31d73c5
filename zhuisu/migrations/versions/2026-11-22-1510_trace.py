"""The trace graph: links (pack, unpack, transform), transformation members, custody.

Revision ID: 0004_trace
Revises: 0001_events
Create Date: 2026-11-22 15:10:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import zhuisu.db.types

revision: str = "0004_trace"
down_revision: str | None = "0001_events"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "trace_links",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("src", sa.Text(), nullable=False),
        sa.Column("dst", sa.Text(), nullable=True),
        sa.Column("event_pk", _ID, nullable=False),
        sa.Column("event_time", zhuisu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=True),
        sa.Column("uom", sa.String(length=16), nullable=True),
        sa.ForeignKeyConstraint(["event_pk"], ["events.id"], name=op.f("fk_trace_links_event_pk_events")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trace_links")),
    )
    op.create_index("ix_trace_links_src_kind", "trace_links", ["src", "kind"])
    op.create_index("ix_trace_links_dst_kind", "trace_links", ["dst", "kind"])
    op.create_index(op.f("ix_trace_links_event_pk"), "trace_links", ["event_pk"])
    op.create_table(
        "trace_transform_members",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("transformation_id", sa.String(length=500), nullable=False),
        sa.Column("role", sa.String(length=8), nullable=False),
        sa.Column("thing", sa.Text(), nullable=False),
        sa.Column("quantity", sa.Float(), nullable=True),
        sa.Column("uom", sa.String(length=16), nullable=True),
        sa.Column("event_pk", _ID, nullable=False),
        sa.ForeignKeyConstraint(["event_pk"], ["events.id"], name=op.f("fk_trace_transform_members_event_pk_events")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trace_transform_members")),
    )
    op.create_index(
        op.f("ix_trace_transform_members_transformation_id"), "trace_transform_members", ["transformation_id"]
    )
    op.create_table(
        "trace_custody",
        sa.Column("event_pk", _ID, nullable=False),
        sa.Column("event_time", zhuisu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("source", sa.Text(), nullable=True),
        sa.Column("destination", sa.Text(), nullable=True),
        sa.Column("source_location", sa.Text(), nullable=True),
        sa.Column("destination_location", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["event_pk"], ["events.id"], name=op.f("fk_trace_custody_event_pk_events")),
        sa.PrimaryKeyConstraint("event_pk", name=op.f("pk_trace_custody")),
    )


def downgrade() -> None:
    op.drop_table("trace_custody")
    op.drop_index(op.f("ix_trace_transform_members_transformation_id"), table_name="trace_transform_members")
    op.drop_table("trace_transform_members")
    op.drop_index(op.f("ix_trace_links_event_pk"), table_name="trace_links")
    op.drop_index("ix_trace_links_dst_kind", table_name="trace_links")
    op.drop_index("ix_trace_links_src_kind", table_name="trace_links")
    op.drop_table("trace_links")
