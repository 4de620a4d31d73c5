"""Federation: witnesses and followed logs registered at run time, the link to a parent node, the outbox of events reported upward, child nodes, events' provenance.

Revision ID: 0032_federation
Revises: 0031_console_uploads
Create Date: 2026-12-05 02:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

from zhuisu.db.types import UTCDateTime

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
_BIGINT = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

revision: str = "0032_federation"
down_revision: str | None = "0031_console_uploads"
branch_labels: str | Sequence[str] | None = None
#: ledger_witness_states (ledger) is added to.
depends_on: str | Sequence[str] | None = "0024_ledger_verifications"


def upgrade() -> None:
    op.add_column("ledger_witness_states", sa.Column("vkey", sa.Text(), nullable=True))
    op.add_column("ledger_witness_states", sa.Column("url", sa.String(500), nullable=True))
    op.create_table(
        "ledger_followed_logs",
        sa.Column("origin", sa.String(500), nullable=False),
        sa.Column("vkey", sa.Text(), nullable=False),
        sa.Column("added_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("origin", name="pk_ledger_followed_logs"),
    )
    op.create_table(
        "federation_links",
        sa.Column("id", sa.String(32), nullable=False),
        sa.Column("parent_url", sa.String(500), nullable=False),
        sa.Column("token", sa.String(200), nullable=False),
        sa.Column("parent_name", sa.String(200), nullable=False),
        sa.Column("parent_origin", sa.String(500), nullable=False),
        sa.Column("parent_log_vkey", sa.Text(), nullable=False),
        sa.Column("parent_witness_vkey", sa.Text(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("last_success_at", UTCDateTime(), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("last_error_at", UTCDateTime(), nullable=True),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", UTCDateTime(), nullable=True),
        sa.Column("sent", sa.Integer(), nullable=False),
        sa.Column("refused", sa.Integer(), nullable=False),
        sa.Column("claimed_until", UTCDateTime(), nullable=True),
        sa.Column("directory", _JSON, nullable=False),
        sa.Column("catalog_pulled_at", UTCDateTime(), nullable=True),
        sa.Column("parties_sent_at", UTCDateTime(), nullable=True),
        sa.Column("parties_sent_id", sa.String(32), nullable=False),
        sa.Column(
            "parent_party_id", sa.String(32),
            sa.ForeignKey("parties.id", name="fk_federation_links_parent_party_id_parties"), nullable=True,
        ),
        sa.PrimaryKeyConstraint("id", name="pk_federation_links"),
        sa.UniqueConstraint("parent_url", name="uq_federation_links_parent_url"),
    )
    op.create_table(
        "federation_outbox",
        sa.Column("id", _BIGINT, autoincrement=True, nullable=False),
        sa.Column(
            "link_id", sa.String(32),
            sa.ForeignKey("federation_links.id", name="fk_federation_outbox_link_id_federation_links",
                          ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column(
            "event_pk", _BIGINT, sa.ForeignKey("events.id", name="fk_federation_outbox_event_pk_events"),
            nullable=False,
        ),
        sa.Column("record_time", UTCDateTime(), nullable=False),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("withheld", _JSON, nullable=False),
        sa.Column("errors", _JSON, nullable=False),
        sa.Column("sent_at", UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name="pk_federation_outbox"),
    )  # fmt: skip
    op.create_index("ix_federation_outbox_link_state", "federation_outbox", ["link_id", "state", "id"])
    op.create_index(
        "ix_federation_outbox_link_state_sent", "federation_outbox", ["link_id", "state", "sent_at"]
    )
    op.create_index("ix_federation_outbox_event_pk", "federation_outbox", ["event_pk"])
    op.create_table(
        "federation_children",
        sa.Column(
            "party_id", sa.String(32), sa.ForeignKey("parties.id", name="fk_federation_children_party_id_parties"),
            nullable=False,
        ),
        sa.Column("origin", sa.String(500), nullable=False),
        sa.Column("log_vkey", sa.Text(), nullable=False),
        sa.Column("base_url", sa.String(500), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.Column("linked_at", UTCDateTime(), nullable=True),
        sa.Column("last_received_at", UTCDateTime(), nullable=True),
        sa.Column("received", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("party_id", name="pk_federation_children"),
    )  # fmt: skip
    op.create_index("ix_federation_children_origin", "federation_children", ["origin"])
    op.create_table(
        "federation_parties",
        sa.Column("node", sa.String(500), nullable=False),
        sa.Column("remote_id", sa.String(100), nullable=False),
        sa.Column(
            "party_id", sa.String(32), sa.ForeignKey("parties.id", name="fk_federation_parties_party_id_parties"),
            nullable=False,
        ),
        sa.Column(
            "via_id", sa.String(32), sa.ForeignKey("parties.id", name="fk_federation_parties_via_id_parties"),
            nullable=True,
        ),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("node", "remote_id", name="pk_federation_parties"),
    )  # fmt: skip
    op.create_index("ix_federation_parties_party_id", "federation_parties", ["party_id"])
    op.create_index("ix_federation_parties_via_id", "federation_parties", ["via_id"])
    op.create_table(
        "federation_relays",
        sa.Column(
            "link_id", sa.String(32),
            sa.ForeignKey("federation_links.id", name="fk_federation_relays_link_id_federation_links",
                          ondelete="CASCADE"),
            nullable=False,
        ),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("remote_id", sa.String(32), nullable=False),
        sa.Column("local_id", sa.String(32), nullable=True),
        sa.Column("problem", sa.Text(), nullable=False),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("link_id", "kind", "remote_id", name="pk_federation_relays"),
    )  # fmt: skip
    op.create_table(
        "federation_directory",
        sa.Column("id", _BIGINT, autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("prefix", sa.String(40), nullable=False),
        sa.Column("url", sa.String(500), nullable=False),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column(
            "child_id", sa.String(32), sa.ForeignKey("parties.id", name="fk_federation_directory_child_id_parties"),
            nullable=True,
        ),
        sa.Column("created_at", UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_federation_directory"),
    )  # fmt: skip
    op.create_index("ix_federation_directory_kind_prefix", "federation_directory", ["kind", "prefix"])
    op.create_index("ix_federation_directory_child_id", "federation_directory", ["child_id"])
    op.create_table(
        "event_origins",
        sa.Column(
            "event_pk", _BIGINT, sa.ForeignKey("events.id", name="fk_event_origins_event_pk_events"), nullable=False
        ),
        sa.Column(
            "via_id", sa.String(32), sa.ForeignKey("parties.id", name="fk_event_origins_via_id_parties"),
            nullable=False,
        ),
        sa.Column("node", sa.String(500), nullable=False),
        sa.Column("node_url", sa.String(500), nullable=False),
        sa.Column("record_time", UTCDateTime(), nullable=False),
        sa.Column("recorder", _JSON, nullable=False),
        sa.Column("hash", sa.String(100), nullable=False),
        sa.Column("withheld", _JSON, nullable=False),
        sa.PrimaryKeyConstraint("event_pk", name="pk_event_origins"),
    )  # fmt: skip
    op.create_index("ix_event_origins_via_id", "event_origins", ["via_id"])
    op.create_index("ix_event_origins_node", "event_origins", ["node"])


def downgrade() -> None:
    op.drop_table("event_origins")
    op.drop_table("federation_directory")
    op.drop_table("federation_relays")
    op.drop_table("federation_parties")
    op.drop_table("federation_children")
    op.drop_table("federation_outbox")
    op.drop_table("federation_links")
    op.drop_table("ledger_followed_logs")
    with op.batch_alter_table("ledger_witness_states") as batch:
        batch.drop_column("url")
        batch.drop_column("vkey")
