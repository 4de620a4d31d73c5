"""JSON endpoints of the cold chain (``/api/v1/coldchain``): import a logger's CSV export, list the files imported,
one file with its excursions, the file as submitted. Who sees what: ``permissions``."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, UploadFile
from starlette.responses import Response

from zhuisu.auth.permissions import SignedInParty
from zhuisu.errors import PermissionDenied
from zhuisu.models import Party
from zhuisu.sectors.coldchain import permissions, service
from zhuisu.sectors.coldchain.schemas import LogRead
from zhuisu.web.deps import DbSession

router = APIRouter(prefix="/api/v1/coldchain", tags=["coldchain"])


def importer(party: SignedInParty) -> Party:
    """The signed-in party, when it may import logger files (an enterprise), else 403 — before the body is read."""
    if not permissions.may_import(party):
        raise PermissionDenied(
            "仅企业可以导入自己的温度记录仪数据", message_en="only an enterprise imports its own loggers' data"
        )
    return party


Importer = Annotated[Party, Depends(importer)]
_WRITE: dict[int | str, dict[str, Any]] = {200: {"model": LogRead}, 400: {}, 401: {}, 403: {}, 413: {}}


@router.post("/logs", response_model=LogRead, status_code=201, responses=_WRITE)
async def import_log(
    party: Importer,
    session: DbSession,
    response: Response,
    file: UploadFile,
    codes: Annotated[str, Form(description="What the logger accompanied: item codes, a lot (LGTIN) or an SSCC.")],
    location: Annotated[str, Form(description="The site (GLN) the logger was at.")] = "",
    shipment: Annotated[str, Form(description="On the road: the shipment's (waybill's) number.")] = "",
    device: Annotated[str, Form(description="The logger's id, when the file names none.")] = "",
    step: Annotated[str, Form(description="CBV bizStep: sensor_reporting (default), transporting, storing …")] = "",
) -> LogRead:
    """Record a data logger's CSV export (time, temperature, optionally humidity and device; headers in Chinese or
    English; UTF-8 or GBK) as EPCIS sensor events. A row that cannot be read is a 400 naming its line and column,
    and nothing is stored; the same file again answers the first import with ``duplicate`` (200)."""
    found = service.import_log(
        session,
        await file.read(),
        filename=file.filename or "",
        actor=party,
        codes=codes,
        location=location,
        shipment=shipment,
        device=device,
        step=step,
    )
    if found.duplicate:
        response.status_code = 200
    return found


@router.get("/logs", response_model=list[LogRead], responses={401: {}})
def list_logs(party: SignedInParty, session: DbSession) -> list[LogRead]:
    """The logger files in the caller's lane (an enterprise its own; a regulator its jurisdiction and mandate), newest
    first, each with its readings' extremes and its excursions."""
    return service.list_logs(session, reader=party)


@router.get("/logs/{log_id}", response_model=LogRead, responses={401: {}, 404: {}})
def get_log(log_id: str, party: SignedInParty, session: DbSession) -> LogRead:
    """One logger file (``log_id``: its id in the register of imported files) with its excursions."""
    return service.get_log_read(session, log_id, reader=party)


@router.get(
    "/logs/{log_id}/file", response_class=Response, responses={200: {"content": {"text/csv": {}}}, 401: {}, 404: {}}
)
def log_file(log_id: str, party: SignedInParty, session: DbSession) -> Response:
    """The file exactly as it was submitted."""
    row, _ = service.get_log(session, log_id, reader=party)
    headers = {"Content-Disposition": f'attachment; filename="coldchain-{row.id}.csv"'}
    return Response(row.content, media_type="text/csv", headers=headers)
