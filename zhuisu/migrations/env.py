"""Alembic environment: runs on a connection handed in by zhuisu (``config.attributes['connection']``) or on
the URL in the config, so the CLI, the app and the tests all migrate through the same code."""

from alembic import context
from sqlalchemy import Connection

from zhuisu.db.engine import make_engine
from zhuisu.events.partitions import leave_out_partitions
from zhuisu.models import Base

config = context.config
target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    # SQLite changes a table's constraints by rebuilding it (copy, drop, rename: alembic's batch mode), and a drop
    # of a table other tables' rows name fails with foreign keys on — which only a connection outside a
    # transaction can turn off. They are checked whole before the migration commits instead.
    unchecked = connection.dialect.name == "sqlite" and not connection.in_transaction()
    if unchecked:
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
    try:
        _migrate(connection)
    finally:
        if unchecked:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]


def _migrate(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=leave_out_partitions,
    )
    with context.begin_transaction():
        context.run_migrations()
        if connection.dialect.name == "sqlite":
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"the migration left rows naming missing rows: {broken[:10]}")


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():
    context.configure(url=config.get_main_option("sqlalchemy.url"), target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
else:
    run_migrations_online()
