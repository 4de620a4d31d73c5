"""Federation: the reconciliation cursor of a link to the parent (checked up to which event, when, how many
reported again, the last failure).

Revision ID: 0034_federation_reconcile
Revises: 0033_event_partitions
Create Date: 2026-12-05 04:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from zhuisu.db.types import UTCDateTime

revision: str = "0034_federation_reconcile"
down_revision: str | None = "0033_event_partitions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("federation_links") as batch:
        batch.add_column(sa.Column("reconciled_pk", sa.BigInteger(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("reconciled_at", UTCDateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("reconcile_requeued", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("reconcile_error", sa.Text(), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("federation_links") as batch:
        for column in ("reconcile_error", "reconcile_requeued", "reconciled_at", "reconciled_pk"):
            batch.drop_column(column)
