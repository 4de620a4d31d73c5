"""A subscription's ``epcFormat``: the ``GS1-EPC-Format`` its notifications are written in.

Revision ID: 0012_subscription_format
Revises: 0010_subscription_schedule
Create Date: 2026-11-22 18:15:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012_subscription_format"
down_revision: str | None = "0010_subscription_schedule"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "subscriptions",
        sa.Column("epc_format", sa.String(length=32), server_default="No_Preference", nullable=False),
    )


def downgrade() -> None:
    with op.batch_alter_table("subscriptions") as batch:
        batch.drop_column("epc_format")
