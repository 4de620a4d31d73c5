"""JSON endpoints of the market room (``/api/v1/market``): stalls, looking a code up (typed or in a photo),
purchases and sales (each sent again after being offline is answered as a duplicate, 200, never stored twice), a
stall's ledger, and a receipt's consumer view. Who sees what: ``permissions``."""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, UploadFile
from starlette.responses import Response

from zhuisu.auth.permissions import SignedInParty
from zhuisu.errors import TooLarge
from zhuisu.sectors.market import service
from zhuisu.sectors.market.schemas import (
    EntryRead,
    LedgerRead,
    LookupRead,
    PurchaseCreate,
    ReceiptRead,
    SaleCreate,
    ScanRead,
    StallCreate,
    StallRead,
)
from zhuisu.web.deps import DbSession, SettingsDep

router = APIRouter(prefix="/api/v1/market", tags=["market"])
_WRITE: dict[int | str, dict[str, Any]] = {400: {}, 401: {}, 403: {}, 409: {}, 422: {}}
Since = Annotated[date | None, Query(description="First day (Beijing), default 6 days before until.")]
Until = Annotated[date | None, Query(description="Last day (Beijing), default today.")]
StallQuery = Annotated[str | None, Query(description="A stall id (default: the caller's only stall).")]


@router.get("/stalls", response_model=list[StallRead], responses={401: {}})
def list_stalls(party: SignedInParty, session: DbSession) -> list[StallRead]:
    """The stalls in the caller's lane: its own, its markets', or (a regulator) its jurisdiction's."""
    return service.list_stalls(session, reader=party)


@router.post("/stalls", response_model=StallRead, status_code=201, responses=_WRITE)
def register_stall(body: StallCreate, party: SignedInParty, session: DbSession) -> StallRead:
    """Register a stall at a market: by the market's operator (or the admin)."""
    return service.register_stall(session, body, actor=party)


@router.get("/lookup", response_model=LookupRead, responses={400: {}, 401: {}})
def look_up(
    party: SignedInParty,
    session: DbSession,
    code: str = Query(description="The code as scanned or typed."),
    stall: StallQuery = None,
) -> LookupRead:
    """What a code is, for a purchase at the caller's stall: product, lot, supplier, the shipment's documents."""
    return service.look_up(session, code, actor=party, stall=stall)


@router.post("/scan", response_model=ScanRead, responses={400: {}, 401: {}, 413: {}})
def scan(
    party: SignedInParty,
    session: DbSession,
    settings: SettingsDep,
    image: Annotated[UploadFile, File(description="A photo of the supplier's label.")],
    stall: Annotated[str | None, Form()] = None,
) -> ScanRead:
    """The codes in a photo of a label (decoded on the server), the first one looked up as ``GET /lookup`` does."""
    data = image.file.read(settings.scan_max_image_bytes + 1)
    if len(data) > settings.scan_max_image_bytes:
        raise TooLarge(
            f"图片超过上限 {settings.scan_max_image_bytes} 字节",
            message_en=f"the image exceeds {settings.scan_max_image_bytes} bytes",
            field="image",
        )
    return service.scan(session, data, actor=party, stall=stall)


@router.post("/purchases", response_model=EntryRead, status_code=201, responses=_WRITE | {200: {}})
def record_purchase(body: PurchaseCreate, party: SignedInParty, session: DbSession, response: Response) -> EntryRead:
    """A purchase by scan (进货) at the caller's stall; 200 with ``duplicate`` for an entry sent before."""
    read = service.record_purchase(session, body, actor=party)
    response.status_code = 200 if read.duplicate else 201
    return read


@router.get("/purchases", response_model=list[EntryRead], responses={400: {}, 401: {}})
def list_purchases(
    party: SignedInParty, session: DbSession, since: Since = None, until: Until = None, stall: StallQuery = None
) -> list[EntryRead]:
    """Purchases in the caller's lane, newest first; a supplier also sees those of its goods."""
    return service.list_entries(session, reader=party, kind="purchase", since=since, until=until, stall=stall)


@router.post("/sales", response_model=EntryRead, status_code=201, responses=_WRITE | {200: {}})
def record_sale(body: SaleCreate, party: SignedInParty, session: DbSession, response: Response) -> EntryRead:
    """A retail sale (销售) of a lot bought at the caller's stall, with its receipt number; 200 with ``duplicate``
    for an entry sent before."""
    read = service.record_sale(session, body, actor=party)
    response.status_code = 200 if read.duplicate else 201
    return read


@router.get("/sales", response_model=list[EntryRead], responses={400: {}, 401: {}})
def list_sales(
    party: SignedInParty, session: DbSession, since: Since = None, until: Until = None, stall: StallQuery = None
) -> list[EntryRead]:
    """Sales in the caller's lane, newest first."""
    return service.list_entries(session, reader=party, kind="sale", since=since, until=until, stall=stall)


@router.get("/ledger", response_model=LedgerRead, responses={400: {}, 401: {}, 404: {}})
def ledger(
    party: SignedInParty, session: DbSession, since: Since = None, until: Until = None, stall: StallQuery = None
) -> LedgerRead:
    """A stall's ledger: purchases and sales by day, and on hand per lot."""
    return service.ledger(session, reader=party, stall=stall, since=since, until=until)


@router.get("/receipts/{number}", response_model=ReceiptRead, responses={400: {}, 404: {}})
def read_receipt(number: str, session: DbSession) -> ReceiptRead:
    """A receipt's consumer view (public): stall, market, time, product, quantity, the lot's product page."""
    return service.receipt(session, number)
