"""The market's pages: the stall holder's phone page (``/market``: 进货 by scan, 销售 with a receipt, the ledger, and
entries kept offline until the phone is back online), a receipt to print on a 58 mm printer or show on the screen
(``/market/receipts/{number}``, the stall's own), and the consumer's receipt page (``/r/{number}``, public). The
phone page works through the JSON twins in ``routes.py`` (its script sends the session's CSRF token)."""

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from zhuisu.auth.permissions import SignedIn, to_signin
from zhuisu.labels.render import qr_svg
from zhuisu.sectors.market import service
from zhuisu.sectors.market.vocabulary import UNITS
from zhuisu.web.deps import DbSession, SettingsDep
from zhuisu.web.rendering import page_language, render

router = APIRouter(tags=["market"], include_in_schema=False)


def _units(request: Request) -> list[tuple[str, str]]:
    english = page_language(request) == "en"
    return [(key, unit.label[1] if english else unit.label[0]) for key, unit in UNITS.items()]


@router.get("/market", response_class=HTMLResponse, name="market")
def market_page(request: Request, session: DbSession, caller: SignedIn) -> Response:
    """扫码交易: the signed-in stall holder's phone page."""
    if caller is None:
        return to_signin(request)
    stalls = [s for s in service.list_stalls(session, reader=caller.party) if s.holder_id == caller.party.id]
    context = {
        "party": caller.party,
        "csrf_token": caller.csrf_token,
        "stalls": stalls,
        "units": _units(request),
    }
    return render(request, "market/stall.html", context)


@router.get("/market/receipts/{number}", response_class=HTMLResponse, name="market_receipt_print")
def receipt_print(
    request: Request, number: str, session: DbSession, settings: SettingsDep, caller: SignedIn
) -> Response:
    """The receipt as the stall prints it (58 mm): the consumer's view, the price, and the receipt code's QR."""
    if caller is None:
        return to_signin(request)
    read, sale = service.stall_receipt(session, number, reader=caller.party)
    url = f"{settings.base_url.rstrip('/')}/r/{read.receipt}"
    context = {"receipt": read, "sale": sale, "url": url, "qr": qr_svg(url, scale=4), "units": dict(_units(request))}
    return render(request, "market/receipt_print.html", context)


@router.get("/r/{number}", response_class=HTMLResponse, name="market_receipt")
def receipt_page(request: Request, number: str, session: DbSession) -> Response:
    """追溯小票: what a consumer's scan of a receipt code opens (public, the consumer view only)."""
    read = service.receipt(session, number)
    return render(request, "market/receipt.html", {"receipt": read, "units": dict(_units(request))})
