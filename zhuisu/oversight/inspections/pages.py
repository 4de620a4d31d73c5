"""The desk's 检验检测 page (regulators, signed in): the inspection reports of its lane, failed ones in red with
their failed items. The JSON twin is ``GET /inspections`` (``routes.py``), calling the same service."""

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from zhuisu.auth.permissions import SignedIn, to_signin
from zhuisu.auth.roles import is_regulator
from zhuisu.errors import ZhuisuError
from zhuisu.oversight.inspections import service
from zhuisu.web.deps import DbSession, SettingsDep
from zhuisu.web.rendering import page_language, render

router = APIRouter(prefix="/dashboard", tags=["dashboard"], include_in_schema=False)


@router.get("/inspections", response_class=HTMLResponse, name="dashboard_inspections")
def inspections(
    request: Request, session: DbSession, settings: SettingsDep, caller: SignedIn, result: str = "", code: str = ""
) -> Response:
    """Inspection reports in the regulator's lane, newest first; ``result``: pass or fail; ``code``: a lot or code."""
    if caller is None:
        return to_signin(request)
    if not is_regulator(caller.party, settings):
        context = {"party": caller.party, "csrf_token": caller.csrf_token}
        return render(request, "dashboard/forbidden.html", context, status=403)
    error = None
    try:
        reports = service.list_inspections(
            session,
            reader=caller.party,
            code=code.strip() or None,
            result=result if result in ("pass", "fail") else None,
        )
    except ZhuisuError as exc:
        reports, error = [], exc.localized(page_language(request))
    rows = [{"report": r, "failed": [i for i in r.items if i.get("result") == "fail"]} for r in reports]
    context = {"rows": rows, "result": result, "code": code, "error": error, "csrf_token": caller.csrf_token}
    return render(request, "dashboard/inspections.html", context)
