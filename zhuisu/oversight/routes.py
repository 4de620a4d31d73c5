"""JSON twins of the regulator desk (``/api/v1/dashboard``); session cookie or bearer token of a regulator."""

from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query
from starlette.responses import Response

from zhuisu.auth import roles
from zhuisu.auth.permissions import OversightParty, RegulatorParty, SignedInParty
from zhuisu.oversight import audit, evaluation, permissions, service
from zhuisu.oversight.schemas import EvaluationRead, ImpactView, OverviewRead, TraceView
from zhuisu.portal import complaints
from zhuisu.portal.schemas import ComplaintHandle, ComplaintRead
from zhuisu.web.deps import DbSession, SettingsDep

router = APIRouter(prefix="/api/v1/dashboard", tags=["dashboard"])
audit_router = APIRouter(tags=["audit"])
evaluation_router = APIRouter(tags=["evaluation"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_AUTH: dict[int | str, dict[str, Any]] = {401: {}, 403: {}}


@router.get("/overview", response_model=OverviewRead, responses=_AUTH)
def overview(party: RegulatorParty, session: DbSession, settings: SettingsDep, region: str = "") -> OverviewRead:
    """Coverage against targets, event volume per day, flagged records, complaints, within the regulator's region
    (a ``region`` outside it is narrowed back to it)."""
    return service.overview(
        session,
        window_days=settings.coverage_window_days,
        region_prefix=region,
        scope_prefix=roles.region_scope(party),
        zone=ZoneInfo(settings.portal_timezone),
    )


@router.get("/trace/{code:path}", response_model=TraceView, responses={**_AUTH, 400: {}})
def trace(party: RegulatorParty, session: DbSession, code: str) -> TraceView:
    """A code's trace back and forward as graph nodes and edges, with responsibility and findings."""
    return service.trace_view(session, code, viewer=party)


@router.get("/impact/{code:path}", response_model=ImpactView, responses={**_AUTH, 400: {}})
def impact(party: RegulatorParty, session: DbSession, code: str) -> ImpactView:
    """Recall impact of a code with the holders' names."""
    return service.impact_view(session, code, viewer=party)


@router.get("/complaints", response_model=list[ComplaintRead], responses=_AUTH)
def list_complaints(
    party: RegulatorParty, session: DbSession, settings: SettingsDep, status: str | None = None
) -> list[ComplaintRead]:
    """Complaints and reports of the regulator's region, newest first, times also in local time (contacts
    included: regulators only)."""
    zone = ZoneInfo(settings.portal_timezone)
    found = complaints.list_complaints(session, status=status, region_prefix=roles.region_scope(party))
    return [complaints.complaint_read(c, zone) for c in found]


@router.post("/complaints/{reference}", response_model=ComplaintRead, responses={**_AUTH, 400: {}, 404: {}, 409: {}})
def handle_complaint(
    party: RegulatorParty, session: DbSession, settings: SettingsDep, reference: str, step: ComplaintHandle
) -> ComplaintRead:
    """A step on a complaint of the regulator's region: a new status (``in_progress``, ``closed`` — closing needs
    an answer), an internal note, the answer to the person who filed (shown with the reference number), the
    regulator it is assigned to (one whose jurisdiction it is routed to). 404 outside the region; 409 backwards or
    closed; nothing changes on an error."""
    handled = complaints.handle_complaint(
        session, reference, actor=party, step=step, region_prefix=roles.region_scope(party)
    )
    return complaints.complaint_read(handled, ZoneInfo(settings.portal_timezone))


@audit_router.get("/audit", response_model=list[audit.AuditRead], responses=_AUTH)
def list_audit(
    party: OversightParty,
    session: DbSession,
    action: str | None = Query(None, description="Only this action (party_created, role_granted, codes_issued …)."),
    actor: str | None = Query(None, description="Only what this party did (its id)."),
    before: int | None = Query(None, description="Entries older than this entry id (the next page)."),
    limit: int = Query(100, ge=1, le=1000),
) -> list[audit.AuditRead]:
    """The audit trail, newest first: every entry for the admin, a regulator's jurisdiction for a regulator."""
    return audit.list_entries(session, reader=party, action=action, actor_id=actor, before=before, limit=limit)


def _evaluation(
    party: SignedInParty, session: DbSession, settings: SettingsDep, region: str, window_days: int | None
) -> EvaluationRead:
    return evaluation.evaluate(
        session,
        parties=permissions.evaluated(party, settings),
        window_days=window_days or settings.coverage_window_days,
        region_prefix=roles.within(permissions.region_scope(party, settings), region),
    )


@evaluation_router.get("/evaluation", response_model=EvaluationRead, responses={401: {}})
def get_evaluation(
    party: SignedInParty,
    session: DbSession,
    settings: SettingsDep,
    region: str = Query(
        "", description="Only enterprises of this GB/T 2260 prefix (narrowed into the reader's scope)."
    ),
    window_days: int | None = Query(
        None, ge=1, le=366, description="Days of record times (default: coverage_window_days)."
    ),
) -> EvaluationRead:
    """追溯体系建设评价: per enterprise and per region, scores with their inputs (coverage, timeliness, completeness,
    linkage, flags per 10,000 events), ranked. The admin reads every enterprise, a regulator those it supervises,
    an enterprise its own row."""
    return _evaluation(party, session, settings, region, window_days)


@evaluation_router.get("/evaluation.xlsx", response_class=Response, responses={200: {"content": {XLSX: {}}}, 401: {}})
def get_evaluation_xlsx(
    party: SignedInParty,
    session: DbSession,
    settings: SettingsDep,
    region: str = Query("", description="As GET /evaluation."),
    window_days: int | None = Query(None, ge=1, le=366, description="As GET /evaluation."),
) -> Response:
    """The same as a workbook (sheets 企业 Enterprises and 地区 Regions)."""
    view = _evaluation(party, session, settings, region, window_days)
    headers = {"Content-Disposition": 'attachment; filename="evaluation.xlsx"'}
    return Response(evaluation.to_xlsx(view), media_type=XLSX, headers=headers)
