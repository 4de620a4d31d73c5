"""Scheduled and WebSocket subscriptions: pending notifications, outbox claims, initialRecordTime, heartbeats.

Revision ID: 0010_subscription_schedule
Revises: 0006_subscriptions
Create Date: 2026-11-22 17:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import zhuisu.db.types

revision: str = "0010_subscription_schedule"
down_revision: str | None = "0006_subscriptions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql")
_BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TIME = zhuisu.db.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.add_column("subscriptions", sa.Column("initial_record_time", _TIME, nullable=True))
    op.add_column("subscriptions", sa.Column("last_notified_at", _TIME, nullable=True))
    op.add_column("subscriptions", sa.Column("heartbeat_at", _TIME, nullable=True))
    op.add_column("subscription_outbox", sa.Column("claimed_until", _TIME, nullable=True))
    op.create_table(
        "subscription_pending",
        sa.Column("id", _BIGID, autoincrement=True, nullable=False),
        sa.Column("subscription_id", sa.String(length=32), nullable=False),
        sa.Column("event_pks", _JSON, nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["subscription_id"], ["subscriptions.id"],
            name=op.f("fk_subscription_pending_subscription_id_subscriptions"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscription_pending")),
    )  # fmt: skip
    op.create_index(op.f("ix_subscription_pending_subscription_id"), "subscription_pending", ["subscription_id"])


def downgrade() -> None:
    op.drop_index(op.f("ix_subscription_pending_subscription_id"), table_name="subscription_pending")
    op.drop_table("subscription_pending")
    with op.batch_alter_table("subscription_outbox") as batch:
        batch.drop_column("claimed_until")
    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_column("heartbeat_at")
        batch.drop_column("last_notified_at")
        batch.drop_column("initial_record_time")
