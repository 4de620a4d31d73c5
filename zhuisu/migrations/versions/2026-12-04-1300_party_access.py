"""What each party may do: ``parties.actor`` (enterprise, platform, regulator, inspector, node, admin) and a
regulator's ``jurisdiction`` (GB/T 2260 prefix) and ``mandate`` (catalog classes).

Parties the regulator desk admitted before (the ``regulator`` chain role or party type ``government``) become
regulators with their registered region as jurisdiction (as a prefix: ``230100`` → ``2301``) and every class as
mandate, so nobody loses access they had;
everyone else is an enterprise (or a platform, by party type).

Revision ID: 0016_party_access
Revises: 0005_catalog
Create Date: 2026-12-04 13:00:00
"""

import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

_JSON = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")

revision: str = "0016_party_access"
down_revision: str | None = "0005_catalog"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("parties") as batch:
        batch.add_column(sa.Column("actor", sa.String(16), nullable=False, server_default="enterprise"))
        batch.add_column(sa.Column("jurisdiction", sa.String(6), nullable=True))
        batch.add_column(sa.Column("mandate", _JSON))
        batch.create_index("ix_parties_actor", ["actor"])
    parties = sa.table(
        "parties",
        sa.column("id", sa.String),
        sa.column("roles", sa.JSON),
        sa.column("party_type", sa.String),
        sa.column("region", sa.String),
        sa.column("actor", sa.String),
        sa.column("jurisdiction", sa.String),
    )
    bind = op.get_bind()
    for row in bind.execute(sa.select(parties.c.id, parties.c.roles, parties.c.party_type, parties.c.region)):
        roles = json.loads(row.roles) if isinstance(row.roles, str) else (row.roles or [])
        if "regulator" in roles or row.party_type == "government":
            values = {"actor": "regulator", "jurisdiction": _prefix(row.region)}
        elif row.party_type == "platform":
            values = {"actor": "platform"}
        else:
            continue
        bind.execute(sa.update(parties).where(parties.c.id == row.id).values(**values))


def _prefix(region: str | None) -> str | None:
    """The GB/T 2260 prefix a region code covers (``230100`` → ``2301``); None (national) for none."""
    code = (region or "").strip()
    while code.endswith("00"):
        code = code[:-2]
    return code or None


def downgrade() -> None:
    with op.batch_alter_table("parties") as batch:
        batch.drop_index("ix_parties_actor")
        batch.drop_column("mandate")
        batch.drop_column("jurisdiction")
        batch.drop_column("actor")
