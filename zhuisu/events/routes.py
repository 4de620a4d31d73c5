"""The query side of the GS1 EPCIS 2.0 REST binding: ``GET /events`` and ``GET /events/{eventID}``."""

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from zhuisu.capture.xml import writer, writer12
from zhuisu.config import Settings
from zhuisu.events import formats, service
from zhuisu.events.params import parse_query, positive_int
from zhuisu.kit.time import format_iso
from zhuisu.web.deps import CurrentActor, DbSession, SettingsDep

router = APIRouter(tags=["query"])


@router.get("/events", responses={400: {}, 401: {}, 413: {}})
def query_events(request: Request, actor: CurrentActor, session: DbSession, settings: SettingsDep) -> Response:
    """Events matching the SimpleEventQuery parameters, as an EPCISQueryDocument, paged with ``perPage`` and
    ``nextPageToken`` (the next page's URL is in the ``Link`` header)."""
    return events_page(request, session, settings, request.query_params.multi_items())


def events_page(
    request: Request, session: Session, settings: Settings, items: list[tuple[str, str]], *, path: str | None = None
) -> Response:
    """One page of the events matching the query ``items`` (the browse resources add their path's filter), with
    the ``Link`` to the next page under ``path`` (default: the request's)."""
    params = request.query_params
    query = parse_query(items)
    page = service.query_events(
        session,
        query,
        per_page=page_size(request, settings),
        page_token=params.get("nextPageToken"),
        token_ttl=timedelta(seconds=settings.page_token_ttl_seconds),
    )
    headers = next_page_headers(request, path or request.url.path, page.next_token, page.token_expires)
    return render(request, service.query_document(session, page.events), headers=headers)


def page_size(request: Request, settings: Settings) -> int:
    """The request's ``perPage`` (a positive integer, capped by the settings), or the default page size."""
    if "perPage" not in request.query_params:
        return settings.query_default_per_page
    return min(positive_int("perPage", request.query_params["perPage"]), settings.query_max_per_page)


def next_page_headers(request: Request, path: str, token: str | None, expires: datetime | None) -> dict[str, str]:
    """The binding's ``Link: <…>; rel="next"`` (the request's parameters with the new token) and
    ``GS1-Next-Page-Token-Expires`` headers; none on the last page."""
    if not token or not expires:
        return {}
    rest = [(k, v) for k, v in request.query_params.multi_items() if k != "nextPageToken"]
    url = f"{path}?{urlencode([*rest, ('nextPageToken', token)])}"
    return {"Link": f'<{url}>; rel="next"', "GS1-Next-Page-Token-Expires": format_iso(expires)}


@router.get("/events/{event_id:path}", responses={401: {}, 404: {}})
def get_event(request: Request, event_id: str, actor: CurrentActor, session: DbSession) -> Response:
    """One event by its eventID or CBV 2.0 event hash, in an EPCISQueryDocument."""
    return render(request, service.query_document(session, [service.get_event(session, event_id)]), json_type=None)


def wants_xml(request: Request) -> bool:
    """Whether the client asked for XML (``Accept: application/xml`` or ``text/xml``) before JSON."""
    accept = request.headers.get("accept", "").lower()
    ranked = [part.split(";")[0].strip() for part in accept.split(",")]
    xml = [i for i, media in enumerate(ranked) if media in ("application/xml", "text/xml")]
    json = [i for i, media in enumerate(ranked) if media in ("application/json", "application/ld+json")]
    return bool(xml) and (not json or xml[0] < json[0])


def render(
    request: Request,
    document: dict[str, Any],
    *,
    headers: dict[str, str] | None = None,
    json_type: str | None = "application/ld+json",
) -> Response:
    """A query document as JSON-LD, or as EPCIS 2.0 XML when the client asks for XML (EPCIS 1.2 XML when it also
    sends ``GS1-EPCIS-Version: 1.2.0``), with its identifiers and CBV values in the forms ``GS1-EPC-Format`` /
    ``GS1-CBV-XML-Format`` ask for."""
    xml = wants_xml(request)
    chosen = formats.negotiate(request.headers)
    document = formats.apply(document, chosen, xml=xml)
    headers = {**(headers or {}), **formats.response_headers(chosen, xml=xml)}
    if xml and request.headers.get("gs1-epcis-version", "").strip() in ("1.2", "1.2.0"):
        headers["GS1-EPCIS-Version"] = "1.2.0"
        return Response(writer12.write_document(document).xml, headers=headers, media_type="application/xml")
    if xml:
        return Response(writer.write_document(document), headers=headers, media_type="application/xml")
    if json_type is None or "application/ld+json" not in request.headers.get("accept", "").lower():
        # The binding documents application/json; JSON-LD's own type only for a client that asks for it.
        return JSONResponse(document, headers=headers)
    return JSONResponse(document, headers=headers, media_type=json_type)
