"""The hazardous desk pages (signed in): stock on hand by warehouse, and waybills on the road. Each calls the
service its JSON twin in ``routes.py`` calls; a regulator sees its jurisdiction and mandate, an enterprise its own."""

from typing import Literal

from fastapi import APIRouter, Query
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from zhuisu.auth.permissions import SignedIn, to_signin
from zhuisu.sectors.hazardous import service
from zhuisu.web.deps import DbSession
from zhuisu.web.rendering import render

router = APIRouter(prefix="/dashboard/hazardous", tags=["dashboard"], include_in_schema=False)


@router.get("/stock", response_class=HTMLResponse, name="hazardous_stock")
def stock_page(request: Request, session: DbSession, caller: SignedIn) -> Response:
    """危险品库存: on hand per warehouse and product, with the latest count and its difference."""
    if caller is None:
        return to_signin(request)
    rows = service.stock(session, reader=caller.party)
    context = {"rows": rows, "party": caller.party, "csrf_token": caller.csrf_token, "view": "stock"}
    return render(request, "hazardous/desk.html", context)


@router.get("/waybills", response_class=HTMLResponse, name="hazardous_waybills")
def waybills_page(
    request: Request,
    session: DbSession,
    caller: SignedIn,
    state: Literal["open", "received", "cancelled", "all"] = Query("open"),
) -> Response:
    """在途运单: the open waybills (planned or on the road), overdue ones marked; ``state`` also the received, the
    cancelled or all of them."""
    if caller is None:
        return to_signin(request)
    rows = service.list_waybills(session, reader=caller.party, state=None if state == "all" else state)
    context = {
        "waybills": rows,
        "state": state,
        "party": caller.party,
        "csrf_token": caller.csrf_token,
        "view": "waybills",
    }
    return render(request, "hazardous/desk.html", context)
