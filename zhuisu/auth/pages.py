"""Signing in to the regulator desk and the enterprise console: present a bearer token once, get a sign-in
session's cookie (``auth.permissions`` reads it back); signing out ends the session."""

from datetime import timedelta
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Depends, Form
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from zhuisu.auth import service as auth_service
from zhuisu.auth.permissions import presented_csrf_token
from zhuisu.auth.roles import is_regulator
from zhuisu.errors import ZhuisuError
from zhuisu.models import Party
from zhuisu.web.deps import DbSession, SettingsDep
from zhuisu.web.rendering import SESSION_COOKIE, page_language, render

router = APIRouter(tags=["sign-in"], include_in_schema=False)
HOME = "/dashboard"
CONSOLE = "/console"


def local_path(target: str) -> str:
    """``target`` when it is a path on this node, else the desk's home: no scheme or host, no ``//`` or ``/\\``
    (which browsers read as another host), no control characters (browsers drop tabs and newlines).

    >>> [local_path(p) for p in ("/console", "/dashboard/trace?code=x", "//evil.example", "/\\\\evil.example")]
    ['/console', '/dashboard/trace?code=x', '/dashboard', '/dashboard']
    >>> [local_path(p) for p in ("https://evil.example/", "/\\t/evil.example", "evil.example", "")]
    ['/dashboard', '/dashboard', '/dashboard', '/dashboard']
    """
    if not target.startswith("/") or target.startswith(("//", "/\\")):
        return HOME
    if any(ord(c) < 0x20 or ord(c) == 0x7F for c in target):
        return HOME
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return HOME
    return target


@router.get("/signin", name="signin")
def signin_page(request: Request, next: str = HOME) -> Response:
    return render(request, "signin.html", {"next": next, "error": None})


@router.post("/signin")
def signin(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    token: Annotated[str, Form()],
    next: Annotated[str, Form()] = HOME,
) -> Response:
    """Check the token; on success start a session, set its cookie and go to ``next`` (a local path only).

    The form carries no CSRF token: there is no session yet to protect, and a forged sign-in would need a valid token
    the forger holds (it could only sign the browser in as the forger's own party). The cookie is SameSite=Lax, so
    other sites' forms post without it."""
    try:
        started = auth_service.start_session(
            session, token.strip(), lifetime=timedelta(hours=settings.signin_session_hours)
        )
    except ZhuisuError as exc:
        return render(
            request, "signin.html", {"next": next, "error": exc.localized(page_language(request))}, status=401
        )
    target = local_path(next)
    party = session.get(Party, started.web_session.party_id)
    if target.split("?")[0].rstrip("/") in (HOME, "") and party is not None and not is_regulator(party, settings):
        target = CONSOLE  # an enterprise (or platform, inspector) signing in goes to its console, not the desk
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        started.secret,
        max_age=settings.signin_session_hours * 3600,
        path="/",
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="lax",
    )
    return response


@router.post("/signout")
def signout(
    request: Request, session: DbSession, csrf_token: Annotated[str, Depends(presented_csrf_token)]
) -> Response:
    """End the session (the form carries its CSRF token, else 403 ``csrf_failed``), forget the cookie, back to the
    sign-in page. Any token may sign out, a read-only one too; a cookie of no live session is just forgotten."""
    secret = request.cookies.get(SESSION_COOKIE)
    try:
        caller = auth_service.resolve_session(session, secret) if secret else None
    except ZhuisuError:
        caller = None
    if caller is not None and caller.web_session is not None:
        auth_service.check_csrf(caller, csrf_token)
        auth_service.end_session(session, caller.web_session)
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(
        SESSION_COOKIE, path="/", secure=request.url.scheme == "https", httponly=True, samesite="lax"
    )
    return response
