"""JSON twins of the regulator desk (``/api/v1/dashboard``); session cookie or bearer token of a regulator."""

from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query

from zhuisu.auth import roles
from zhuisu.auth.permissions import OversightParty, RegulatorParty
from zhuisu.oversight import audit, service
from zhuisu.oversight.schemas import ImpactView, OverviewRead, TraceView
from zhuisu.portal import complaints
from zhuisu.portal.schemas import ComplaintRead
from zhuisu.web.deps import MAX_INT64, DbSession, SettingsDep

router = APIRouter(prefix="/api/v1/dashboard", tags=["dashboard"])
audit_router = APIRouter(tags=["audit"])
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


@router.get("/trace/{code:path}", response_model=TraceView, responses={**_AUTH, 400: {}, 404: {}})
def trace(party: RegulatorParty, session: DbSession, code: str) -> TraceView:
    """A code's trace back and forward as graph nodes and edges, with responsibility and findings."""
    return service.trace_view(session, code, viewer=party)


@router.get("/impact/{code:path}", response_model=ImpactView, responses={**_AUTH, 400: {}, 404: {}})
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


@audit_router.get("/audit", response_model=list[audit.AuditRead], responses=_AUTH)
def list_audit(
    party: OversightParty,
    session: DbSession,
    action: str | None = Query(None, description="Only this action (party_created, role_granted, codes_issued …)."),
    actor: str | None = Query(None, description="Only what this party did (its id)."),
    before: int | None = Query(None, le=MAX_INT64, description="Entries older than this entry id (the next page)."),
    limit: int = Query(100, ge=1, le=1000),
) -> list[audit.AuditRead]:
    """The audit trail, newest first: every entry for the admin, a regulator's jurisdiction for a regulator."""
    return audit.list_entries(session, reader=party, action=action, actor_id=actor, before=before, limit=limit)
