"""Request-scoped dependencies: the database session (one transaction per request), the settings, the language.

Who the caller is, and what they may do, is each domain's ``permissions`` (the caller:
``zhuisu.parties.permissions``)."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends
from sqlalchemy.orm import Session
from starlette.requests import Request

from zhuisu.config import Settings
from zhuisu.db.session import unit_of_work
from zhuisu.web.i18n import request_language

_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
#: The largest integer SQLite and PostgreSQL's bigint hold: the most an id or offset query parameter may be (a larger
#: one reached the database and was a 500, OverflowError on SQLite).
MAX_INT64 = 2**63 - 1


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed before the response is sent, rolled back on error.

    Requests that may write (every method but GET, HEAD and OPTIONS) take SQLite's write lock at BEGIN.
    """
    with unit_of_work(request.app.state.sessionmaker, write=request.method not in _READ_METHODS) as session:
        yield session


def get_settings_dep(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


DbSession = Annotated[Session, Depends(get_session, scope="function")]


def get_read_session(request: Request, session: DbSession) -> Iterator[Session]:
    """For read-only endpoints: a transaction on the streaming replica (``database_replica_url``), else the request's
    one session (no second transaction without a replica). What the request just wrote is not there yet — these
    endpoints write nothing."""
    replica = getattr(request.app.state, "read_sessionmaker", None)
    if replica is None:
        yield session
        return
    with unit_of_work(replica, write=False) as read:
        yield read


#: The session of an endpoint that only reads and may be a replication lag behind: the replica when there is one.
ReadSession = Annotated[Session, Depends(get_read_session, scope="function")]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


def get_language(request: Request) -> str:
    return request_language(request)


Language = Annotated[str, Depends(get_language)]
