"""The regulator desk (signed in): overview with charts, trace explorer, recall impact with its spreadsheet,
complaints, the audit trail. Each page has a JSON twin in ``routes.py`` calling the same service."""

from datetime import date
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Form, Query
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from zhuisu.auth import roles
from zhuisu.auth.permissions import SignedIn, to_signin
from zhuisu.auth.roles import is_regulator
from zhuisu.auth.service import Caller
from zhuisu.codes._regions import find_regions, region_label
from zhuisu.errors import ZhuisuError
from zhuisu.kit.i18n import cpair, pair
from zhuisu.kit.time import utc_now
from zhuisu.ledger import verifications
from zhuisu.models import Party
from zhuisu.oversight import alerts, audit, credit, evaluation, service
from zhuisu.oversight.rules import ALL_RULES
from zhuisu.oversight.rules import BY_ID as RULES_BY_ID
from zhuisu.portal import complaints
from zhuisu.portal.schemas import ComplaintHandle
from zhuisu.portal.vocabulary import step_label
from zhuisu.recall import export
from zhuisu.recall import service as recall_service
from zhuisu.web.deps import MAX_INT64, DbSession, SettingsDep
from zhuisu.web.rendering import page_language, render

router = APIRouter(prefix="/dashboard", tags=["dashboard"], include_in_schema=False)
#: The public 失信名单 page (its JSON twin: ``GET /api/v1/portal/blacklist``).
public_router = APIRouter(tags=["credit"], include_in_schema=False)
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


def region_filter(text: str, scope: str) -> tuple[str, str | None]:
    """A region filter as typed — a GB/T 2260 code or prefix, or a name (历下区, 济南市历下区) — as the code to filter
    by, and a notice when the name means no region or several (the ones in the regulator's ``scope`` first)."""
    text = text.strip()
    found = find_regions(text)
    if not text or (text.isascii() and text.isdigit()):
        return text, None
    mine = [code for code in found if code.startswith(scope) or scope.startswith(code)] or found
    if not mine:
        return "", f"没有找到地区「{text}」：请输入地区名称（如 历下区）或行政区划代码（如 370102）"
    if len(mine) > 1:
        names = "、".join(f"{region_label(code)}（{code}）" for code in mine[:8])
        return mine[0], f"「{text}」有多个地区：{names}；已按第一个筛选，可改填代码"
    return mine[0], None


@router.get("", response_class=HTMLResponse, name="dashboard")
def overview(
    request: Request, session: DbSession, settings: SettingsDep, caller: SignedIn, region: str = ""
) -> Response:
    """Coverage against targets, event volume, risk flags and complaints, within the regulator's region."""
    regulator = _regulator(request, caller)
    if isinstance(regulator, Response):
        return regulator
    party = regulator.party
    region, _notice = region_filter(region, roles.region_scope(party))
    view = service.overview(
        session,
        window_days=settings.coverage_window_days,
        region_prefix=region,
        scope_prefix=roles.region_scope(party),
        zone=ZoneInfo(settings.portal_timezone),
    )
    assignees = complaints.assignees(session, roles.region_scope(party))
    context = {
        "view": view,
        "data": view.model_dump(mode="json"),
        "csrf_token": regulator.csrf_token,
        "assignees": assignees,
        "assignee_names": {p.id: p.name for p in assignees},
    }
    return render(request, "dashboard/index.html", context)


#: The responsibility chain's roles, as the desk names them (zh, en).
TRACE_ROLES = {
    "source": pair("shipper"),
    "destination": pair("receiver"),
    "recorder": pair("recorder"),
}


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
            view = service.trace_view(session, code, viewer=party, lang=page_language(request))
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
            "step": step_label,
            "roles": TRACE_ROLES,
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
    status: Annotated[str, Form()] = "",
    note: Annotated[str, Form(max_length=4000)] = "",
    answer: Annotated[str, Form(max_length=4000)] = "",
    assign_to: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    """A step on a complaint of the regulator's region: move it on (in progress, closed), note, answer the person
    who filed, assign it to a regulator (an empty field changes nothing)."""
    regulator = _regulator(request, caller)
    if isinstance(regulator, Response):
        return regulator
    party = regulator.party
    step = ComplaintHandle(
        status="closed" if status == "closed" else "in_progress" if status == "in_progress" else None,
        note=note or None,
        answer=answer or None,
        assign_to=assign_to or None,
    )
    complaints.handle_complaint(session, reference, actor=party, step=step, region_prefix=roles.region_scope(party))
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


#: How each kind of verification finding reads on the desk.
FINDING_KINDS = {
    "changed": pair("record changed"),
    "deleted": pair("record deleted"),
    "inserted": pair("record not in the log"),
    "derived": pair("derived data differs"),
    "tree": pair("the log itself"),
}


@router.get("/integrity", response_class=HTMLResponse, name="dashboard_integrity")
def integrity(
    request: Request, session: DbSession, settings: SettingsDep, caller: SignedIn, run: int | None = None
) -> Response:
    """记录校验: the latest verifications of the store against the log, and what one found, as alerts in the
    regulator's lane (the JSON twin: ``GET /ledger/verifications``)."""
    regulator = _regulator(request, caller)
    if isinstance(regulator, Response):
        return regulator
    zone = ZoneInfo(settings.portal_timezone)
    runs = verifications.list_runs(session, limit=20)
    chosen = run if run is not None else (runs[0].id if runs else None)
    found = verifications.list_findings(session, reader=regulator.party, verification_id=chosen) if chosen else []
    context = {
        "runs": [
            {
                "id": r.id,
                "time": complaints.local_time(r.started_at, zone),
                "mode": pair("full")
                if r.mode == "full"
                else (f"抽样 {r.sample_rate:.2%}", f"sample {r.sample_rate:.2%}"),
                "trigger": pair("command line") if r.trigger == "cli" else pair("scheduled"),
                "checked": r.checked,
                "leaves": r.leaves,
                "external": r.external,
                "findings": r.findings,
            }
            for r in runs
        ],
        "chosen": chosen,
        "findings": [
            {"kind": FINDING_KINDS.get(f.kind, (f.kind, f.kind)), "event_id": f.event_id, "detail": f.detail}
            for f in found
        ],
        "interval_hours": settings.ledger_verify_interval_seconds / 3600,
        "sample_rate": settings.ledger_verify_sample_rate,
        "csrf_token": regulator.csrf_token,
    }
    return render(request, "dashboard/integrity.html", context)


@router.get("/evaluation", response_class=HTMLResponse, name="dashboard_evaluation")
def evaluation_ranking(
    request: Request, session: DbSession, settings: SettingsDep, caller: SignedIn, region: str = ""
) -> Response:
    """追溯评价: the ranking of the regulator's enterprises and regions with each score's inputs (the JSON twin:
    ``GET /evaluation``; the workbook: ``GET /evaluation.xlsx``)."""
    regulator = _regulator(request, caller)
    if isinstance(regulator, Response):
        return regulator
    code, notice = region_filter(region, roles.region_scope(regulator.party))
    view = evaluation.evaluate_for(session, regulator.party, settings, region=code)
    context = {"view": view, "region": region, "notice": notice, "csrf_token": regulator.csrf_token}
    return render(request, "dashboard/evaluation.html", context)


@public_router.get("/blacklist", response_class=HTMLResponse, name="blacklist")
def blacklist_page(request: Request, session: DbSession) -> Response:
    """失信名单: the parties on the blacklist now, with the reason, the legal basis and the term (public)."""
    return render(request, "portal/blacklist.html", {"rows": credit.public_list(session)})


@router.get("/credit", response_class=HTMLResponse, name="dashboard_credit")
def credit_desk(request: Request, session: DbSession, caller: SignedIn) -> Response:
    """信用监管: the blacklist entries about the parties the regulator supervises, a form to list one, and the
    appeals waiting for its answer (the JSON twins: ``/api/v1/credit/…``)."""
    regulator = _regulator(request, caller)
    if isinstance(regulator, Response):
        return regulator
    today = utc_now().date()
    context = {
        "entries": [
            (e, p, credit.in_force(e, today)) for e, p in credit.entries_in_lane(session, reader=regulator.party)
        ],
        "appeals": credit.open_appeals(session, reader=regulator.party),
        "today": today.isoformat(),
        "csrf_token": regulator.csrf_token,
    }
    return render(request, "dashboard/credit.html", context)


@router.post("/credit/blacklist", name="dashboard_blacklist_add")
def credit_add(
    request: Request,
    session: DbSession,
    caller: SignedIn,
    party: Annotated[str, Form(max_length=32)],
    reason: Annotated[str, Form(max_length=2000)],
    legal_basis: Annotated[str, Form(max_length=500)],
    starts_on: Annotated[date, Form()],
    ends_on: Annotated[str, Form()] = "",
) -> Response:
    """List a party from the desk (see ``POST /api/v1/credit/blacklist``)."""
    regulator = _regulator(request, caller)
    if isinstance(regulator, Response):
        return regulator
    until = date.fromisoformat(ends_on) if ends_on else None
    credit.add_entry(
        session,
        actor=regulator.party,
        party=party,
        reason=reason,
        legal_basis=legal_basis,
        starts_on=starts_on,
        ends_on=until,
    )
    return RedirectResponse("/dashboard/credit", status_code=303)


@router.post("/credit/blacklist/{entry_id}/revoke", name="dashboard_blacklist_revoke")
def credit_revoke(
    request: Request, session: DbSession, caller: SignedIn, entry_id: str, reason: Annotated[str, Form(max_length=2000)]
) -> Response:
    regulator = _regulator(request, caller)
    if isinstance(regulator, Response):
        return regulator
    credit.revoke_entry(session, entry_id, actor=regulator.party, reason=reason)
    return RedirectResponse("/dashboard/credit", status_code=303)


@router.post("/credit/appeals/{appeal_id}", name="dashboard_appeal_answer")
def credit_answer(
    request: Request,
    session: DbSession,
    caller: SignedIn,
    appeal_id: str,
    answer: Annotated[str, Form(max_length=4000)],
) -> Response:
    regulator = _regulator(request, caller)
    if isinstance(regulator, Response):
        return regulator
    credit.answer_appeal(session, appeal_id, actor=regulator.party, answer=answer)
    return RedirectResponse("/dashboard/credit", status_code=303)


# --- 风险预警: the alert queue (the JSON twin: GET /alerts) ------------------------------------------------------

#: How each alert status reads on the desk.
ALERT_STATUSES = {"new": pair("new"), "acknowledged": pair("acknowledged"), "closed": cpair("alert", "closed")}
SEVERITY_NAMES = {"high": pair("high"), "medium": pair("medium"), "low": pair("low")}


@router.get("/alerts", response_class=HTMLResponse, name="dashboard_alerts")
def alert_queue(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    caller: SignedIn,
    rule: str = "",
    status: str = "",
    severity: str = "",
    region: str = "",
) -> Response:
    """The alert queue of the regulator's lane (jurisdiction ∩ mandate), filtered by rule, status, severity and
    region, with the acknowledge and close forms; evidence events link to the desk's trace of their codes."""
    regulator = _regulator(request, caller)
    if isinstance(regulator, Response):
        return regulator
    zone = ZoneInfo(settings.portal_timezone)
    code, error = region_filter(region, roles.region_scope(regulator.party))
    try:
        found = alerts.list_alerts(
            session,
            reader=regulator.party,
            settings=settings,
            rule=rule or None,
            status=status or None,
            severity=severity or None,
            region=code or None,
        )
    except ZhuisuError as exc:
        found, error = [], exc.localized(page_language(request))
    names = _party_names(session, {a.party_id for a in found if a.party_id})
    context = {
        "alerts": [
            {
                "id": a.id,
                "rule": a.rule,
                "rule_name": (RULES_BY_ID[a.rule].name_zh, RULES_BY_ID[a.rule].name_en)
                if a.rule in RULES_BY_ID
                else (a.rule, a.rule),
                "severity": a.severity,
                "severity_name": SEVERITY_NAMES.get(a.severity, (a.severity, a.severity)),
                "status": a.status,
                "status_name": ALERT_STATUSES.get(a.status, (a.status, a.status)),
                "party": names.get(a.party_id or "", "—"),
                "region": a.region or "—",
                "class_id": a.class_id or "—",
                "detail": (a.detail_zh, a.detail_en),
                "evidence": a.evidence,
                "codes": a.codes,
                "first_seen": complaints.local_time(a.first_seen, zone),
                "last_seen": complaints.local_time(a.last_seen, zone),
                "note": a.note,
            }
            for a in found
        ],
        "rules": [(r.id, r.name_zh, r.name_en) for r in ALL_RULES],
        "statuses": ALERT_STATUSES,
        "severities": SEVERITY_NAMES,
        "filters": {"rule": rule, "status": status, "severity": severity, "region": region},
        "error": error,
        "csrf_token": regulator.csrf_token,
    }
    return render(request, "dashboard/alerts.html", context)


@router.post("/alerts/{alert_id}/acknowledge", name="dashboard_alert_acknowledge")
def acknowledge_alert(
    request: Request, session: DbSession, settings: SettingsDep, caller: SignedIn, alert_id: int
) -> Response:
    """确认: the regulator has seen the alert and works on it."""
    regulator = _regulator(request, caller)
    if isinstance(regulator, Response):
        return regulator
    alerts.acknowledge(session, alert_id, actor=regulator.party, settings=settings)
    return RedirectResponse(f"/dashboard/alerts#alert-{alert_id}", status_code=303)


@router.post("/alerts/{alert_id}/close", name="dashboard_alert_close")
def close_alert(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    caller: SignedIn,
    alert_id: int,
    note: Annotated[str, Form()] = "",
) -> Response:
    """关闭: the alert is handled, with a note of how."""
    regulator = _regulator(request, caller)
    if isinstance(regulator, Response):
        return regulator
    alerts.close(session, alert_id, actor=regulator.party, settings=settings, note=note)
    return RedirectResponse(f"/dashboard/alerts?status=closed#alert-{alert_id}", status_code=303)


def _party_names(session: Session, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    return {pid: name for pid, name in session.execute(select(Party.id, Party.name).where(Party.id.in_(sorted(ids))))}
