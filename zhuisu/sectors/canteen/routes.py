"""JSON endpoints of the canteen procurement ledger (``/api/v1/canteen``): receipts (进货验收), invoice photos, the
ledger of a day or a range and its workbook, and what a code tells of a product. Who sees what: ``permissions``."""

from datetime import date
from typing import Any

from fastapi import APIRouter, File, Query, UploadFile
from starlette.requests import Request
from starlette.responses import Response

from zhuisu.auth.permissions import CurrentActor, SignedInParty
from zhuisu.errors import InvalidInput, TooLarge
from zhuisu.sectors.canteen import service, spreadsheet
from zhuisu.sectors.canteen.schemas import LedgerRead, PhotoRead, ProductHint, ReceiptCreate, ReceiptRead
from zhuisu.web.deps import DbSession, SettingsDep
from zhuisu.web.rendering import page_language

router = APIRouter(prefix="/api/v1/canteen", tags=["canteen"])
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_WRITE: dict[int | str, dict[str, Any]] = {400: {}, 401: {}, 403: {}, 413: {}}
_DAY = Query(None, description="One Beijing day (YYYY-MM-DD); none of day, since, until: today.")
_SINCE = Query(None, description="First Beijing day of a range (at most 366 days).")
_UNTIL = Query(None, description="Last Beijing day of the range.")
_CANTEEN = Query("", max_length=32, description="Only this canteen (party id).")


async def read_upload(upload: UploadFile, limit: int) -> bytes:
    """The file's bytes; TooLarge past ``limit`` (read no further than one byte over it)."""
    data = await upload.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(
            f"票据照片超过上限 {limit} 字节",
            message_en=f"the invoice photo exceeds {limit} bytes",
            field="invoice_photo",
        )
    return data


@router.post("/photos", response_model=PhotoRead, status_code=201, responses=_WRITE)
async def upload_photo(
    actor: CurrentActor, session: DbSession, settings: SettingsDep, photo: UploadFile = File(...)
) -> PhotoRead:
    """Upload an invoice (票据) photo (multipart field ``photo``; an image or a PDF, at most
    ``canteen_photo_max_bytes``): kept byte for byte; name its ``sha256`` as a receipt's ``invoice_photo``."""
    data = await read_upload(photo, settings.canteen_photo_max_bytes)
    upload = service.Upload(data, photo.content_type or "", photo.filename or "")
    return service.store_photo(session, settings, upload, actor=actor)


@router.get(
    "/photos/{sha256}", response_class=Response, responses={200: {"content": {"image/*": {}}}, 401: {}, 404: {}}
)
def get_photo(sha256: str, party: SignedInParty, session: DbSession) -> Response:
    """An invoice photo by the SHA-256 of its bytes, byte for byte: to its uploader and whoever sees a
    ledger row naming it; else 404."""
    found = service.get_photo(session, sha256, reader=party)
    return Response(found.data, media_type=found.content_type, headers={"Cache-Control": "private, no-store"})


@router.post("/receipts", response_model=ReceiptRead, status_code=201, responses=_WRITE)
def record_receipt(body: ReceiptCreate, actor: CurrentActor, session: DbSession, settings: SettingsDep) -> ReceiptRead:
    """进货验收 by the caller (a canteen): the supplier's licence checked on the day, the receiving event recorded at
    the canteen's site, its ledger row back. Bad input is a 400 naming the field; nothing is recorded."""
    return service.record_receipt(session, settings, body, actor=actor)


def _range(day: date | None, since: date | None, until: date | None) -> tuple[date, date]:
    return service.day_range(day, since, until)


@router.get("/ledger", response_model=LedgerRead, responses={400: {}, 401: {}})
def ledger(
    party: SignedInParty,
    session: DbSession,
    day: date | None = _DAY,
    since: date | None = _SINCE,
    until: date | None = _UNTIL,
    canteen: str = _CANTEEN,
) -> LedgerRead:
    """采购台账: the receipts of a Beijing day (or a range) the caller sees — a canteen its own, a supplier its
    deliveries, a regulator the canteens of its jurisdiction and mandate."""
    first, last = _range(day, since, until)
    return service.ledger(session, reader=party, since=first, until=last, canteen=canteen)


@router.get("/ledger.xlsx", response_class=Response, responses={200: {"content": {XLSX: {}}}, 400: {}, 401: {}})
def ledger_xlsx(
    request: Request,
    party: SignedInParty,
    session: DbSession,
    day: date | None = _DAY,
    since: date | None = _SINCE,
    until: date | None = _UNTIL,
    canteen: str = _CANTEEN,
) -> Response:
    """The same rows as a workbook, with the columns inspections ask for (日期、品名、规格、数量/单位、供货者、
    许可证号及核验结果、生产日期/批号、保质期、票据号、检验合格证明、验收人, and the canteen)."""
    first, last = _range(day, since, until)
    found = service.ledger(session, reader=party, since=first, until=last, canteen=canteen)
    headers = {"Content-Disposition": f'attachment; filename="{spreadsheet.filename(found)}"'}
    body = spreadsheet.ledger_xlsx(found, lang=page_language(request))
    return Response(body, media_type=XLSX, headers=headers)


@router.get("/lookup", response_model=ProductHint, responses={400: {}, 401: {}})
def lookup(
    party: SignedInParty,
    session: DbSession,
    code: str = Query("", max_length=500, description="A GTIN, a lot (GTIN + AI 10), a zhuisu code …"),
) -> ProductHint:
    """What a scanned or typed code tells of the product (name, spec, lot, class, the lot's registered inspection
    report): the receipt form fills itself with it."""
    if not code.strip():
        raise InvalidInput("code：请提供产品码", message_en="code: a code is required", field="code")
    return service.lookup(session, code)
