"""JSON twins of the public portal pages (``/api/v1/portal``): the same service calls, public schemas only."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query
from starlette.requests import Request
from starlette.responses import Response

from zhuisu.portal import complaints, stories
from zhuisu.portal import service as portal_service
from zhuisu.portal.pages import freshness, stored_response
from zhuisu.portal.schemas import ComplaintAck, ComplaintCreate, PublicProductRead, SearchRead
from zhuisu.portal.state import rate_limit
from zhuisu.web.deps import DbSession
from zhuisu.web.rendering import page_language

router = APIRouter(prefix="/api/v1/portal", tags=["portal"], dependencies=[Depends(rate_limit)])


@router.get("/products/{code:path}", response_model=PublicProductRead, responses={304: {}, 404: {}, 429: {}})
def product(request: Request, code: str) -> Response:
    """The public story of a code (a path like ``01/06901234022229/10/L1`` is read as a Digital Link), from the
    story read model, with an entity tag."""
    if code.split("/", 1)[0] in portal_service.PRIMARY_KEYS:
        code = portal_service.digital_link(code)
    page = stories.load(request.app.state.sessionmaker, code, "json", freshness=freshness(request))
    return stored_response(request, page, tag="json", media_type="application/json")


@router.get("/search", response_model=SearchRead, responses={429: {}})
def search(q: Annotated[str, Query(max_length=4096)] = "") -> SearchRead:
    """What a search-box query is, and its canonical code."""
    return portal_service.search(q)


@router.post("/complaints", response_model=ComplaintAck, status_code=201, responses={400: {}, 429: {}})
def file_complaint(request: Request, session: DbSession, data: ComplaintCreate) -> ComplaintAck:
    """File a complaint or report; the answer carries the reference number to quote later."""
    return complaints.acknowledgement(complaints.file_complaint(session, data, language=page_language(request)))


@router.get("/complaints/{reference}", response_model=ComplaintAck, responses={404: {}, 429: {}})
def complaint_status(session: DbSession, reference: str) -> ComplaintAck:
    """Where a complaint stands, by its reference number (what the person who filed it may see)."""
    return complaints.acknowledgement(complaints.get_complaint(session, reference))
