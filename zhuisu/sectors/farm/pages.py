"""The farm certificate pages: issuing (``/farm/certificates/new``, phone-friendly), the list of the caller's lane
(``/farm/certificates``), the printable certificate with its QR Code (``/farm/certificates/{number}/print``, A6),
the buyer's receive form (``/farm/receive``) and the public page the QR opens (``/farm/c/{number}``). Each calls the
service its JSON twin in ``routes.py`` calls."""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from zhuisu.auth.permissions import SignedIn, to_signin
from zhuisu.auth.service import Caller
from zhuisu.errors import InvalidInput, ZhuisuError
from zhuisu.labels.render import qr_svg
from zhuisu.sectors.farm import service
from zhuisu.sectors.farm.documents import BASIS, COMMITMENTS, UNIT_NAMES
from zhuisu.sectors.farm.schemas import CertificateCreate, ReceiptCreate
from zhuisu.web.deps import DbSession, SettingsDep
from zhuisu.web.rendering import page_language, render

router = APIRouter(include_in_schema=False)


def _vocab() -> dict[str, Any]:
    return {"commitment_names": COMMITMENTS, "basis_names": BASIS, "unit_names": UNIT_NAMES}


def _form(request: Request, caller: Caller, template: str, status: int = 200, **extra: Any) -> Response:
    context = {"party": caller.party, "csrf_token": caller.csrf_token, "error": None, "form": {}, **_vocab(), **extra}
    return render(request, template, context, status=status)


def _number(value: str, field: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise InvalidInput(f"{field}：应为数字", message_en=f"{field}: a number", field=field) from None


@router.get("/farm/certificates", response_class=HTMLResponse, name="farm_certificates")
def list_page(request: Request, session: DbSession, settings: SettingsDep, caller: SignedIn) -> Response:
    """合格证: the certificates in the caller's lane, with what was received under each."""
    if caller is None:
        return to_signin(request)
    rows = service.list_certificates(session, settings, reader=caller.party)
    return _form(request, caller, "farm/list.html", rows=rows)


@router.get("/farm/certificates/new", response_class=HTMLResponse, name="farm_certificate_new")
def new_page(request: Request, caller: SignedIn) -> Response:
    if caller is None:
        return to_signin(request)
    form = {"unit": "kg", "region": caller.party.region or "", "producer_name": caller.party.name}
    return _form(request, caller, "farm/new.html", form=form, today=date.today().isoformat())


@router.post("/farm/certificates/new", name="farm_certificate_issue")
def issue(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    caller: SignedIn,
    product: Annotated[str, Form()] = "",
    gtin: Annotated[str, Form()] = "",
    lot: Annotated[str, Form()] = "",
    lot_code: Annotated[str, Form()] = "",
    quantity: Annotated[str, Form()] = "",
    unit: Annotated[str, Form()] = "kg",
    region: Annotated[str, Form()] = "",
    place: Annotated[str, Form()] = "",
    commitments: Annotated[list[str] | None, Form()] = None,
    basis: Annotated[list[str] | None, Form()] = None,
    producer_name: Annotated[str, Form()] = "",
    phone: Annotated[str, Form()] = "",
    show_phone: Annotated[str, Form()] = "",
) -> Response:
    """Issue a certificate from the form; to its printable page, or the form again with the reason."""
    if caller is None:
        return to_signin(request)
    form = {
        "product": product, "gtin": gtin, "lot": lot, "lot_code": lot_code, "quantity": quantity, "unit": unit,
        "region": region, "place": place, "basis": basis or [], "producer_name": producer_name, "phone": phone,
        "show_phone": show_phone == "on",
    }  # fmt: skip
    try:
        body = CertificateCreate.model_validate(
            {
                "product": product.strip(),
                "gtin": gtin.strip(),
                "lot": lot.strip(),
                "lot_code": lot_code.strip(),
                "quantity": _number(quantity, "quantity"),
                "unit": unit,
                "region": region.strip(),
                "place": place.strip(),
                "commitments": commitments or [],
                "basis": basis or [],
                "producer_name": producer_name.strip(),
                "phone": phone.strip(),
                "show_phone": show_phone == "on",
            }
        )
        with session.begin_nested():
            read = service.issue_certificate(session, settings, body, actor=caller.party)
    except ZhuisuError as exc:
        return _form(request, caller, "farm/new.html", 400, form=form, error=exc.localized(page_language(request)))
    except ValueError as exc:
        return _form(request, caller, "farm/new.html", 400, form=form, error=_first(exc))
    return RedirectResponse(f"/farm/certificates/{read.number}/print", status_code=303)


def _first(exc: ValueError) -> str:
    errors = getattr(exc, "errors", None)
    if callable(errors):
        first = errors()[0]
        return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    return str(exc)


@router.get("/farm/certificates/{number}/print", response_class=HTMLResponse, name="farm_certificate_print")
def print_page(request: Request, session: DbSession, settings: SettingsDep, caller: SignedIn, number: str) -> Response:
    """The printable certificate (A6, the national layout) with its QR Code."""
    if caller is None:
        return to_signin(request)
    read = service.get_certificate(session, settings, number, reader=caller.party)
    context = {"c": read, "qr": qr_svg(read.public_url, scale=4), **_vocab()}
    return render(request, "farm/print.html", context)


@router.get("/farm/receive", response_class=HTMLResponse, name="farm_receive")
def receive_page(request: Request, caller: SignedIn, certificate: str = "") -> Response:
    if caller is None:
        return to_signin(request)
    return _form(request, caller, "farm/receive.html", form={"certificate_number": certificate, "unit": "kg"})


@router.post("/farm/receive", name="farm_receive_submit")
def receive(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    caller: SignedIn,
    certificate_number: Annotated[str, Form()] = "",
    quantity: Annotated[str, Form()] = "",
    unit: Annotated[str, Form()] = "kg",
    site: Annotated[str, Form()] = "",
) -> Response:
    """Record a receipt naming the certificate; the page shows the certificate with its receipts."""
    if caller is None:
        return to_signin(request)
    form = {"certificate_number": certificate_number, "quantity": quantity, "unit": unit, "site": site}
    try:
        body = ReceiptCreate(
            certificate_number=certificate_number.strip() or "-",
            quantity=_number(quantity, "quantity"),
            unit=unit if unit in UNIT_NAMES else "kg",
            site=site,
        )
        with session.begin_nested():
            read = service.receive(session, settings, body, actor=caller.party)
    except ZhuisuError as exc:
        return _form(request, caller, "farm/receive.html", 400, form=form, error=exc.localized(page_language(request)))
    except ValueError as exc:
        return _form(request, caller, "farm/receive.html", 400, form=form, error=_first(exc))
    return _form(request, caller, "farm/receive.html", form={"unit": "kg"}, received=read)


@router.get("/farm/c/{number}", response_class=HTMLResponse, name="farm_certificate_public", responses={404: {}})
def public_page(request: Request, session: DbSession, number: str) -> Response:
    """What the certificate's QR Code opens: the consumer view (product, quantity, origin, producer, commitments,
    date, and the buyers' receipts by region and date)."""
    found = service.public_certificate(session, number)
    if found is None:
        context = {"query": number, "message": "", "title": None}
        return render(request, "portal/not_found.html", context, status=404)
    return render(request, "farm/public.html", {"c": found, **_vocab()})
