"""The regulator desk (signed in): overview with charts, trace explorer, recall impact with its spreadsheet,
complaints, the audit trail. Each page has a JSON twin in ``routes.py`` calling the same service."""

from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Query
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from zhuisu.auth import roles
from zhuisu.auth.permissions import SignedIn, to_signin
from zhuisu.auth.roles import is_regulator
from zhuisu.auth.service import Caller
from zhuisu.errors import ZhuisuError
from zhuisu.oversight import audit, service
from zhuisu.portal import complaints
from zhuisu.recall import export
from zhuisu.recall import service as recall_service
from zhuisu.web.deps import MAX_INT64, DbSession, SettingsDep
from zhuisu.web.rendering import page_language, render

router = APIRouter(prefix="/dashboard", tags=["dashboard"], include_in_schema=False)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _regulator(request: Request, caller: Caller | None) -> Caller | Response:
    """The signed-in regulator, else the response to give instead (sign-in, or 403). Its pages' forms carry
    ``caller.csrf_token``."""
    if caller is None:
        return to_signin(request)
    if not is_regulator(caller.party, request.app.state.settings):
        context = {"party": caller.party, "csrf_token": caller.csrf_token}
        return render(request, "dashboard/forbidden.html", context, status=403)
    return caller


@router.get("", response_class=HTMLResponse, name="dashboard")
def overview(
    request: Request, session: DbSession, settings: SettingsDep, caller: SignedIn, region: str = ""
) -> Response:
    """Coverage against targets, event volume, risk flags and complaints, within the regulator's region."""
    regulator = _regulator(request, caller)
    if isinstance(regulator, Response):
        return regulator
    party = regulator.party
    view = service.overview(
        session,
        window_days=settings.coverage_window_days,
        region_prefix=region,
        scope_prefix=roles.region_scope(party),
        zone=ZoneInfo(settings.portal_timezone),
    )
    context = {"view": view, "data": view.model_dump(mode="json"), "csrf_token": regulator.csrf_token}
    return render(request, "dashboard/index.html", context)


@router.get("/trace", response_class=HTMLResponse, name="dashboard_trace")
def trace(request: Request, session: DbSession, caller: SignedIn, code: str = "") -> Response:
    """The trace explorer: a code's graph back and forward, its responsibility chain and findings."""
    regulator = _regulator(request, caller)
    if isinstance(regulator, Response):
        return regulator
    party = regulator.party
    view, error = None, None
    if code.strip():
        try:
            view = service.trace_view(session, code, viewer=party)
        except ZhuisuError as exc:
            error = exc.localized(page_language(request))
    return render(
        request,
        "dashboard/trace.html",
        {
            "code": code,
            "view": view,
            "error": error,
            "data": view.model_dump(mode="json") if view else None,
            "csrf_token": regulator.csrf_token,
        },
    )


@router.get("/impact", response_class=HTMLResponse, name="dashboard_impact")
def impact(request: Request, session: DbSession, caller: SignedIn, code: str = "") -> Response:
    """Recall impact of a code: everything downstream, its holders and regions, and the spreadsheet."""
    regulator = _regulator(request, caller)
    if isinstance(regulator, Response):
        return regulator
    party = regulator.party
    view, error = None, None
    if code.strip():
        try:
            view = service.impact_view(session, code, viewer=party)
        except ZhuisuError as exc:
            error = exc.localized(page_language(request))
    context = {"code": code, "view": view, "error": error, "csrf_token": regulator.csrf_token}
    return render(request, "dashboard/impact.html", context)


@router.get("/impact.xlsx", name="dashboard_impact_xlsx")
def impact_xlsx(request: Request, session: DbSession, caller: SignedIn, code: str) -> Response:
    """The recall-impact spreadsheet (the trace domain's FSMA-204-style export)."""
    regulator = _regulator(request, caller)
    if isinstance(regulator, Response):
        return regulator
    party = regulator.party
    impact = recall_service.recall_impact(session, code, viewer=party)
    body = export.render(session, impact, fmt="xlsx", where=export.Filter(), viewer=party)
    return Response(body, media_type=XLSX, headers={"Content-Disposition": 'attachment; filename="recall-impact.xlsx"'})


@router.post("/complaints/{reference}", name="dashboard_complaint")
def handle_complaint(
    request: Request,
    session: DbSession,
    caller: SignedIn,
    reference: str,
    status: Annotated[str, Form()],
    note: Annotated[str, Form()] = "",
) -> Response:
    """Move a complaint on (in progress, closed) with a note (only a complaint of the regulator's region)."""
    regulator = _regulator(request, caller)
    if isinstance(regulator, Response):
        return regulator
    party = regulator.party
    complaints.handle_complaint(
        session, reference, actor=party, status=status, note=note, region_prefix=roles.region_scope(party)
    )
    return RedirectResponse("/dashboard#complaints", status_code=303)


@router.get("/audit", response_class=HTMLResponse, name="dashboard_audit")
def audit_trail(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    caller: SignedIn,
    action: str = "",
    before: Annotated[int | None, Query(le=MAX_INT64)] = None,
) -> Response:
    """The audit trail of the regulator's jurisdiction, newest first, 100 a page (the JSON twin: ``GET /audit``)."""
    regulator = _regulator(request, caller)
    if isinstance(regulator, Response):
        return regulator
    party = regulator.party
    entries = audit.list_entries(session, reader=party, action=action or None, before=before, limit=100)
    zone = ZoneInfo(settings.portal_timezone)
    rows = [
        {
            "time": complaints.local_time(e.at, zone),
            "actor": e.actor_name or "—",
            "action": audit.ACTIONS.get(e.action, (e.action, e.action)),
            "subject": e.subject,
        }
        for e in entries
    ]
    older = entries[-1].id if len(entries) == 100 else None
    context = {
        "rows": rows,
        "actions": audit.ACTIONS,
        "action": action,
        "older": older,
        "csrf_token": regulator.csrf_token,
    }
    return render(request, "dashboard/audit.html", context)
