"""Code issuance over HTTP: ``POST /codes/issue``, batches and their label sheets, ``GET /codes/{code}``.

``GET /codes/{code}`` takes any code, Digital Link URIs with their slashes included, so this router must be
included after ``zhuisu.issuance.codes_routes`` (whose ``/codes/{code}/label.png`` would otherwise be read as a code).
"""

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from zhuisu.auth.permissions import CurrentActor
from zhuisu.issuance import permissions, service
from zhuisu.issuance.schemas import BatchRead, CodeCheckRead, IssueCreate, IssuedBatchRead
from zhuisu.labels.sheet import Symbology
from zhuisu.web.deps import DbSession, SettingsDep

router = APIRouter(tags=["codes"])
_ERRORS: dict[int | str, dict[str, str]] = {
    401: {"description": "No valid bearer token."},
    422: {"description": "A field is invalid; the problem document names it in `field`."},
}


@router.post("/codes/issue", status_code=201, response_model=IssuedBatchRead, responses=_ERRORS)
def issue(body: IssueCreate, actor: CurrentActor, session: DbSession, settings: SettingsDep) -> IssuedBatchRead:
    """Issue codes (赋码) for the caller's product and lot, and record their commissioning events."""
    issued = service.issue_codes(
        session,
        party=actor,
        gtin=body.gtin,
        product_code=body.product,
        product_name=body.product_name,
        lot=body.lot,
        production_date=body.production_date,
        expiry=body.expiry,
        count=body.count,
        limits=service.Limits(max_count=settings.issue_max_count, event_epc_limit=settings.issue_event_epc_limit),
    )
    return IssuedBatchRead.model_validate(
        {**BatchRead.model_validate(issued.batch).model_dump(), "codes": issued.codes}
    )


@router.get("/codes/batches/{batch_id}", response_model=IssuedBatchRead, responses={**_ERRORS, 403: {}, 404: {}})
def batch(batch_id: str, actor: CurrentActor, session: DbSession) -> IssuedBatchRead:
    """A batch the caller issued, with its codes."""
    found = service.get_batch(session, batch_id, actor=actor)
    return IssuedBatchRead.model_validate(
        {**BatchRead.model_validate(found).model_dump(), "codes": service.batch_codes(found)}
    )


@router.get(
    "/codes/batches/{batch_id}/labels.pdf", response_class=Response, responses={**_ERRORS, 403: {}, 404: {}, 413: {}}
)
def batch_labels(
    batch_id: str,
    actor: CurrentActor,
    session: DbSession,
    settings: SettingsDep,
    symbology: Annotated[Symbology, Query(description="qr (default) or datamatrix/gs1_qr for GS1 codes")] = "qr",
) -> Response:
    """The batch's labels on A4 sheets (24 per page): symbol, code and product name, Chinese text embedded."""
    pdf = service.batch_labels_pdf(session, batch_id, actor=actor, settings=settings, symbology=symbology)
    return Response(
        pdf, media_type="application/pdf", headers={"Content-Disposition": f'inline; filename="labels-{batch_id}.pdf"'}
    )


@router.get("/codes/{code:path}", response_model=CodeCheckRead, responses=_ERRORS)
def check(code: str, actor: CurrentActor, session: DbSession) -> CodeCheckRead:
    """Recognise one code (any scheme; never an error for a foreign one) and say whether this node issued it; the
    batch it was issued in only to those who may read the batch (its party, its issuer, the admin)."""
    found = service.check_code(session, code)
    shown = found.batch is not None and permissions.may_read_batch(actor, found.batch)
    batch_read = BatchRead.model_validate(found.batch) if shown else None
    return CodeCheckRead(**found.recognition.to_json(), issued_here=found.batch is not None, batch=batch_read)
