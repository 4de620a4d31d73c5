"""Migration 0027 and the models agree (alembic's comparison of the migrated database with the models)."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection

from zhuisu.models import Base


def test_the_migration_builds_the_model(connection: Connection) -> None:
    differences = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata)
    tables = ("inspections", "certificates", "licences")
    assert [d for d in differences if any(t in repr(d) for t in tables)] == []
