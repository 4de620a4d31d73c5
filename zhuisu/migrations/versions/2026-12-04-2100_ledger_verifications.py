"""What each verification of the store against the log found (``ledger_verifications``, ``ledger_findings``): the
manual ``zhuisu ledger verify`` and the background verifier's sampled rounds, listed on the desk as alerts.

Revision ID: 0024_ledger_verifications
Revises: 0021_leaf_salt
Create Date: 2026-12-04 21:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from zhuisu.db.types import UTCDateTime

revision: str = "0024_ledger_verifications"
down_revision: str | None = "0021_leaf_salt"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "ledger_verifications",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("mode", sa.String(8), nullable=False),
        sa.Column("trigger", sa.String(16), nullable=False),
        sa.Column("sample_rate", sa.Float(), nullable=True),
        sa.Column("started_at", UTCDateTime(), nullable=False),
        sa.Column("finished_at", UTCDateTime(), nullable=False),
        sa.Column("leaves", sa.BigInteger(), nullable=False),
        sa.Column("checked", sa.BigInteger(), nullable=False),
        sa.Column("external", sa.Integer(), nullable=False),
        sa.Column("findings", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_verifications")),
    )
    op.create_index(op.f("ix_ledger_verifications_started_at"), "ledger_verifications", ["started_at"])
    op.create_table(
        "ledger_findings",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("verification_id", _ID, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("event_id", sa.String(500), nullable=True),
        sa.Column("party_id", sa.String(32), nullable=True),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["verification_id"],
            ["ledger_verifications.id"],
            name=op.f("fk_ledger_findings_verification_id_ledger_verifications"),
        ),
        sa.ForeignKeyConstraint(["party_id"], ["parties.id"], name=op.f("fk_ledger_findings_party_id_parties")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_findings")),
    )
    op.create_index(op.f("ix_ledger_findings_verification_id"), "ledger_findings", ["verification_id"])
    op.create_index(op.f("ix_ledger_findings_party_id"), "ledger_findings", ["party_id"])


def downgrade() -> None:
    op.drop_table("ledger_findings")
    op.drop_table("ledger_verifications")
