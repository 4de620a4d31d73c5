"""Notice hooks: a party's webhook for the platform's notices to it (a recall naming it as a holder) and their
durable outbox.

Revision ID: 0030_notice_hooks
Revises: 0026_recall_orders
Create Date: 2026-12-05 00:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from zhuisu.db.types import BigIntId, UTCDateTime

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision: str = "0030_notice_hooks"
down_revision: str | None = "0026_recall_orders"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "notice_hooks",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column(
            "owner_id", sa.String(32), sa.ForeignKey("parties.id", name="fk_notice_hooks_owner_id_parties"),
            nullable=False,
        ),
        sa.Column("dest", sa.String(2000), nullable=False),
        sa.Column("signature_token", sa.String(500), nullable=False),
        sa.Column("topics", _JSON, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_notified_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_notice_hooks"),
    )  # fmt: skip
    op.create_index("ix_notice_hooks_owner_id", "notice_hooks", ["owner_id"])
    op.create_table(
        "notice_outbox",
        sa.Column("id", BigIntId, autoincrement=True, nullable=False),
        sa.Column(
            "hook_id", sa.String(32),
            sa.ForeignKey("notice_hooks.id", name="fk_notice_outbox_hook_id_notice_hooks", ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("topic", sa.String(32), nullable=False),
        sa.Column("body", _JSON, nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("delivered", sa.Boolean(), nullable=False),
        sa.Column("delivered_at", UTCDateTime(), nullable=True),
        sa.Column("last_status", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("claimed_until", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_notice_outbox"),
    )  # fmt: skip
    op.create_index("ix_notice_outbox_hook_id", "notice_outbox", ["hook_id"])
    op.create_index("ix_notice_outbox_due", "notice_outbox", ["delivered", "next_attempt_at"])


def downgrade() -> None:
    op.drop_table("notice_outbox")
    op.drop_table("notice_hooks")
