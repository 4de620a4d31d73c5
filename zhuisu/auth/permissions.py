"""Who is calling, for every route: the party of a bearer token (the API), or of the sign-in session whose cookie
the regulator desk and the enterprise console carry (their JSON twins accept either).

The cookie holds a sign-in session's secret, not the token (``auth.service``: the session ends at sign-out, after
``signin_session_hours``, or when its token is revoked or expires). A write with the cookie (any method but GET,
HEAD and OPTIONS) must carry the session's CSRF token, as form field ``csrf_token`` or header ``X-CSRF-Token``, else
403 ``csrf_failed`` before the route runs; a bearer token needs none. What a party is (enterprise, regulator, admin
…) is ``parties.actor`` (``auth.roles``). The dependencies declare the bearer scheme, so the OpenAPI document says
which operations need a token.
"""

from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from zhuisu.auth import service as auth_service
from zhuisu.auth.errors import MissingScope
from zhuisu.auth.roles import check_admin, is_admin, is_regulator
from zhuisu.errors import NotAuthenticated, PermissionDenied, ZhuisuError
from zhuisu.models import Party
from zhuisu.web.deps import DbSession
from zhuisu.web.rendering import SESSION_COOKIE

#: The OpenAPI ``bearerAuth`` scheme (no error of its own: a missing token is our 401 problem document).
bearer = HTTPBearer(auto_error=False, scheme_name="bearerAuth", description="A zhuisu API token: `Bearer zs_…`.")


def current_caller(
    request: Request, session: DbSession, credentials: HTTPAuthorizationCredentials | None = Depends(bearer)
) -> auth_service.Caller:
    """The party whose bearer token authenticates this request; 401 without a valid one, 403 ``missing_scope`` when
    the token is not for this kind of request (``read`` for GET, ``capture`` for every other method)."""
    secret = credentials.credentials if credentials is not None else ""
    if credentials is None or credentials.scheme.lower() != "bearer" or not secret.strip():
        raise NotAuthenticated(
            "缺少访问令牌：请在 Authorization 头中提供 Bearer 令牌",
            message_en="missing access token: send 'Authorization: Bearer <token>'",
        )
    caller = auth_service.resolve(session, secret.strip())
    check_scope(caller, "read" if request.method in _READS else "capture")
    return caller


#: The resolved bearer token (resolved once per request: FastAPI caches a dependency within a request).
CurrentCaller = Annotated[auth_service.Caller, Depends(current_caller)]


def current_actor(caller: CurrentCaller) -> Party:
    return caller.party


_READS = frozenset({"GET", "HEAD", "OPTIONS"})


def check_scope(caller: auth_service.Caller, scope: str) -> None:
    """Raises MissingScope unless the caller's token has ``scope``."""
    if scope not in caller.scopes:
        has = sorted(caller.scopes)
        raise MissingScope(
            f"该访问令牌没有 {scope} 权限（令牌权限：{'、'.join(has) or '无'}）",
            message_en=f"this token does not have the {scope} scope (it has: {', '.join(has) or 'none'})",
        )


CurrentActor = Annotated[Party, Depends(current_actor)]


def _bearer_secret(request: Request) -> str | None:
    scheme, _, secret = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and secret.strip():
        return secret.strip()
    return None


def presents_bearer(request: Request) -> bool:
    """Whether the request carries a bearer token at all (unchecked: no database), so a route may do work ahead of
    its transaction for a caller who is not plainly anonymous."""
    return _bearer_secret(request) is not None


_FORMS = frozenset({"application/x-www-form-urlencoded", "multipart/form-data"})


async def presented_csrf_token(request: Request) -> str:
    """The CSRF token a write with the sign-in cookie presents: header ``X-CSRF-Token``, else form field
    ``csrf_token`` (urlencoded or multipart); "" when none. Reads and requests without the cookie present none.

    Starlette keeps the parsed form on the request, and FastAPI parses a route's ``Form()`` and ``UploadFile``
    parameters before its dependencies run, so this read reuses that parse and the route still gets its fields."""
    if request.method in _READS or SESSION_COOKIE not in request.cookies:
        return ""
    header = request.headers.get("x-csrf-token", "").strip()
    if header:
        return header
    media_type = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if media_type not in _FORMS:
        return ""
    value = (await request.form()).get("csrf_token")
    return value.strip() if isinstance(value, str) else ""


def presented_caller(request: Request, session: Session) -> auth_service.Caller | None:
    """The caller of the request's bearer header, else of its sign-in cookie; None when neither is valid (no check
    of CSRF or scope: ``signed_in`` adds them; the audit trail records writes with this)."""
    bearer_secret = _bearer_secret(request)
    cookie = request.cookies.get(SESSION_COOKIE)
    try:
        if bearer_secret is not None:
            return auth_service.resolve(session, bearer_secret)
        return auth_service.resolve_session(session, cookie) if cookie else None
    except ZhuisuError:
        return None


def signed_in(
    request: Request, session: DbSession, csrf_token: Annotated[str, Depends(presented_csrf_token)]
) -> auth_service.Caller | None:
    """The caller of the bearer header, else of the sign-in cookie; None when neither is valid (a page then sends
    the browser to sign in, a JSON twin answers 401). Raises CsrfFailed for a write with the cookie without the
    session's CSRF token, and MissingScope when the token is not for this kind of request (a read-only token posting
    a form)."""
    caller = presented_caller(request, session)
    if caller is None:
        return None
    if request.method not in _READS:
        auth_service.check_csrf(caller, csrf_token)
    check_scope(caller, "read" if request.method in _READS else "capture")
    return caller


#: The caller of a page (bearer header or sign-in cookie), or None; resolved once per request.
SignedIn = Annotated[auth_service.Caller | None, Depends(signed_in)]


def admin_actor(caller: CurrentCaller) -> Party:
    check_admin(caller.party)
    check_scope(caller, "admin")
    return caller.party


#: The caller, who must be the node's admin (else 403 ``admin_only``).
AdminActor = Annotated[Party, Depends(admin_actor)]


def require_party(caller: auth_service.Caller | None) -> Party:
    """For JSON twins: the signed-in party, else 401."""
    if caller is None:
        raise NotAuthenticated("请先登录", message_en="sign in first (session cookie or bearer token)")
    return caller.party


def require_regulator(request: Request, caller: auth_service.Caller | None) -> Party:
    """For JSON twins: the signed-in regulator, else 401 or 403."""
    party = require_party(caller)
    if not is_regulator(party, request.app.state.settings):
        raise PermissionDenied("仅监管部门可以访问", message_en="only regulators may use the regulator desk")
    return party


def signed_in_party(caller: SignedIn, _: HTTPAuthorizationCredentials | None = Depends(bearer)) -> Party:
    return require_party(caller)


#: The party of the bearer header or the sign-in cookie (the console and the desk's JSON twins), else 401.
SignedInParty = Annotated[Party, Depends(signed_in_party)]


def oversight_party(
    request: Request, caller: SignedIn, _: HTTPAuthorizationCredentials | None = Depends(bearer)
) -> Party:
    """A regulator or the admin, by bearer header or sign-in cookie: 401 signed out, 403 otherwise."""
    party = require_party(caller)
    if not (is_admin(party) or is_regulator(party, request.app.state.settings)):
        raise PermissionDenied("仅监管部门可以访问", message_en="only regulators may see this")
    return party


#: A regulator (or the admin): what is reported about many parties (coverage, the desk's overview) is theirs.
OversightParty = Annotated[Party, Depends(oversight_party)]


def regulator_party(
    request: Request, caller: SignedIn, _: HTTPAuthorizationCredentials | None = Depends(bearer)
) -> Party:
    return require_regulator(request, caller)


#: A regulator, by bearer header or sign-in cookie (the desk's JSON twins): 401 signed out, 403 otherwise.
RegulatorParty = Annotated[Party, Depends(regulator_party)]


def to_signin(request: Request) -> Response:
    return RedirectResponse(f"/signin?next={request.url.path}", status_code=303)
