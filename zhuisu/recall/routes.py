"""``GET /trace/{code}/impact`` and the recall exports (``GET /trace/{code}/impact.xlsx``, ``.csv``, ``.jsonld``).
Mounted before trace's ``/trace/{code}``, whose path would otherwise take them."""

from datetime import datetime
from typing import Literal

from fastapi import APIRouter, Query
from starlette.responses import Response

from zhuisu.auth.permissions import CurrentActor, SignedInParty
from zhuisu.recall import export, orders, report, service
from zhuisu.recall.schemas import RecallClose, RecallCreate, RecallRead, RecallSummary
from zhuisu.trace.schemas import ImpactRead
from zhuisu.web.deps import DbSession, ReadSession

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
    session: ReadSession,
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
def impact(code: str, actor: CurrentActor, session: ReadSession) -> ImpactRead:
    """Recall impact: every thing downstream of the code, quantities of its lots, current holders, regions."""
    return service.recall_impact(session, code, viewer=actor)


_MEDIA_REPORT = {"xlsx": _MEDIA["xlsx"], "pdf": "application/pdf"}


@router.post("/recalls", status_code=201, response_model=RecallRead, responses={400: {}, 401: {}, 403: {}, 422: {}})
def issue_recall(order: RecallCreate, party: SignedInParty, session: DbSession) -> RecallRead:
    """Issue a recall: voluntary (主动召回) by the brand owner, ordered (责令召回) by a regulator whose jurisdiction
    and mandate cover it. Snapshots the impact, tells each holder (its console), publishes the notice on the
    product page of every thing reached."""
    recall = orders.issue_recall(session, issuer=party, order=order)
    return orders.get_recall(session, recall.id, reader=party)


@router.get("/recalls", response_model=list[RecallSummary], responses={401: {}})
def list_recalls(
    party: SignedInParty,
    session: DbSession,
    status: Literal["open", "closed"] | None = Query(None, description="Only open or closed recalls."),
) -> list[RecallSummary]:
    """The recalls in the caller's lane (issued, owned, supervised, or naming it as a holder), newest first."""
    return orders.list_recalls(session, reader=party, status=status)


@router.get("/recalls/{recall_id}", response_model=RecallRead, responses={401: {}, 404: {}})
def read_recall(recall_id: str, party: SignedInParty, session: DbSession) -> RecallRead:
    """A recall with its impact, holders (quantity out and confirmed, status), completion and timeline; a holder
    sees its own lines."""
    return orders.get_recall(session, recall_id, reader=party)


@router.post("/recalls/{recall_id}/close", response_model=RecallRead, responses={401: {}, 403: {}, 404: {}, 409: {}})
def close_recall(
    recall_id: str, party: SignedInParty, session: DbSession, body: RecallClose | None = None
) -> RecallRead:
    """Close a recall: the completion it closes at is kept, with what remains unconfirmed (the report)."""
    return orders.close_recall(session, recall_id, actor=party, note=body.note if body else "")


@router.get("/recalls/{recall_id}/report.{report_format}", responses={401: {}, 403: {}, 404: {}, 422: {}})
def recall_report(
    recall_id: str, report_format: Literal["xlsx", "pdf"], party: SignedInParty, session: DbSession
) -> Response:
    """The recall's report (XLSX or PDF): the order, the holders' lines, the timeline, the unconfirmed remainder."""
    recall = orders.find_for_report(session, recall_id, reader=party)
    body = report.render(session, recall, fmt=report_format)
    name = f"recall-{recall.id}.{report_format}"
    return Response(
        body, media_type=_MEDIA_REPORT[report_format], headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
