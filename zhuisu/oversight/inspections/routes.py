"""JSON endpoints of inspections, certificates and licence confirmations (bearer token; the reads also the desk's
sign-in cookie). Who may do what: ``permissions``."""

from typing import Annotated, Any

from fastapi import APIRouter, File, Query, UploadFile
from starlette.responses import Response

from zhuisu.auth.permissions import CurrentActor, SignedInParty
from zhuisu.models import Certificate, Inspection, Licence
from zhuisu.oversight.inspections import service, spreadsheet
from zhuisu.oversight.inspections.schemas import (
    CertificateCreate,
    CertificateRead,
    ImportRead,
    InspectionCreate,
    InspectionRead,
    LicenceConfirm,
    LicenceConfirmed,
    Result,
)
from zhuisu.web.deps import DbSession, Language

router = APIRouter(tags=["inspections"])
_WRITE: dict[int | str, dict[str, Any]] = {400: {}, 401: {}, 403: {}, 409: {}, 422: {}}


@router.post("/inspections", response_model=InspectionRead, status_code=201, responses=_WRITE)
def record_inspection(body: InspectionCreate, actor: CurrentActor, session: DbSession) -> Inspection:
    """Record an inspection or test report (an inspection body, a supervising regulator, the admin)."""
    return service.record_inspection(session, body, actor=actor)


@router.get("/inspections", response_model=list[InspectionRead], responses={400: {}, 401: {}})
def list_inspections(
    party: SignedInParty,
    session: DbSession,
    code: str | None = Query(None, description="Reports on this code or lot (a lot: also its items')."),
    result: Result | None = Query(None, description="pass or fail."),
    limit: int = Query(100, ge=1, le=1000),
) -> list[Inspection]:
    """Reports in the caller's lane, newest first (the desk's 检验检测 page)."""
    return service.list_inspections(session, reader=party, code=code, result=result, limit=limit)


@router.get("/inspections/template.csv", responses={401: {}})
def inspections_template(party: SignedInParty) -> Response:
    """The spreadsheet to fill in: one row per test item, zh-CN headers."""
    return Response(spreadsheet.template(), media_type="text/csv; charset=utf-8")


@router.post("/inspections/import", response_model=ImportRead, status_code=201, responses=_WRITE)
def import_inspections(
    actor: CurrentActor,
    session: DbSession,
    lang: Language,
    file: Annotated[UploadFile, File(description="XLSX or CSV, one row per test item.")],
) -> ImportRead:
    """Record the reports of a spreadsheet: all of them, or none with each bad row's number, column and reason."""
    found = spreadsheet.import_reports(
        session, file.file.read(), file.filename or "upload.xlsx", actor=actor, lang=lang
    )
    return ImportRead(imported=len(found), ids=[r.id for r in found])


@router.get("/inspections/{inspection_id}", response_model=InspectionRead, responses={401: {}, 404: {}})
def get_inspection(inspection_id: str, party: SignedInParty, session: DbSession) -> Inspection:
    return service.get_inspection(session, inspection_id, reader=party)


@router.post("/certificates", response_model=CertificateRead, status_code=201, responses=_WRITE)
def record_certificate(body: CertificateCreate, actor: CurrentActor, session: DbSession) -> Certificate:
    """Register a certificate of a product, lot or item (the issuing or inspection body, a regulator, the admin)."""
    return service.record_certificate(session, body, actor=actor)


@router.get("/certificates", response_model=list[CertificateRead], responses={401: {}})
def list_certificates(party: SignedInParty, session: DbSession) -> list[Certificate]:
    return service.list_certificates(session, reader=party)


@router.post("/licences/{licence_id}/confirm", response_model=LicenceConfirmed, responses=_WRITE | {404: {}})
def confirm_licence(licence_id: str, body: LicenceConfirm, actor: CurrentActor, session: DbSession) -> Licence:
    """The issuing authority (a supervising regulator) confirms a licence and its scope as catalog classes."""
    return service.confirm_licence(session, licence_id, actor=actor, classes=body.classes)
