"""Engines and sessionmakers, built explicitly from settings (never at import)."""

from pathlib import Path
from typing import Any

import orjson
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from zhuisu.config import Settings


def _json_dumps(value: Any) -> str:
    return orjson.dumps(value).decode()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine for ``url``; SQLite gets WAL, foreign keys and real transactions (SAVEPOINT-safe).

    JSON columns are (de)serialised with orjson: event bodies are the bulk of what capture writes.
    """
    kwargs.setdefault("json_serializer", _json_dumps)
    kwargs.setdefault("json_deserializer", orjson.loads)
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        return create_engine(url, pool_pre_ping=True, **kwargs)
    if parsed.database and parsed.database != ":memory:":
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url, connect_args={"timeout": 30}, **kwargs)
    _make_sqlite_transactional(engine)
    return engine


#: Execution option marking a transaction that will write (SQLite then begins it IMMEDIATE).
WRITE_OPTION = "zhuisu_write"


def _make_sqlite_transactional(engine: Engine) -> None:
    # pysqlite's own transaction handling defers BEGIN and breaks SAVEPOINTs; SQLAlchemy documents this
    # workaround: let the driver do nothing and emit BEGIN ourselves.
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        # 64 MiB of page cache (the default is 2 MiB): the unique indexes on event ids and hashes take random-key
        # inserts, which thrash a small cache once the database outgrows it.
        cursor.execute("PRAGMA cache_size=-65536")
        cursor.execute("PRAGMA temp_store=MEMORY")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        # A transaction that will write takes the write lock at BEGIN: a deferred one that reads first and writes
        # later cannot wait for a busy writer and fails with "database is locked" instead.
        immediate = conn.get_execution_options().get(WRITE_OPTION, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def engine_from_settings(settings: Settings) -> Engine:
    return make_engine(settings.resolved_database_url())


#: Where a session keeps the node's settings (``Session.info``), for the writers that need node configuration in
#: every transaction they take part in, whichever entry point opened it (the ledger signs with the node's key).
SETTINGS_KEY = "zhuisu.settings"


def make_sessionmaker(engine: Engine, settings: Settings | None = None) -> sessionmaker[Session]:
    """Sessions on ``engine``; with ``settings``, each session carries them (``node_settings``)."""
    return sessionmaker(bind=engine, expire_on_commit=False, info=session_info(settings))


def session_info(settings: Settings | None) -> dict[str, Any]:
    """The ``info`` of the sessions of a node configured by ``settings`` (empty without)."""
    return {SETTINGS_KEY: settings} if settings is not None else {}


def node_settings(session: Session) -> Settings | None:
    """The settings of the node whose sessionmaker opened ``session``, or None (a bare sessionmaker)."""
    found = session.info.get(SETTINGS_KEY)
    return found if isinstance(found, Settings) else None
