"""Named queries, EPCIS master-data vocabulary elements, subscriptions, their outbox and delivery log.

Revision ID: 0006_subscriptions
Revises: 0001_events
Create Date: 2026-11-22 15:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy import Text
from sqlalchemy.dialects import postgresql

import zhuisu.db.types

revision: str = "0006_subscriptions"
down_revision: str | None = "0001_events"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=Text()), "postgresql")
_BIGID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TIME = zhuisu.db.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "named_queries",
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("owner_id", sa.String(length=32), nullable=False),
        sa.Column("params", _JSON, nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(["owner_id"], ["parties.id"], name=op.f("fk_named_queries_owner_id_parties")),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_named_queries")),
    )
    op.create_index(op.f("ix_named_queries_owner_id"), "named_queries", ["owner_id"], unique=False)
    op.create_table(
        "vocabulary_elements",
        sa.Column("id", _BIGID, autoincrement=True, nullable=False),
        sa.Column("vocabulary_type", sa.String(length=200), nullable=False),
        sa.Column("element_id", sa.String(length=500), nullable=False),
        sa.Column("attributes", _JSON, nullable=False),
        sa.Column("children", _JSON, nullable=False),
        sa.Column("updated_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_vocabulary_elements")),
    )
    op.create_index(
        "ix_vocabulary_elements_element", "vocabulary_elements", ["element_id", "vocabulary_type"], unique=True
    )
    op.create_table(
        "subscriptions",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("query_name", sa.String(length=200), nullable=False),
        sa.Column("owner_id", sa.String(length=32), nullable=False),
        sa.Column("dest", sa.String(length=2000), nullable=False),
        sa.Column("signature_token", sa.String(length=500), nullable=False),
        sa.Column("stream", sa.Boolean(), nullable=False),
        sa.Column("schedule", _JSON, nullable=True),
        sa.Column("report_if_empty", sa.Boolean(), nullable=False),
        sa.Column("last_event_pk", sa.Integer(), nullable=False),
        sa.Column("next_run_at", _TIME, nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(
            ["query_name"],
            ["named_queries.name"],
            name=op.f("fk_subscriptions_query_name_named_queries"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["owner_id"], ["parties.id"], name=op.f("fk_subscriptions_owner_id_parties")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscriptions")),
    )
    op.create_index(op.f("ix_subscriptions_query_name"), "subscriptions", ["query_name"], unique=False)
    op.create_index(op.f("ix_subscriptions_owner_id"), "subscriptions", ["owner_id"], unique=False)
    op.create_table(
        "subscription_outbox",
        sa.Column("id", _BIGID, autoincrement=True, nullable=False),
        sa.Column("subscription_id", sa.String(length=32), nullable=False),
        sa.Column("event_pks", _JSON, nullable=False),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("next_attempt_at", _TIME, nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("delivered", sa.Boolean(), nullable=False),
        sa.Column("delivered_at", _TIME, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["subscriptions.id"],
            name=op.f("fk_subscription_outbox_subscription_id_subscriptions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscription_outbox")),
    )
    op.create_index(op.f("ix_subscription_outbox_subscription_id"), "subscription_outbox", ["subscription_id"])
    op.create_index("ix_subscription_outbox_due", "subscription_outbox", ["delivered", "next_attempt_at"])
    op.create_table(
        "subscription_deliveries",
        sa.Column("id", _BIGID, autoincrement=True, nullable=False),
        sa.Column("message_id", _BIGID, nullable=False),
        sa.Column("attempted_at", _TIME, nullable=False),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("ok", sa.Boolean(), nullable=False),
        sa.Column("error", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["message_id"],
            ["subscription_outbox.id"],
            name=op.f("fk_subscription_deliveries_message_id_subscription_outbox"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_subscription_deliveries")),
    )
    op.create_index(op.f("ix_subscription_deliveries_message_id"), "subscription_deliveries", ["message_id"])


def downgrade() -> None:
    op.drop_table("subscription_deliveries")
    op.drop_table("subscription_outbox")
    op.drop_table("subscriptions")
    op.drop_table("vocabulary_elements")
    op.drop_table("named_queries")
