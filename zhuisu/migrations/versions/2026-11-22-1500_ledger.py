"""The node's transparency log: head, leaves, node hashes, signed checkpoints, cosignatures, witness state.

Revision ID: 0002_ledger
Revises: 0001_events
Create Date: 2026-11-22 15:00:00
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import zhuisu.db.types

revision: str = "0002_ledger"
down_revision: str | None = "0001_events"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    heads = op.create_table(
        "ledger_heads",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("compact", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", zhuisu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_heads")),
    )
    op.create_table(
        "ledger_leaves",
        sa.Column("idx", _ID, autoincrement=False, nullable=False),
        sa.Column("event_pk", sa.BigInteger(), nullable=False),
        sa.Column("event_id", sa.String(length=500), nullable=False),
        sa.Column("leaf", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("idx", name=op.f("pk_ledger_leaves")),
        sa.UniqueConstraint("event_pk", name=op.f("uq_ledger_leaves_event_pk")),
        sa.UniqueConstraint("event_id", name=op.f("uq_ledger_leaves_event_id")),
    )
    op.create_table(
        "ledger_nodes",
        sa.Column("key", _ID, autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_ledger_nodes")),
    )
    op.create_table(
        "ledger_checkpoints",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("root_hash", sa.LargeBinary(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", zhuisu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_checkpoints")),
        sa.UniqueConstraint("size", name=op.f("uq_ledger_checkpoints_size")),
    )
    op.create_table(
        "ledger_cosignatures",
        sa.Column("id", _ID, autoincrement=True, nullable=False),
        sa.Column("checkpoint_id", _ID, nullable=False),
        sa.Column("witness", sa.String(length=200), nullable=False),
        sa.Column("timestamp", sa.BigInteger(), nullable=False),
        sa.Column("line", sa.Text(), nullable=False),
        sa.Column("received_at", zhuisu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["checkpoint_id"],
            ["ledger_checkpoints.id"],
            name=op.f("fk_ledger_cosignatures_checkpoint_id_ledger_checkpoints"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ledger_cosignatures")),
    )
    op.create_index(op.f("ix_ledger_cosignatures_checkpoint_id"), "ledger_cosignatures", ["checkpoint_id"])
    op.create_table(
        "ledger_witness_states",
        sa.Column("witness", sa.String(length=200), nullable=False),
        sa.Column("known_size", sa.BigInteger(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("attempted_at", zhuisu.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("cosigned_at", zhuisu.db.types.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("witness", name=op.f("pk_ledger_witness_states")),
    )
    op.create_table(
        "ledger_witnessed_logs",
        sa.Column("origin", sa.String(length=500), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("root_hash", sa.LargeBinary(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("updated_at", zhuisu.db.types.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("origin", name=op.f("pk_ledger_witnessed_logs")),
    )
    # The single log head exists from the start, so appends only ever lock it and never race to create it.
    op.bulk_insert(heads, [{"id": 1, "size": 0, "compact": b"", "updated_at": datetime.now(UTC)}])


def downgrade() -> None:
    op.drop_table("ledger_witnessed_logs")
    op.drop_table("ledger_witness_states")
    op.drop_index(op.f("ix_ledger_cosignatures_checkpoint_id"), table_name="ledger_cosignatures")
    op.drop_table("ledger_cosignatures")
    op.drop_table("ledger_checkpoints")
    op.drop_table("ledger_nodes")
    op.drop_table("ledger_leaves")
    op.drop_table("ledger_heads")
