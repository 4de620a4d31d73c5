"""Request-scoped dependencies: the database session (one transaction per request), the settings, the caller."""

from collections.abc import Iterator
from typing import Annotated

from fastapi import Depends
from sqlalchemy.orm import Session
from starlette.requests import Request

from zhuisu.config import Settings
from zhuisu.db.session import unit_of_work
from zhuisu.errors import NotAuthenticated
from zhuisu.models import Party
from zhuisu.parties import service as parties_service
from zhuisu.web.i18n import request_language

_READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


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
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]


def current_actor(request: Request, session: DbSession) -> Party:
    """The party whose bearer token authenticates this request; 401 without a valid one."""
    header = request.headers.get("authorization", "")
    scheme, _, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        raise NotAuthenticated(
            "缺少访问令牌：请在 Authorization 头中提供 Bearer 令牌",
            message_en="missing access token: send 'Authorization: Bearer <token>'",
        )
    return parties_service.authenticate(session, secret.strip())


CurrentActor = Annotated[Party, Depends(current_actor)]


def get_language(request: Request) -> str:
    return request_language(request)


Language = Annotated[str, Depends(get_language)]
