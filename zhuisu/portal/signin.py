"""Signing in to the regulator desk and the enterprise console: present a bearer token once, get a cookie.

The cookie holds the token itself (HttpOnly, SameSite=Lax), so revoking the token signs the browser out. JSON
twins accept the same cookie or an ``Authorization: Bearer`` header. A regulator is a party with the
``regulator`` role, of party type ``government``, or listed in ``regulator_party_ids``.
"""

from typing import Annotated

from fastapi import APIRouter, Form
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from zhuisu.config import Settings
from zhuisu.errors import NotAuthenticated, PermissionDenied, ZhuisuError
from zhuisu.models import Party
from zhuisu.parties import service as parties_service
from zhuisu.portal.rendering import SESSION_COOKIE, page_language, render
from zhuisu.web.deps import DbSession

router = APIRouter(tags=["sign-in"], include_in_schema=False)


def _token(request: Request) -> str | None:
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and secret.strip():
        return secret.strip()
    return request.cookies.get(SESSION_COOKIE) or None


def signed_in(request: Request, session: Session) -> Party | None:
    """The party of the bearer header or the session cookie, or None."""
    token = _token(request)
    if token is None:
        return None
    try:
        return parties_service.authenticate(session, token)
    except ZhuisuError:
        return None


def is_regulator(party: Party, settings: Settings) -> bool:
    return (
        "regulator" in (party.roles or [])
        or party.party_type == "government"
        or (party.id in settings.regulator_party_ids)
    )


def require_party(request: Request, session: Session) -> Party:
    """For JSON twins: the signed-in party, else 401."""
    party = signed_in(request, session)
    if party is None:
        raise NotAuthenticated("请先登录", message_en="sign in first (session cookie or bearer token)")
    return party


def require_regulator(request: Request, session: Session) -> Party:
    """For JSON twins: the signed-in regulator, else 401 or 403."""
    party = require_party(request, session)
    if not is_regulator(party, request.app.state.settings):
        raise PermissionDenied("仅监管部门可以访问", message_en="only regulators may use the regulator desk")
    return party


def to_signin(request: Request) -> Response:
    return RedirectResponse(f"/signin?next={request.url.path}", status_code=303)


@router.get("/signin", name="signin")
def signin_page(request: Request, next: str = "/dashboard") -> Response:
    return render(request, "signin.html", {"next": next, "error": None})


@router.post("/signin")
def signin(
    request: Request, session: DbSession, token: Annotated[str, Form()], next: Annotated[str, Form()] = "/dashboard"
) -> Response:
    """Check the token; on success set the session cookie and go to ``next`` (a local path only)."""
    try:
        parties_service.authenticate(session, token.strip())
    except ZhuisuError as exc:
        return render(
            request, "signin.html", {"next": next, "error": exc.localized(page_language(request))}, status=401
        )
    target = next if next.startswith("/") and not next.startswith("//") else "/dashboard"
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(SESSION_COOKIE, token.strip(), httponly=True, samesite="lax", max_age=8 * 3600)
    return response


@router.post("/signout")
def signout() -> Response:
    response = RedirectResponse("/signin", status_code=303)
    response.delete_cookie(SESSION_COOKIE)
    return response
