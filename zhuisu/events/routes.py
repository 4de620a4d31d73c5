"""The query side of the GS1 EPCIS 2.0 REST binding: ``GET /events`` and ``GET /events/{eventID}``."""

from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse

from zhuisu.events import service
from zhuisu.events.params import parse_query, positive_int
from zhuisu.kit.time import format_iso
from zhuisu.web.deps import CurrentActor, DbSession, SettingsDep

router = APIRouter(tags=["query"])


@router.get("/events", responses={400: {}, 401: {}, 413: {}})
def query_events(request: Request, actor: CurrentActor, session: DbSession, settings: SettingsDep) -> JSONResponse:
    """Events matching the SimpleEventQuery parameters, as an EPCISQueryDocument, paged with ``perPage`` and
    ``nextPageToken`` (the next page's URL is in the ``Link`` header)."""
    params = request.query_params
    query = parse_query(params.multi_items())
    per_page = settings.query_default_per_page
    if "perPage" in params:
        per_page = min(positive_int("perPage", params["perPage"]), settings.query_max_per_page)
    page = service.query_events(
        session,
        query,
        per_page=per_page,
        page_token=params.get("nextPageToken"),
        token_ttl=timedelta(seconds=settings.page_token_ttl_seconds),
    )
    headers: dict[str, str] = {}
    if page.next_token and page.token_expires:
        rest = [(k, v) for k, v in params.multi_items() if k != "nextPageToken"]
        url = f"{request.url.path}?{urlencode([*rest, ('nextPageToken', page.next_token)])}"
        headers["Link"] = f'<{url}>; rel="next"'
        headers["GS1-Next-Page-Token-Expires"] = format_iso(page.token_expires)
    return JSONResponse(service.query_document(session, page.events), headers=headers, media_type="application/ld+json")


@router.get("/events/{event_id:path}", responses={401: {}, 404: {}})
def get_event(event_id: str, actor: CurrentActor, session: DbSession) -> dict[str, Any]:
    """One event by its eventID or CBV 2.0 event hash, in an EPCISQueryDocument."""
    return service.query_document(session, [service.get_event(session, event_id)])
