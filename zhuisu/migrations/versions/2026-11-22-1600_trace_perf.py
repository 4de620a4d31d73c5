"""Trace performance: covering indexes on trace_links, so a walk level reads its links from the index alone, and
the transformation members of an event found by its key.

Revision ID: 0008_trace_perf
Revises: 0004_trace
Create Date: 2026-11-22 16:00:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0008_trace_perf"
down_revision: str | None = "0004_trace"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_trace_links_src_cover", "trace_links", ["src", "kind", "dst", "event_time"])
    op.create_index("ix_trace_links_dst_cover", "trace_links", ["dst", "kind", "src", "event_time"])
    op.drop_index("ix_trace_links_dst_kind", table_name="trace_links")
    op.drop_index("ix_trace_links_src_kind", table_name="trace_links")
    op.create_index(op.f("ix_trace_transform_members_event_pk"), "trace_transform_members", ["event_pk"])


def downgrade() -> None:
    op.drop_index(op.f("ix_trace_transform_members_event_pk"), table_name="trace_transform_members")
    op.create_index("ix_trace_links_src_kind", "trace_links", ["src", "kind"])
    op.create_index("ix_trace_links_dst_kind", "trace_links", ["dst", "kind"])
    op.drop_index("ix_trace_links_dst_cover", table_name="trace_links")
    op.drop_index("ix_trace_links_src_cover", table_name="trace_links")
