"""The regulator desk's recall board (召回看板): the recalls in the regulator's lane with their completion, and each
recall's holders. The JSON twins are the API (``GET /recalls``, ``GET /recalls/{id}``), calling the same service."""

from collections.abc import Callable
from datetime import datetime
from zoneinfo import ZoneInfo

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from zhuisu.auth.permissions import SignedIn, to_signin
from zhuisu.auth.roles import is_regulator
from zhuisu.auth.service import Caller
from zhuisu.kit.i18n import cpair, pair
from zhuisu.recall import orders
from zhuisu.web.deps import DbSession, SettingsDep
from zhuisu.web.rendering import render

router = APIRouter(prefix="/dashboard/recalls", tags=["dashboard"], include_in_schema=False)
#: How the desk names a holder's status, a step of the timeline (zh, en).
HOLDER_STATUSES = {
    "pending": pair("pending"),
    "partial": pair("partial"),
    "confirmed": pair("confirmed"),
    "overdue": pair("overdue"),
}
MOMENTS = {
    "issued": pair("issued"),
    "quarantined": pair("quarantined"),
    "returned": pair("returned"),
    "destroyed": pair("destroyed"),
    "closed": cpair("recall step", "closed"),
}
NAMES = {
    "kind": {"voluntary": pair("voluntary"), "ordered": pair("ordered")},
    "level": {1: pair("level 1"), 2: pair("level 2"), 3: pair("level 3")},
    "status": {"open": cpair("recall", "open"), "closed": cpair("recall", "closed")},
}


def _regulator(request: Request, caller: Caller | None) -> Caller | Response:
    if caller is None:
        return to_signin(request)
    if not is_regulator(caller.party, request.app.state.settings):
        context = {"party": caller.party, "csrf_token": caller.csrf_token}
        return render(request, "dashboard/forbidden.html", context, status=403)
    return caller


def _local(zone: ZoneInfo) -> Callable[[datetime | None], str]:
    def local(moment: datetime | None) -> str:
        return moment.astimezone(zone).strftime("%Y-%m-%d %H:%M") if moment else "—"

    return local


@router.get("", response_class=HTMLResponse, name="dashboard_recalls")
def board(request: Request, session: DbSession, settings: SettingsDep, caller: SignedIn, status: str = "") -> Response:
    """召回看板: the recalls of the regulator's lane (jurisdiction ∩ mandate, or issued by it), newest first, each
    with its completion bar."""
    regulator = _regulator(request, caller)
    if isinstance(regulator, Response):
        return regulator
    chosen = status if status in ("open", "closed") else None
    recalls = orders.list_recalls(session, reader=regulator.party, status=chosen)
    context = {
        "recalls": recalls,
        "status": chosen or "",
        "names": NAMES,
        "local": _local(ZoneInfo(settings.portal_timezone)),
        "csrf_token": regulator.csrf_token,
    }
    return render(request, "recall/board.html", context)


@router.get("/{recall_id}", response_class=HTMLResponse, name="dashboard_recall")
def detail(request: Request, session: DbSession, settings: SettingsDep, caller: SignedIn, recall_id: str) -> Response:
    """A recall: the order, its completion, the holders' table (quantity out and confirmed, status), the timeline,
    and its report."""
    regulator = _regulator(request, caller)
    if isinstance(regulator, Response):
        return regulator
    read = orders.get_recall(session, recall_id, reader=regulator.party)
    context = {
        "r": read,
        "names": NAMES,
        "holder_statuses": HOLDER_STATUSES,
        "moments": MOMENTS,
        "local": _local(ZoneInfo(settings.portal_timezone)),
        "csrf_token": regulator.csrf_token,
    }
    return render(request, "recall/detail.html", context)
