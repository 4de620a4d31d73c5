"""Named queries and subscriptions of the GS1 EPCIS 2.0 REST binding: ``/queries``, ``/queries/{name}/events``,
``/queries/{name}/subscriptions``."""

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Body
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from zhuisu.events import routes as events_routes
from zhuisu.events import service as events_service
from zhuisu.events.params import parse_query, positive_int
from zhuisu.kit.time import format_iso
from zhuisu.models import NamedQuery, Subscription
from zhuisu.subscriptions import service
from zhuisu.web.deps import CurrentActor, DbSession, SettingsDep

router = APIRouter(tags=["queries"])


def _query_json(row: NamedQuery) -> dict[str, Any]:
    return {"name": row.name, "query": dict(service.query_params(row)), "createdAt": format_iso(row.created_at)}


def _subscription_json(row: Subscription) -> dict[str, Any]:
    return {
        "subscriptionID": row.id, "queryName": row.query_name, "dest": row.dest, "stream": row.stream,
        "schedule": row.schedule, "reportIfEmpty": row.report_if_empty, "createdAt": format_iso(row.created_at),
    }  # fmt: skip


@router.post("/queries", status_code=201, responses={400: {}, 401: {}, 409: {}})
def create_query(actor: CurrentActor, session: DbSession, body: dict[str, Any] = Body(...)) -> JSONResponse:
    """Store a named query: ``{"name": "...", "query": {"EQ_bizStep": ["shipping"], ...}}``."""
    query = body.get("query") or {}
    params = [
        (str(k), "|".join(str(x) for x in v) if isinstance(v, list) else str(v))
        for k, v in (query.items() if isinstance(query, dict) else [])
    ]
    row = service.create_query(session, owner=actor, name=str(body.get("name", "")), params=params)
    return JSONResponse(_query_json(row), status_code=201, headers={"Location": f"/queries/{row.name}"})


@router.get("/queries", responses={401: {}})
def list_queries(actor: CurrentActor, session: DbSession) -> list[dict[str, Any]]:
    """The named queries of this node."""
    return [_query_json(q) for q in service.list_queries(session)]


@router.get("/queries/{name}", responses={401: {}, 404: {}})
def get_query(name: str, actor: CurrentActor, session: DbSession) -> dict[str, Any]:
    """One named query."""
    return _query_json(service.get_query(session, name))


@router.delete("/queries/{name}", status_code=204, responses={401: {}, 404: {}})
def delete_query(name: str, actor: CurrentActor, session: DbSession) -> Response:
    """Delete a named query and its subscriptions."""
    service.delete_query(session, name, actor=actor)
    return Response(status_code=204)


@router.get("/queries/{name}/events", responses={400: {}, 401: {}, 404: {}})
def query_events(
    request: Request, name: str, actor: CurrentActor, session: DbSession, settings: SettingsDep
) -> Response:
    """Run a named query (paged like ``GET /events``; ``perPage`` and ``nextPageToken`` apply)."""
    row = service.get_query(session, name)
    query = parse_query(service.query_params(row))
    asked = request.query_params.get("perPage")
    per_page = settings.query_default_per_page if asked is None else positive_int("perPage", asked)
    per_page = min(per_page, settings.query_max_per_page)
    page = events_service.query_events(
        session, query, per_page=per_page, page_token=request.query_params.get("nextPageToken"),
        token_ttl=timedelta(seconds=settings.page_token_ttl_seconds),
    )  # fmt: skip
    headers = {}
    if page.next_token:
        headers["Link"] = f'<{request.url.path}?nextPageToken={page.next_token}>; rel="next"'
    document = events_service.query_document(session, page.events, query_name=name)
    return events_routes.render(request, document, headers=headers)


@router.post("/queries/{name}/subscriptions", status_code=201, responses={400: {}, 401: {}, 404: {}})
def subscribe(name: str, actor: CurrentActor, session: DbSession, body: dict[str, Any] = Body(...)) -> JSONResponse:
    """Subscribe a webhook to a named query: ``{"dest": "https://…", "signatureToken": "…", "stream": true}``
    or with a ``schedule``. Notifications are signed with ``GS1-Signature``."""
    row = service.subscribe(
        session, owner=actor, query_name=name, dest=str(body.get("dest", "")),
        signature_token=str(body.get("signatureToken", "")), stream=bool(body.get("stream", not body.get("schedule"))),
        schedule=body.get("schedule"), report_if_empty=bool(body.get("reportIfEmpty", False)),
    )  # fmt: skip
    return JSONResponse(
        _subscription_json(row), status_code=201, headers={"Location": f"/queries/{name}/subscriptions/{row.id}"}
    )


@router.get("/queries/{name}/subscriptions", responses={401: {}, 404: {}})
def list_subscriptions(name: str, actor: CurrentActor, session: DbSession) -> list[dict[str, Any]]:
    """The subscriptions of a named query."""
    return [_subscription_json(s) for s in service.list_subscriptions(session, name)]


@router.delete("/queries/{name}/subscriptions/{subscription_id}", status_code=204, responses={401: {}, 404: {}})
def unsubscribe(name: str, subscription_id: str, actor: CurrentActor, session: DbSession) -> Response:
    """Cancel a subscription (undelivered notifications are dropped with it)."""
    service.unsubscribe(session, subscription_id)
    return Response(status_code=204)
