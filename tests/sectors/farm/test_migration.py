"""Migration 0039 and the farm and imports models agree (alembic's comparison of the migrated database with them)."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Connection

from zhuisu.models import Base


def test_the_migration_builds_the_models(connection: Connection) -> None:
    differences = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), Base.metadata)
    assert [d for d in differences if "farm_" in repr(d) or "import_" in repr(d)] == []
