"""JSON twins of the regulator desk (``/api/v1/dashboard``); session cookie or bearer token of a regulator."""

from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Query
from starlette.responses import Response

from zhuisu.auth import roles
from zhuisu.auth.permissions import OversightParty, RegulatorParty, SignedInParty
from zhuisu.kit.time import utc_now
from zhuisu.oversight import audit, credit, evaluation, service
from zhuisu.oversight.schemas import (
    AppealAnswer,
    AppealCreate,
    AppealRead,
    BlacklistCreate,
    BlacklistEntryRead,
    CreditRecordRead,
    EvaluationRead,
    ImpactView,
    OverviewRead,
    PublicBlacklistRead,
    ReasonBody,
    TraceView,
)
from zhuisu.portal import complaints
from zhuisu.portal.schemas import ComplaintHandle, ComplaintRead
from zhuisu.web.deps import MAX_INT64, DbSession, SettingsDep

router = APIRouter(prefix="/api/v1/dashboard", tags=["dashboard"])
audit_router = APIRouter(tags=["audit"])
evaluation_router = APIRouter(tags=["evaluation"])
credit_router = APIRouter(prefix="/api/v1/credit", tags=["credit"])
public_router = APIRouter(tags=["credit"])
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
    before: int | None = Query(None, le=MAX_INT64, description="Entries older than this entry id (the next page)."),
    limit: int = Query(100, ge=1, le=1000),
) -> list[audit.AuditRead]:
    """The audit trail, newest first: every entry for the admin, a regulator's jurisdiction for a regulator."""
    return audit.list_entries(session, reader=party, action=action, actor_id=actor, before=before, limit=limit)


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
    return evaluation.evaluate_for(session, party, settings, region=region, window_days=window_days)


@evaluation_router.get("/evaluation.xlsx", response_class=Response, responses={200: {"content": {XLSX: {}}}, 401: {}})
def get_evaluation_xlsx(
    party: SignedInParty,
    session: DbSession,
    settings: SettingsDep,
    region: str = Query("", description="As GET /evaluation."),
    window_days: int | None = Query(None, ge=1, le=366, description="As GET /evaluation."),
) -> Response:
    """The same as a workbook (sheets 企业 Enterprises and 地区 Regions)."""
    view = evaluation.evaluate_for(session, party, settings, region=region, window_days=window_days)
    headers = {"Content-Disposition": 'attachment; filename="evaluation.xlsx"'}
    return Response(evaluation.to_xlsx(view), media_type=XLSX, headers=headers)


def _entry(entry: object) -> BlacklistEntryRead:
    read = BlacklistEntryRead.model_validate(entry)
    return read.model_copy(update={"in_force": credit.in_force(entry, utc_now().date())})  # type: ignore[arg-type]


@public_router.get("/api/v1/portal/blacklist", response_model=list[PublicBlacklistRead])
def public_blacklist(session: DbSession) -> list[PublicBlacklistRead]:
    """失信名单: the parties on the blacklist now — name, 统一社会信用代码, region, reason, legal basis, term."""
    return [
        PublicBlacklistRead(
            name=party.name,
            uscc=party.uscc,
            region=party.region,
            reason=entry.reason,
            legal_basis=entry.legal_basis,
            starts_on=entry.starts_on,
            ends_on=entry.ends_on,
        )
        for entry, party in credit.public_list(session)
    ]


@credit_router.post(
    "/blacklist", response_model=BlacklistEntryRead, status_code=201, responses={**_AUTH, 400: {}, 404: {}}
)
def add_to_blacklist(party: SignedInParty, session: DbSession, body: BlacklistCreate) -> BlacklistEntryRead:
    """List a party (reason, legal basis, term): a regulator supervising it, or the admin (403 otherwise)."""
    entry = credit.add_entry(
        session,
        actor=party,
        party=body.party,
        reason=body.reason,
        legal_basis=body.legal_basis,
        starts_on=body.starts_on,
        ends_on=body.ends_on,
    )
    return _entry(entry)


@credit_router.post(
    "/blacklist/{entry_id}/revoke", response_model=BlacklistEntryRead, responses={**_AUTH, 400: {}, 404: {}, 409: {}}
)
def revoke_blacklist_entry(
    party: SignedInParty, session: DbSession, entry_id: str, body: ReasonBody
) -> BlacklistEntryRead:
    """Remove an entry before its term ends (移出), with the reason: a regulator supervising the party, the admin."""
    return _entry(credit.revoke_entry(session, entry_id, actor=party, reason=body.reason))


@credit_router.post("/appeals", response_model=AppealRead, status_code=201, responses={**_AUTH, 400: {}, 404: {}})
def file_appeal(party: SignedInParty, session: DbSession, body: AppealCreate) -> AppealRead:
    """The caller's own appeal (异议申诉) against its record or one of its blacklist entries."""
    return AppealRead.model_validate(credit.file_appeal(session, actor=party, note=body.note, entry_id=body.entry_id))


@credit_router.post(
    "/appeals/{appeal_id}/answer", response_model=AppealRead, responses={**_AUTH, 400: {}, 404: {}, 409: {}}
)
def answer_appeal(party: SignedInParty, session: DbSession, appeal_id: str, body: AppealAnswer) -> AppealRead:
    """Answer an appeal: a regulator supervising the party, or the admin."""
    return AppealRead.model_validate(credit.answer_appeal(session, appeal_id, actor=party, answer=body.answer))


@credit_router.get("/{party_id}", response_model=CreditRecordRead, responses={**_AUTH, 404: {}})
def credit_record(party: SignedInParty, session: DbSession, party_id: str) -> CreditRecordRead:
    """A party's credit record (grade A–D with its reasons and inputs): the party itself, a regulator supervising
    it, the admin; 404 for others."""
    record = credit.credit_record(session, party_id, reader=party)
    zh, en = credit.GRADES[record.grade]
    return CreditRecordRead(
        party_id=record.party.id,
        name=record.party.name,
        grade=record.grade,
        grade_zh=zh,
        grade_en=en,
        reasons=record.reasons,
        blacklist=[_entry(e) for e in record.entries],
        licences_valid=record.licences_valid,
        licences_expired=record.licences_expired,
        complaints=record.complaints,
        complaints_open=record.complaints_open,
        events=record.events,
        flagged=record.flagged,
        alerts_open=record.alerts_open,
        alerts_high=record.alerts_high,
        inspections_failed=record.inspections_failed,
        recalls_ordered=record.recalls_ordered,
        recall_lines_overdue=record.recall_lines_overdue,
        appeals=[AppealRead.model_validate(a) for a in record.appeals],
    )
