"""The query side of the GS1 EPCIS 2.0 REST binding: ``GET /events`` and ``GET /events/{eventID}``."""

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import Response

from zhuisu.auth.permissions import CurrentActor
from zhuisu.events import responses, service
from zhuisu.events.permissions import event_scope
from zhuisu.web import epcis_http
from zhuisu.web.deps import ReadSession, SettingsDep

router = APIRouter(tags=["query"])


@router.get("/events", responses={400: {}, 401: {}, 413: {}})
def query_events(request: Request, actor: CurrentActor, session: ReadSession, settings: SettingsDep) -> Response:
    """Events matching the SimpleEventQuery parameters, as an EPCISQueryDocument, paged with ``perPage`` and
    ``nextPageToken`` (the next page's URL is in the ``Link`` header)."""
    scope = event_scope(session, actor)
    return responses.events_page(request, session, settings, request.query_params.multi_items(), scope=scope)


@router.get("/events/{event_id:path}", responses={401: {}, 404: {}})
def get_event(request: Request, event_id: str, actor: CurrentActor, session: ReadSession) -> Response:
    """One event by its eventID or CBV 2.0 event hash, in an EPCISQueryDocument."""
    event = service.get_event(session, event_id, scope=event_scope(session, actor))
    return epcis_http.render(request, service.query_document(session, [event]), json_type=None)
