"""Complaints handled to the end: the answer to the person who filed (shown with the reference number), the
regulator it is assigned to, anonymous filing and the report reward flag (``portal_complaints``).

Revision ID: 0028_complaint_handling
Revises: 0023_verified_digest
Create Date: 2026-12-04 22:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from zhuisu.db.types import UTCDateTime

revision: str = "0028_complaint_handling"
down_revision: str | None = "0023_verified_digest"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("portal_complaints") as batch:
        batch.add_column(sa.Column("answer", sa.Text(), nullable=False, server_default=""))
        batch.add_column(sa.Column("answered_at", UTCDateTime(), nullable=True))
        batch.add_column(sa.Column("assigned_to", sa.String(32), nullable=True))
        batch.add_column(sa.Column("anonymous", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("reward", sa.Boolean(), nullable=False, server_default=sa.false()))
        batch.create_foreign_key("fk_portal_complaints_assigned_to_parties", "parties", ["assigned_to"], ["id"])
        batch.create_index("ix_portal_complaints_assigned_to", ["assigned_to"])


def downgrade() -> None:
    with op.batch_alter_table("portal_complaints") as batch:
        batch.drop_index("ix_portal_complaints_assigned_to")
        batch.drop_constraint("fk_portal_complaints_assigned_to_parties", type_="foreignkey")
        for column in ("reward", "anonymous", "assigned_to", "answered_at", "answer"):
            batch.drop_column(column)
