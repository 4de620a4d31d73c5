"""Signing in to the regulator desk and the enterprise console: present a bearer token once, get a cookie
(``zhuisu.parties.permissions`` reads it back)."""

from typing import Annotated

from fastapi import APIRouter, Form
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from zhuisu.auth import service as auth_service
from zhuisu.errors import ZhuisuError
from zhuisu.web.deps import DbSession
from zhuisu.web.rendering import SESSION_COOKIE, page_language, render

router = APIRouter(tags=["sign-in"], include_in_schema=False)


@router.get("/signin", name="signin")
def signin_page(request: Request, next: str = "/dashboard") -> Response:
    return render(request, "signin.html", {"next": next, "error": None})


@router.post("/signin")
def signin(
    request: Request, session: DbSession, token: Annotated[str, Form()], next: Annotated[str, Form()] = "/dashboard"
) -> Response:
    """Check the token; on success set the session cookie and go to ``next`` (a local path only)."""
    try:
        auth_service.authenticate(session, token.strip())
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
