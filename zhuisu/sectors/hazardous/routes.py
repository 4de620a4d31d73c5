"""JSON endpoints of the hazardous goods sector (``/api/v1/hazardous``): permits, buyers' identities, electronic
waybills, stock on hand; the reads also as workbooks. Who sees what: ``permissions``."""

from typing import Any, Literal

from fastapi import APIRouter, Query
from starlette.responses import Response

from zhuisu.auth.permissions import CurrentActor, SignedInParty
from zhuisu.sectors.hazardous import service, spreadsheet
from zhuisu.sectors.hazardous.schemas import (
    IdentityCreate,
    IdentityRead,
    PermitCreate,
    PermitRead,
    StockRow,
    WaybillCancel,
    WaybillCreate,
    WaybillRead,
)
from zhuisu.web.deps import DbSession, SettingsDep

router = APIRouter(prefix="/api/v1/hazardous", tags=["hazardous"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_WRITE: dict[int | str, dict[str, Any]] = {400: {}, 401: {}, 403: {}, 409: {}, 422: {}}
StateFilter = Literal["open", "planned", "on_road", "received", "cancelled"]


@router.post("/permits", response_model=PermitRead, status_code=201, responses=_WRITE)
def register_permit(body: PermitCreate, actor: CurrentActor, session: DbSession) -> PermitRead:
    """A permit (生产、经营、储存、运输、使用、购买许可) with its quantity limit; by its holder or the admin."""
    return service.register_permit(session, body, actor=actor)


@router.get("/permits", response_model=list[PermitRead], responses={401: {}})
def list_permits(party: SignedInParty, session: DbSession) -> list[PermitRead]:
    """Permits with a quantity limit in the caller's lane, with what was sold under each."""
    return service.list_permits(session, reader=party)


@router.post("/identities", response_model=IdentityRead, status_code=201, responses=_WRITE)
def register_identity(
    body: IdentityCreate, actor: CurrentActor, session: DbSession, settings: SettingsDep
) -> IdentityRead:
    """Register a buyer's agent by name (实名): the answer's ``identity`` goes into sale events as
    ``zs:buyerIdentity``; the ID number is kept only as its keyed hash."""
    return service.register_identity(session, settings, body, actor=actor)


@router.post("/waybills", response_model=WaybillRead, status_code=201, responses=_WRITE)
def create_waybill(body: WaybillCreate, actor: CurrentActor, session: DbSession) -> WaybillRead:
    """An electronic waybill (电子运单) sent by the caller: bad input is a 400 naming the field."""
    return service.create_waybill(session, body, actor=actor)


@router.post(
    "/waybills/{number}/cancel", response_model=WaybillRead, responses={401: {}, 403: {}, 404: {}, 409: {}, 422: {}}
)
def cancel_waybill(
    number: str, actor: CurrentActor, session: DbSession, body: WaybillCancel | None = None
) -> WaybillRead:
    """Cancel (作废) a waybill not yet received: by its carrier, its consignor or the admin. A cancelled waybill is
    not open (no never-closed alert) and a receipt naming it is unmatched; a received one cannot be cancelled (409)."""
    return service.cancel_waybill(session, number, body, actor=actor)


@router.get("/waybills", response_model=list[WaybillRead], responses={401: {}})
def list_waybills(
    party: SignedInParty,
    session: DbSession,
    state: StateFilter | None = Query(None, description="open (planned or on the road), or one state."),
) -> list[WaybillRead]:
    """Waybills in the caller's lane with their state read from the events (the desk's 在途运单)."""
    return service.list_waybills(session, reader=party, state=state)


@router.get("/waybills.xlsx", response_class=Response, responses={200: {"content": {XLSX: {}}}, 401: {}})
def waybills_xlsx(
    party: SignedInParty, session: DbSession, state: StateFilter | None = Query(None, description="As GET /waybills.")
) -> Response:
    rows = service.list_waybills(session, reader=party, state=state)
    headers = {"Content-Disposition": 'attachment; filename="waybills.xlsx"'}
    return Response(spreadsheet.waybills_xlsx(rows), media_type=XLSX, headers=headers)


@router.get("/stock", response_model=list[StockRow], responses={401: {}})
def stock(party: SignedInParty, session: DbSession) -> list[StockRow]:
    """Hazardous stock on hand per warehouse and product (received − issued − destroyed) and the latest count."""
    return service.stock(session, reader=party)


@router.get("/stock.xlsx", response_class=Response, responses={200: {"content": {XLSX: {}}}, 401: {}})
def stock_xlsx(party: SignedInParty, session: DbSession) -> Response:
    headers = {"Content-Disposition": 'attachment; filename="hazardous-stock.xlsx"'}
    return Response(spreadsheet.stock_xlsx(service.stock(session, reader=party)), media_type=XLSX, headers=headers)
