"""The import lots pages (signed in): the list of the caller's lane with the importer's registration form
(``/imports/lots``), one lot with its certificates, events and orders and the importer's forms to register a
certificate, a sale or a cross-border e-commerce order (``/imports/lots/{number}``). Each calls the service its JSON
twin in ``routes.py`` calls."""

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Form
from pydantic import ValidationError
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from zhuisu.auth.permissions import SignedIn, to_signin
from zhuisu.auth.service import Caller
from zhuisu.errors import ZhuisuError
from zhuisu.sectors.imports import permissions, service
from zhuisu.sectors.imports.countries import countries
from zhuisu.sectors.imports.schemas import CertificateCreate, LotCreate, OrderCreate, SaleCreate
from zhuisu.web.deps import DbSession
from zhuisu.web.rendering import page_language, render

router = APIRouter(include_in_schema=False)


def _problem(request: Request, exc: Exception) -> str:
    if isinstance(exc, ZhuisuError):
        return exc.localized(page_language(request))
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    return str(exc)


def _list(request: Request, session: DbSession, caller: Caller, status: int = 200, **extra: Any) -> Response:
    context = {
        "party": caller.party,
        "csrf_token": caller.csrf_token,
        "lots": service.list_lots(session, reader=caller.party),
        "importer": permissions.may_import(caller.party),
        "countries": countries(),
        "error": None,
        "form": {},
        "today": date.today().isoformat(),
        **extra,
    }
    return render(request, "imports/list.html", context, status=status)


@router.get("/imports/lots", response_class=HTMLResponse, name="imports_lots")
def list_page(request: Request, session: DbSession, caller: SignedIn) -> Response:
    """进口批次: the lots in the caller's lane; an importer registers one here."""
    if caller is None:
        return to_signin(request)
    return _list(request, session, caller)


@router.post("/imports/lots", name="imports_register")
async def register(request: Request, session: DbSession, caller: SignedIn) -> Response:
    """Register a lot from the form; to its page, or the list with the reason."""
    if caller is None:
        return to_signin(request)
    form = {k: str(v) for k, v in (await request.form()).items() if k != "csrf_token"}
    try:
        body = LotCreate.model_validate(form)
        with session.begin_nested():
            read = service.register_lot(session, body, actor=caller.party)
    except (ZhuisuError, ValidationError) as exc:
        return _list(request, session, caller, 400, form=form, error=_problem(request, exc))
    return RedirectResponse(f"/imports/lots/{read.declaration}", status_code=303)


def _lot(
    request: Request, session: DbSession, caller: Caller, number: str, status: int = 200, **extra: Any
) -> Response:
    read = service.get_lot(session, number, reader=caller.party)
    context = {
        "party": caller.party,
        "csrf_token": caller.csrf_token,
        "lot": read,
        "importer": read.importer_id == caller.party.id,
        "error": None,
        **extra,
    }
    return render(request, "imports/lot.html", context, status=status)


@router.get("/imports/lots/{number}", response_class=HTMLResponse, name="imports_lot")
def lot_page(request: Request, session: DbSession, caller: SignedIn, number: str) -> Response:
    if caller is None:
        return to_signin(request)
    return _lot(request, session, caller, number)


_FORMS = {"certificates": CertificateCreate, "sales": SaleCreate, "orders": OrderCreate}


@router.post("/imports/lots/{number}/{action}", name="imports_lot_action")
def lot_action(
    request: Request,
    session: DbSession,
    caller: SignedIn,
    number: str,
    action: str,
    certificate_number: Annotated[str, Form()] = "",
    kind: Annotated[str, Form()] = "retail_selling",
    buyer: Annotated[str, Form()] = "",
    quantity: Annotated[str, Form()] = "0",
    order_number: Annotated[str, Form()] = "",
    platform: Annotated[str, Form()] = "",
) -> Response:
    """The importer's forms on a lot: ``certificates``, ``sales`` or ``orders``."""
    if caller is None:
        return to_signin(request)
    if action not in _FORMS:
        return _lot(request, session, caller, number, 404)
    try:
        with session.begin_nested():
            if action == "certificates":
                service.register_certificate(
                    session, number, CertificateCreate(number=certificate_number), actor=caller.party
                )
            elif action == "sales":
                body = SaleCreate.model_validate({"kind": kind, "buyer": buyer, "quantity": quantity})
                service.record_sale(session, number, body, actor=caller.party)
            else:
                order = OrderCreate.model_validate(
                    {"order_number": order_number, "quantity": quantity, "platform": platform}
                )
                service.record_order(session, number, order, actor=caller.party)
    except (ZhuisuError, ValidationError) as exc:
        if isinstance(exc, ZhuisuError) and exc.status_code == 404:
            raise
        return _lot(request, session, caller, number, 400, error=_problem(request, exc))
    return RedirectResponse(f"/imports/lots/{number}", status_code=303)
