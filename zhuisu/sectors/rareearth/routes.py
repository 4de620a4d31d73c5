"""JSON endpoints of the rare earth sector (``/api/v1/rareearth``): quotas (the authority's), what a producer
records (mining output, separation, sales, receipts: each one EPCIS event), and the quota used per producer (also
as a workbook). Who sees what: ``permissions``."""

from typing import Any

from fastapi import APIRouter, Query
from starlette.responses import Response

from zhuisu.auth.permissions import CurrentActor, SignedInParty
from zhuisu.sectors.rareearth import recording, service, spreadsheet
from zhuisu.sectors.rareearth.schemas import (
    MiningCreate,
    QuotaCreate,
    QuotaRead,
    ReceiptCreate,
    RecordedRead,
    SaleCreate,
    SeparationCreate,
    UsageRow,
)
from zhuisu.web.deps import DbSession

router = APIRouter(prefix="/api/v1/rareearth", tags=["rareearth"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_WRITE: dict[int | str, dict[str, Any]] = {400: {}, 401: {}, 403: {}, 422: {}}
YEAR = Query(None, ge=2000, le=2100, description="The quota year (default: this year, Beijing).")


@router.post("/quotas", response_model=QuotaRead, status_code=201, responses=_WRITE)
def register_quota(body: QuotaCreate, actor: CurrentActor, session: DbSession) -> QuotaRead:
    """A producer's annual quota (总量控制指标), or a revision replacing the one in force for its year and kind: by
    a regulator whose jurisdiction and mandate (rare earth) cover the producer, or the admin."""
    return service.register_quota(session, body, actor=actor)


@router.get("/quotas", response_model=list[QuotaRead], responses={401: {}, 422: {}})
def list_quotas(
    party: SignedInParty,
    session: DbSession,
    year: int | None = Query(None, ge=2000, le=2100, description="Only this year's."),
    history: bool = Query(False, description="Also the revisions replaced."),
) -> list[QuotaRead]:
    """The quotas in the caller's lane (a producer its own; a regulator its jurisdiction and mandate)."""
    return service.list_quotas(session, reader=party, year=year, history=history)


@router.get("/usage", response_model=list[UsageRow], responses={401: {}, 422: {}})
def usage(party: SignedInParty, session: DbSession, year: int | None = YEAR) -> list[UsageRow]:
    """The quota used per producer and kind in a year: produced and sold against the quota (%, remaining)."""
    return service.usage_rows(session, reader=party, year=year)


@router.get("/usage.xlsx", response_class=Response, responses={200: {"content": {XLSX: {}}}, 401: {}, 422: {}})
def usage_xlsx(party: SignedInParty, session: DbSession, year: int | None = YEAR) -> Response:
    rows = service.usage_rows(session, reader=party, year=year)
    headers = {"Content-Disposition": 'attachment; filename="rare-earth-quotas.xlsx"'}
    return Response(spreadsheet.usage_xlsx(rows), media_type=XLSX, headers=headers)


@router.post("/mining", response_model=RecordedRead, status_code=201, responses=_WRITE)
def record_mining(body: MiningCreate, actor: CurrentActor, session: DbSession) -> RecordedRead:
    """Mining output at the caller's mine: a lot of ore or concentrate with its REO content."""
    return recording.record_mining(session, body, actor=actor)


@router.post("/separation", response_model=RecordedRead, status_code=201, responses=_WRITE)
def record_separation(body: SeparationCreate, actor: CurrentActor, session: DbSession) -> RecordedRead:
    """Smelting and separation at the caller's plant: lots in, separated lots out; refused (400, field
    ``outputs``) when the outputs hold more REO than the inputs beyond the tolerance."""
    return recording.record_separation(session, body, actor=actor)


@router.post("/sales", response_model=RecordedRead, status_code=201, responses=_WRITE)
def record_sale(body: SaleCreate, actor: CurrentActor, session: DbSession) -> RecordedRead:
    """A sale: rare earth products shipped from the caller's site to a buyer, naming the invoice."""
    return recording.record_sale(session, body, actor=actor)


@router.post("/receipts", response_model=RecordedRead, status_code=201, responses=_WRITE)
def record_receipt(body: ReceiptCreate, actor: CurrentActor, session: DbSession) -> RecordedRead:
    """A receipt at the caller's site of rare earth products a seller shipped."""
    return recording.record_receipt(session, body, actor=actor)
