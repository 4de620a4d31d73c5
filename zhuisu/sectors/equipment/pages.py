"""The special equipment pages: the regulator desk's register of a district (``/dashboard/equipment``; its JSON
twin ``GET /api/v1/equipment``, its workbook ``GET /api/v1/equipment.xlsx``) and the public scan page of one piece
(``/e/{code}``, 一梯一码 / 一瓶一码; its JSON twin ``GET /api/v1/portal/equipment/{code}``)."""

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from zhuisu.auth.permissions import SignedIn, to_signin
from zhuisu.auth.roles import is_regulator
from zhuisu.codes._regions import find_regions
from zhuisu.errors import InvalidInput
from zhuisu.sectors.equipment import service
from zhuisu.sectors.equipment.lifecycle import CONDITIONS, RESULT_NAMES
from zhuisu.web.deps import DbSession, SettingsDep
from zhuisu.web.rendering import render

router = APIRouter(include_in_schema=False)
#: Rows the desk lists (the counts are of all; the workbook holds every row).
PAGE = 500


@router.get("/dashboard/equipment", response_class=HTMLResponse, name="dashboard_equipment")
def desk(
    request: Request,
    session: DbSession,
    settings: SettingsDep,
    caller: SignedIn,
    region: str = "",
    class_id: str = "",
    condition: str = "",
) -> Response:
    """特种设备: the register of the regulator's district (its jurisdiction and mandate), by condition."""
    if caller is None:
        return to_signin(request)
    if not is_regulator(caller.party, settings):
        context = {"party": caller.party, "csrf_token": caller.csrf_token}
        return render(request, "dashboard/forbidden.html", context, status=403)
    found = find_regions(region.strip()) if region.strip() and not region.strip().isdigit() else []
    code = found[0] if found else region.strip()
    error = None
    try:
        page = service.list_equipment(
            session, caller.party, settings, region=code, class_id=class_id, condition_key=condition, limit=PAGE
        )
    except InvalidInput as exc:
        error = exc.message
        page = service.list_equipment(session, caller.party, settings, region=code, class_id=class_id, limit=PAGE)
    context = {
        "page": page,
        "filters": {"region": region, "class_id": class_id, "condition": condition},
        "conditions": CONDITIONS,
        "results": RESULT_NAMES,
        "error": error,
        "csrf_token": caller.csrf_token,
    }
    return render(request, "equipment/desk.html", context)


@router.get("/e/{code:path}", response_class=HTMLResponse, name="equipment_page", responses={404: {}})
def public_page(request: Request, session: DbSession, settings: SettingsDep, code: str) -> Response:
    """一梯一码 / 一瓶一码: a scan of the equipment's code shows anybody its registration, last inspection and next
    due, maintenance unit and last visit, and its status in plain Chinese, with a report button."""
    found = service.public_view(session, code, settings)
    if found is None:
        context = {"query": code, "message": "", "title": None}
        return render(request, "portal/not_found.html", context, status=404)
    return render(
        request, "equipment/public.html", {"e": found, "results": RESULT_NAMES, "query": found.label, "story": None}
    )
