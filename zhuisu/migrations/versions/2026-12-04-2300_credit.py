"""Credit: the blacklist of seriously untrustworthy parties (失信名单) and the parties' appeals.

Revision ID: 0029_credit
Revises: 0022_durable_capture
Create Date: 2026-12-04 23:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from zhuisu.db.types import UTCDateTime

revision: str = "0029_credit"
down_revision: str | None = "0022_durable_capture"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "credit_blacklist",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column(
            "party_id",
            sa.String(32),
            sa.ForeignKey("parties.id", name="fk_credit_blacklist_party_id_parties"),
            nullable=False,
        ),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("legal_basis", sa.String(500), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column(
            "added_by",
            sa.String(32),
            sa.ForeignKey("parties.id", name="fk_credit_blacklist_added_by_parties"),
            nullable=False,
        ),
        sa.Column("added_at", UTCDateTime(), nullable=False),
        sa.Column("revoked_at", UTCDateTime(), nullable=True),
        sa.Column(
            "revoked_by",
            sa.String(32),
            sa.ForeignKey("parties.id", name="fk_credit_blacklist_revoked_by_parties"),
            nullable=True,
        ),
        sa.Column("revoke_reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_credit_blacklist"),
    )
    op.create_index("ix_credit_blacklist_party_id", "credit_blacklist", ["party_id"])
    op.create_table(
        "credit_appeals",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column(
            "party_id",
            sa.String(32),
            sa.ForeignKey("parties.id", name="fk_credit_appeals_party_id_parties"),
            nullable=False,
        ),
        sa.Column(
            "entry_id",
            sa.String(32),
            sa.ForeignKey("credit_blacklist.id", name="fk_credit_appeals_entry_id_credit_blacklist"),
            nullable=True,
        ),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("filed_at", UTCDateTime(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("answer", sa.Text(), nullable=False),
        sa.Column(
            "answered_by",
            sa.String(32),
            sa.ForeignKey("parties.id", name="fk_credit_appeals_answered_by_parties"),
            nullable=True,
        ),
        sa.Column("answered_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_credit_appeals"),
    )
    op.create_index("ix_credit_appeals_party_id", "credit_appeals", ["party_id"])


def downgrade() -> None:
    op.drop_table("credit_appeals")
    op.drop_table("credit_blacklist")
