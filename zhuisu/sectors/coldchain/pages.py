"""The cold-chain page (signed in, ``/coldchain``): an enterprise imports a logger's CSV export and sees its files;
a regulator (or the admin) sees the files of its lane and their excursions. Each calls the service the JSON twin in
``routes.py`` calls."""

from typing import Annotated

from fastapi import APIRouter, Form, UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response

from zhuisu.auth import service as auth_service
from zhuisu.auth.permissions import SignedIn, to_signin
from zhuisu.errors import ZhuisuError
from zhuisu.sectors.coldchain import documents, permissions, service
from zhuisu.sectors.coldchain.schemas import LogRead
from zhuisu.web.deps import DbSession
from zhuisu.web.rendering import page_language, render

router = APIRouter(prefix="/coldchain", tags=["coldchain"], include_in_schema=False)


def _page(
    request: Request,
    session: DbSession,
    caller: auth_service.Caller,
    *,
    imported: LogRead | None = None,
    error: str | None = None,
    status: int = 200,
) -> Response:
    context = {
        "party": caller.party,
        "csrf_token": caller.csrf_token,
        "may_import": permissions.may_import(caller.party),
        "logs": service.list_logs(session, reader=caller.party),
        "steps": documents.STEPS,
        "imported": imported,
        "error": error,
    }
    return render(request, "coldchain/index.html", context, status=status)


@router.get("", response_class=HTMLResponse, name="coldchain_page")
def page(request: Request, session: DbSession, caller: SignedIn) -> Response:
    """冷链温度记录: the import form (an enterprise) and the logger files in the caller's lane with their excursions."""
    if caller is None:
        return to_signin(request)
    return _page(request, session, caller)


@router.post("/logs", response_class=HTMLResponse, name="coldchain_import")
async def import_log(
    request: Request,
    session: DbSession,
    caller: SignedIn,
    file: UploadFile,
    codes: Annotated[str, Form()] = "",
    location: Annotated[str, Form()] = "",
    shipment: Annotated[str, Form()] = "",
    device: Annotated[str, Form()] = "",
    step: Annotated[str, Form()] = "",
) -> Response:
    """Import a logger file; the page says what was recorded, or why nothing was (the line and column)."""
    if caller is None:
        return to_signin(request)
    data = await file.read()
    try:
        with session.begin_nested():  # a refused file leaves nothing behind, and the page is still read
            found = service.import_log(
                session,
                data,
                filename=file.filename or "",
                actor=caller.party,
                codes=codes,
                location=location,
                shipment=shipment,
                device=device,
                step=step,
            )
    except ZhuisuError as exc:
        return _page(request, session, caller, error=exc.localized(page_language(request)), status=exc.status_code)
    return _page(request, session, caller, imported=found)
