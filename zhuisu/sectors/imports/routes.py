"""JSON endpoints of the import lots (``/api/v1/imports``): register a lot, its certificates, domestic sales and
receipts, cross-border e-commerce orders; read the caller's lane. Who sees what: ``permissions``."""

from typing import Any

from fastapi import APIRouter
from starlette.responses import Response

from zhuisu.auth.permissions import CurrentActor, SignedInParty
from zhuisu.sectors.imports import service, spreadsheet
from zhuisu.sectors.imports.schemas import CertificateCreate, LotCreate, LotRead, OrderCreate, ReceiptCreate, SaleCreate
from zhuisu.web.deps import DbSession

router = APIRouter(prefix="/api/v1/imports", tags=["imports"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_WRITE: dict[int | str, dict[str, Any]] = {400: {}, 401: {}, 403: {}, 404: {}, 409: {}, 422: {}}


@router.post("/lots", response_model=LotRead, status_code=201, responses=_WRITE)
def register_lot(body: LotCreate, actor: CurrentActor, session: DbSession) -> LotRead:
    """Register an import lot at entry (an importer): its entry event at the port (``receiving`` with the entry
    inspection certificate, else ``arriving``) carrying the country of origin and the declaration."""
    return service.register_lot(session, body, actor=actor)


@router.get("/lots", response_model=list[LotRead], responses={401: {}})
def list_lots(party: SignedInParty, session: DbSession) -> list[LotRead]:
    """The import lots in the caller's lane, with their certificates, events and orders."""
    return service.list_lots(session, reader=party)


@router.get("/lots.xlsx", response_class=Response, responses={200: {"content": {XLSX: {}}}, 401: {}})
def lots_xlsx(party: SignedInParty, session: DbSession) -> Response:
    headers = {"Content-Disposition": 'attachment; filename="import-lots.xlsx"'}
    return Response(spreadsheet.lots_xlsx(service.list_lots(session, reader=party)), media_type=XLSX, headers=headers)


@router.get("/lots/{number}", response_model=LotRead, responses={401: {}, 404: {}})
def get_lot(number: str, party: SignedInParty, session: DbSession) -> LotRead:
    """One import lot by its customs declaration number."""
    return service.get_lot(session, number, reader=party)


@router.post("/lots/{number}/certificates", response_model=LotRead, status_code=201, responses=_WRITE)
def register_certificate(number: str, body: CertificateCreate, actor: CurrentActor, session: DbSession) -> LotRead:
    """Register an entry inspection certificate that came after the lot (its importer)."""
    return service.register_certificate(session, number, body, actor=actor)


@router.post("/lots/{number}/sales", response_model=LotRead, status_code=201, responses=_WRITE)
def record_sale(number: str, body: SaleCreate, actor: CurrentActor, session: DbSession) -> LotRead:
    """A domestic sale of the lot by its importer (``shipping`` to a buyer or ``retail_selling``)."""
    return service.record_sale(session, number, body, actor=actor)


@router.post("/lots/{number}/receipts", response_model=LotRead, status_code=201, responses=_WRITE)
def record_receipt(number: str, body: ReceiptCreate, actor: CurrentActor, session: DbSession) -> LotRead:
    """The caller's receipt of the lot its importer shipped to it."""
    return service.record_receipt(session, number, body, actor=actor)


@router.post("/lots/{number}/orders", response_model=LotRead, status_code=201, responses=_WRITE)
def record_order(number: str, body: OrderCreate, actor: CurrentActor, session: DbSession) -> LotRead:
    """A cross-border e-commerce order (跨境电商) of the lot by its importer."""
    return service.record_order(session, number, body, actor=actor)
