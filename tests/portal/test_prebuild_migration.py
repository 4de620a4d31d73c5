"""Migration 0042 and the story clock's model agree (alembic's comparison of the migrated database with the models)."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection

from zhuisu.models import Base


def test_the_migration_builds_the_model(connection: Connection) -> None:
    differences = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata)
    assert [d for d in differences if "portal_stor" in repr(d)] == []
