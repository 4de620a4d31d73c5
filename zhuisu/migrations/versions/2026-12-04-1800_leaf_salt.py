"""Leaves that do not tell who recorded an event: ``ledger_leaves.salt`` keeps the salt of each version 2 leaf's
recorder commitment (``zhuisu.ledger.leaf``). Leaves logged before stay version 1 (NULL salt): a log is append-only.

Revision ID: 0021_leaf_salt
Revises: 0002_ledger
Create Date: 2026-12-04 18:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021_leaf_salt"
down_revision: str | None = "0002_ledger"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("ledger_leaves") as batch:
        batch.add_column(sa.Column("salt", sa.LargeBinary(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("ledger_leaves") as batch:
        batch.drop_column("salt")
