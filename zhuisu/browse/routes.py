"""The top-level browse resources of the GS1 EPCIS 2.0 REST binding (see ``service``): for each of ``eventTypes``,
``epcs``, ``bizSteps``, ``bizLocations``, ``readPoints`` and ``dispositions``, ``GET /{name}`` (the values, paged),
``GET /{name}/{value}`` (its sub-resources) and ``GET /{name}/{value}/events`` (its events, as ``GET /events``).

Values in paths are URL-encoded (``/epcs/urn%3Aepc%3Aid%3Asgtin%3A…``, ``/epcs/https:%2F%2Fid.gs1.org%2F01%2F…``);
any accepted form of a value (EPC URN or Digital Link, CBV word, URN or web URI) names it.
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from zhuisu.auth.permissions import CurrentActor
from zhuisu.browse import service
from zhuisu.browse.service import Resource
from zhuisu.epcis import formats
from zhuisu.events import responses as events_responses
from zhuisu.events.permissions import event_scope
from zhuisu.web import epcis_http
from zhuisu.web.deps import ReadSession, SettingsDep

router = APIRouter(tags=["query"])


def top_level() -> dict[str, Any]:
    """The ``Collection`` of the EPCIS top-level resources (merged into ``GET /``)."""
    return service.collection(list(service.TOP_LEVEL))


@router.delete("/nextPageToken/{token}", status_code=204, responses={401: {}})
def release_page_token(token: str, actor: CurrentActor) -> Response:
    """Release what a ``nextPageToken`` holds (optional in the binding). Page tokens hold nothing on the server
    (each page runs the query again) and expire on their own, so there is nothing to release: 204."""
    return Response(status_code=204)


def _list_endpoint(resource: Resource) -> Callable[..., Response]:
    def list_values(request: Request, actor: CurrentActor, session: ReadSession, settings: SettingsDep) -> Response:
        page = service.list_values(
            session,
            resource,
            per_page=epcis_http.page_size(request, settings),
            page_token=request.query_params.get("nextPageToken"),
            token_ttl=timedelta(seconds=settings.page_token_ttl_seconds),
            scope=event_scope(session, actor),
        )
        headers = epcis_http.next_page_headers(request, f"/{resource.name}", page.next_token, page.token_expires)
        epc_format = formats.negotiate(request.headers).epc
        members = page.members
        if resource.identifiers:
            headers[formats.EPC_FORMAT_HEADER] = epc_format
            if epc_format == "Always_EPC_URN":
                members = [formats.to_epc_urn(m) for m in members]
        return JSONResponse(service.collection(members), headers=headers)

    return list_values


def _events_endpoint(resource: Resource) -> Callable[..., Response]:
    def value_events(
        request: Request, value: str, actor: CurrentActor, session: ReadSession, settings: SettingsDep
    ) -> Response:
        scope = event_scope(session, actor)
        stored = service.known_value(session, resource, value, scope=scope)
        items = service.events_query(resource, stored, request.query_params.multi_items())
        path = f"/{resource.name}/{quote(stored, safe='')}/events"
        return events_responses.events_page(request, session, settings, items, path=path, scope=scope)

    return value_events


def _value_endpoint(resource: Resource) -> Callable[..., dict[str, Any]]:
    def sub_resources(value: str, actor: CurrentActor, session: ReadSession) -> dict[str, Any]:
        service.known_value(session, resource, value, scope=event_scope(session, actor))
        return service.collection(list(service.SUB_RESOURCES))

    return sub_resources


def _register(resource: Resource) -> None:
    name = resource.name
    router.add_api_route(
        f"/{name}",
        _list_endpoint(resource),
        methods=["GET"],
        name=f"list_{name}",
        summary=f"The {name} known to this repository (paged: perPage, nextPageToken, Link rel=next)",
        responses={400: {}, 401: {}},
    )
    # Before /{value}: a value may hold slashes (a Digital Link), so ``…/events`` must be tried first.
    router.add_api_route(
        f"/{name}/{{value:path}}/events",
        _events_endpoint(resource),
        methods=["GET"],
        name=f"{name}_events",
        summary=f"Events of one of the {name}, filtered further by any SimpleEventQuery parameter",
        responses={400: {}, 401: {}, 404: {}, 413: {}},
    )
    router.add_api_route(
        f"/{name}/{{value:path}}",
        _value_endpoint(resource),
        methods=["GET"],
        name=f"{name}_value",
        summary=f"The sub-resources of one of the {name} (its events)",
        responses={401: {}, 404: {}},
    )


for _resource in service.RESOURCES.values():
    _register(_resource)
