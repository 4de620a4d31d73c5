"""The canteen pages (signed in): 进货验收 (``/canteen``: the receipt form of a canteen, with today's receipts) and the
daily ledger (``/canteen/ledger``: a canteen its own, a supplier its deliveries, a regulator its district's canteens)
with its workbook. Each calls the service its JSON twin in ``routes.py`` calls."""

from datetime import date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, File, UploadFile
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from zhuisu.auth.permissions import SignedIn, to_signin
from zhuisu.auth.service import Caller
from zhuisu.errors import InvalidInput, ZhuisuError
from zhuisu.kit.time import BEIJING
from zhuisu.sectors.canteen import permissions, service
from zhuisu.sectors.canteen import vocabulary as voc
from zhuisu.sectors.canteen.routes import read_upload
from zhuisu.sectors.canteen.schemas import ProductHint, ReceiptCreate
from zhuisu.web.deps import DbSession, SettingsDep
from zhuisu.web.rendering import page_language, render

router = APIRouter(prefix="/canteen", tags=["canteen"], include_in_schema=False)

#: The form's text fields, as ``ReceiptCreate`` names them.
FIELDS = (
    "supplier",
    "supplier_name",
    "supplier_uscc",
    "code",
    "product_name",
    "spec",
    "quantity",
    "unit",
    "lot",
    "production_date",
    "expiry",
    "origin",
    "invoice_number",
    "certificate_kind",
    "certificate_number",
    "receiver",
    "site",
    "received_at",
)


def _form_page(
    request: Request, session: DbSession, caller: Caller, *, values: dict[str, str], status: int = 200, **extra: Any
) -> Response:
    party = caller.party
    today = service.beijing_today()
    context = {
        "party": party,
        "csrf_token": caller.csrf_token,
        "values": values,
        "sites": service.sites(session, party),
        "suppliers": service.supplier_choices(session),
        "units": voc.UNITS,
        "certificates": {k: name for k, (_, name) in voc.CERTIFICATES.items()},
        "today": today,
        "rows": service.ledger(session, reader=party, since=today, until=today, canteen=party.id).rows,
        "error": None,
        "error_field": None,
        "hint": None,
        **extra,
    }
    return render(request, "canteen/receive.html", context, status=status)


@router.get("", response_class=HTMLResponse, name="canteen")
def receive_page(request: Request, session: DbSession, caller: SignedIn, code: str = "") -> Response:
    """进货验收: the receipt form (``code``: look the product up and fill the form with it) and today's receipts.
    A party that is not a canteen is sent to the ledger it may read."""
    if caller is None:
        return to_signin(request)
    if not permissions.is_canteen(caller.party):
        return RedirectResponse("/canteen/ledger", status_code=303)
    values = {"unit": "KGM", "certificate_kind": "inspection_report"}
    hint: ProductHint | None = None
    error = None
    if code.strip():
        try:
            hint = service.lookup(session, code)
        except ZhuisuError as exc:
            error = exc.localized(page_language(request))
        else:
            values.update(code=code.strip(), product_name=hint.product_name, spec=hint.spec, lot=hint.lot)
    return _form_page(request, session, caller, values=values, hint=hint, error=error)


def _body(values: dict[str, str]) -> ReceiptCreate:
    """The form's values as a receipt body; a value of the wrong shape is InvalidInput naming its field."""
    data: dict[str, Any] = {k: v.strip() for k, v in values.items() if k != "received_at"}
    for key in ("production_date", "expiry", "quantity", "certificate_kind"):
        if not data.get(key):
            data.pop(key, None)
    if "quantity" not in data:
        raise InvalidInput("quantity：请填写数量", message_en="quantity: the quantity is required", field="quantity")
    when = values.get("received_at", "").strip()
    if when:
        try:
            data["received_at"] = datetime.fromisoformat(when).replace(tzinfo=BEIJING)
        except ValueError:
            raise InvalidInput(
                f"received_at：时间「{when}」无效",
                message_en=f"received_at: invalid time {when!r}",
                field="received_at",
            ) from None
    try:
        return ReceiptCreate.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        name = str(first["loc"][0]) if first.get("loc") else "receipt"
        raise InvalidInput(
            f"{name}：输入无效（{first.get('msg', '')}）",
            message_en=f"{name}: invalid ({first.get('msg', '')})",
            field=name,
        ) from None


@router.post("/receipts", name="canteen_receive")
async def receive(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    caller: SignedIn,
    invoice_photo: Annotated[UploadFile | None, File()] = None,
) -> Response:
    """Record a receipt from the form (with an invoice photo, optional); to the day's ledger, or the form again with
    what was wrong (nothing recorded)."""
    if caller is None:
        return to_signin(request)
    form = await request.form()
    values = {k: str(form.get(k) or "") for k in FIELDS}
    lang = page_language(request)
    if not permissions.is_canteen(caller.party):
        return RedirectResponse("/canteen/ledger", status_code=303)
    try:
        upload = None
        if invoice_photo is not None and invoice_photo.filename:
            data = await read_upload(invoice_photo, settings.canteen_photo_max_bytes)
            upload = service.Upload(data, invoice_photo.content_type or "", invoice_photo.filename)
        body = _body(values)
        with session.begin_nested():  # a refused receipt leaves nothing behind, and the page is still read
            row = service.record_receipt(session, settings, body, actor=caller.party, photo=upload)
    except ZhuisuError as exc:
        return _form_page(
            request,
            session,
            caller,
            values=values,
            status=exc.status_code if 400 <= exc.status_code < 500 else 400,
            error=exc.localized(lang),
            error_field=service.find_error(exc),
        )
    return RedirectResponse(f"/canteen/ledger?day={row.day.isoformat()}#r-{row.id}", status_code=303)


@router.get("/ledger", response_class=HTMLResponse, name="canteen_ledger")
def ledger_page(
    request: Request,
    session: DbSession,
    caller: SignedIn,
    day: date | None = None,
    since: date | None = None,
    until: date | None = None,
    canteen: str = "",
) -> Response:
    """采购台账 of a Beijing day (default today) or a range, in the reader's lane, with the links to its workbook."""
    if caller is None:
        return to_signin(request)
    error = None
    try:
        first, last = service.day_range(day, since, until)
    except ZhuisuError as exc:
        error = exc.localized(page_language(request))
        first = last = service.beijing_today()
    found = service.ledger(session, reader=caller.party, since=first, until=last, canteen=canteen)
    query = f"day={first.isoformat()}" if first == last else f"since={first.isoformat()}&until={last.isoformat()}"
    if canteen.strip():
        query += f"&canteen={canteen.strip()}"
    context = {
        "party": caller.party,
        "csrf_token": caller.csrf_token,
        "ledger": found,
        "query": query,
        "canteen": canteen.strip(),
        "is_canteen": permissions.is_canteen(caller.party),
        "certificates": {k: name for k, (_, name) in voc.CERTIFICATES.items()},
        "unit_names": voc.UNITS,
        "error": error,
    }
    return render(request, "canteen/ledger.html", context)
