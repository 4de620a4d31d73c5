"""``GET /trace/{code}/impact`` and the recall exports (``GET /trace/{code}/impact.xlsx``, ``.csv``, ``.jsonld``).
Mounted before trace's ``/trace/{code}``, whose path would otherwise take them."""

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Query
from starlette.responses import Response

from zhuisu.auth.permissions import CurrentActor
from zhuisu.recall import export, service
from zhuisu.trace.schemas import ImpactRead
from zhuisu.web.deps import DbSession

router = APIRouter(tags=["recall"])
_MEDIA = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "csv": "text/csv; charset=utf-8",
    "jsonld": "application/ld+json",
}


@router.get(
    "/trace/{code:path}/impact.{fmt}",
    response_class=Response,
    responses={200: {"content": {media.split(";")[0]: {} for media in _MEDIA.values()}}, 401: {}, 404: {}, 422: {}},
)
def export_impact(
    code: str,
    fmt: Literal["xlsx", "csv", "jsonld"],
    actor: CurrentActor,
    session: DbSession,
    product: str | None = Query(None, description="Only events naming codes of this GTIN (14 digits)."),
    since: datetime | None = Query(None, description="Only events at or after this time."),
    until: datetime | None = Query(None, description="Only events before this time."),
    code_from: str | None = Query(None, description="Only codes ≥ this one (canonical form)."),
    code_to: str | None = Query(None, description="Only codes ≤ this one (canonical form)."),
) -> Response:
    """Everything downstream of the code as an FSMA-204-style sortable spreadsheet (one row per event and code,
    XLSX or CSV) or as an EPCIS 2.0 document."""
    rows = export.Filter(product=product, since=since, until=until, code_from=code_from, code_to=code_to)
    found = service.recall_impact(session, code, viewer=actor)
    body = export.render(session, found, fmt=fmt, where=rows, viewer=actor)
    return Response(
        body, media_type=_MEDIA[fmt], headers={"Content-Disposition": f'attachment; filename="recall-impact.{fmt}"'}
    )


@router.get("/trace/{code:path}/impact", response_model=ImpactRead, responses={401: {}, 404: {}, 422: {}})
def impact(code: str, actor: CurrentActor, session: DbSession) -> ImpactRead:
    """Recall impact: every thing downstream of the code, quantities of its lots, current holders, regions."""
    return service.recall_impact(session, code, viewer=actor)
