"""EPCIS query answers over HTTP, for every route that answers with events (``GET /events``, the browse
resources, named queries): one page of the events matching a query, with the binding's paging headers."""

from datetime import timedelta

from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response

from zhuisu.config import Settings
from zhuisu.epcis.query.params import parse_query
from zhuisu.events import service
from zhuisu.events.permissions import EventScope
from zhuisu.web import epcis_http


def events_page(
    request: Request,
    session: Session,
    settings: Settings,
    items: list[tuple[str, str]],
    *,
    scope: EventScope,
    path: str | None = None,
) -> Response:
    """One page of the events in ``scope`` matching the query ``items`` (the browse resources add their path's
    filter), with the ``Link`` to the next page under ``path`` (default: the request's)."""
    params = request.query_params
    query = parse_query(items)
    page = service.query_events(
        session,
        query,
        per_page=epcis_http.page_size(request, settings),
        page_token=params.get("nextPageToken"),
        token_ttl=timedelta(seconds=settings.page_token_ttl_seconds),
        scope=scope,
    )
    headers = epcis_http.next_page_headers(request, path or request.url.path, page.next_token, page.token_expires)
    return epcis_http.render(request, service.query_document(session, page.events), headers=headers)
