"""Named queries and subscriptions of the GS1 EPCIS 2.0 REST binding: ``/queries``, ``/queries/{name}/events``,
``/queries/{name}/subscriptions``."""

from datetime import timedelta
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Body
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from zhuisu.auth.permissions import CurrentActor
from zhuisu.epcis.query.params import parse_query, positive_int
from zhuisu.events import service as events_service
from zhuisu.events.permissions import event_scope
from zhuisu.exchange import outbound
from zhuisu.exchange.subscriptions import permissions, service, sockets
from zhuisu.exchange.subscriptions.errors import SubscriptionControlsInvalid, UnsafeCallback
from zhuisu.kit.time import format_iso
from zhuisu.models import NamedQuery, Subscription
from zhuisu.web import epcis_http
from zhuisu.web.deps import DbSession, SettingsDep

router = APIRouter(tags=["queries"])


def _query_json(row: NamedQuery) -> dict[str, Any]:
    return {"name": row.name, "query": dict(service.query_params(row)), "createdAt": format_iso(row.created_at)}


def _subscription_json(row: Subscription) -> dict[str, Any]:
    out: dict[str, Any] = {
        "subscriptionID": row.id, "queryName": row.query_name, "dest": row.dest, "stream": row.stream,
        "schedule": row.schedule, "reportIfEmpty": row.report_if_empty, "createdAt": format_iso(row.created_at),
        "epcFormat": row.epc_format,
    }  # fmt: skip
    for key, value in (
        ("initialRecordTime", row.initial_record_time),
        ("lastNotifiedAt", row.last_notified_at),
        ("nextRunAt", row.next_run_at),
    ):
        if value is not None:
            out[key] = format_iso(value)
    return out


@router.post("/queries", status_code=201, responses={400: {}, 401: {}, 409: {}})
def create_query(actor: CurrentActor, session: DbSession, body: dict[str, Any] = Body(...)) -> JSONResponse:
    """Store a named query: ``{"name": "...", "query": {"EQ_bizStep": ["shipping"], ...}}``."""
    query = body.get("query") or {}
    params = [
        (str(k), "|".join(str(x) for x in v) if isinstance(v, list) else str(v))
        for k, v in (query.items() if isinstance(query, dict) else [])
    ]
    row = service.create_query(session, owner=actor, name=str(body.get("name", "")), params=params)
    return JSONResponse(_query_json(row), status_code=201, headers={"Location": f"/queries/{quote(row.name, safe='')}"})


@router.get("/queries", responses={401: {}})
def list_queries(actor: CurrentActor, session: DbSession) -> list[dict[str, Any]]:
    """The named queries of this node."""
    return [_query_json(q) for q in service.list_queries(session, actor=actor)]


@router.get("/queries/{name}", responses={401: {}, 403: {}, 404: {}})
def get_query(name: str, actor: CurrentActor, session: DbSession) -> dict[str, Any]:
    """One named query."""
    row = service.get_query(session, name)
    permissions.check_query(actor, row)
    return _query_json(row)


@router.delete("/queries/{name}", status_code=204, responses={401: {}, 403: {}, 404: {}})
def delete_query(name: str, actor: CurrentActor, session: DbSession) -> Response:
    """Delete a named query and its subscriptions."""
    service.delete_query(session, name, actor=actor)
    return Response(status_code=204)


@router.get("/queries/{name}/events", responses={400: {}, 401: {}, 403: {}, 404: {}})
def query_events(
    request: Request, name: str, actor: CurrentActor, session: DbSession, settings: SettingsDep
) -> Response:
    """Run a named query (paged like ``GET /events``; ``perPage`` and ``nextPageToken`` apply)."""
    row = service.get_query(session, name)
    permissions.check_query(actor, row)
    query = parse_query(service.query_params(row))
    asked = request.query_params.get("perPage")
    per_page = settings.query_default_per_page if asked is None else positive_int("perPage", asked)
    per_page = min(per_page, settings.query_max_per_page)
    page = events_service.query_events(
        session, query, per_page=per_page, page_token=request.query_params.get("nextPageToken"),
        token_ttl=timedelta(seconds=settings.page_token_ttl_seconds), scope=event_scope(session, actor),
    )  # fmt: skip
    headers = {}
    if page.next_token:
        headers["Link"] = f'</queries/{quote(name, safe="")}/events?nextPageToken={page.next_token}>; rel="next"'
    document = events_service.query_document(session, page.events, query_name=name)
    return epcis_http.render(request, document, headers=headers)


@router.post("/queries/{name}/subscriptions", status_code=201, responses={400: {}, 401: {}, 403: {}, 404: {}})
def subscribe(
    request: Request,
    name: str,
    actor: CurrentActor,
    session: DbSession,
    settings: SettingsDep,
    body: dict[str, Any] = Body(...),
) -> JSONResponse:
    """Subscribe a webhook to a named query: ``{"dest": "https://…", "signatureToken": "…", "stream": true}``, or
    with a ``schedule`` (``{"hour": "1", "minute": "5"}``) instead of ``stream``; optionally ``reportIfEmpty`` and
    ``initialRecordTime``. Notifications are signed with ``GS1-Signature``; the ``GS1-EPC-Format`` header picks
    the form of their identifiers (``epcFormat``). A WebSocket subscription is a ``GET`` on
    ``/queries/{name}/events`` with ``Upgrade: websocket``."""
    epc_format = sockets.epc_format(request.headers)
    controls = _webhook_controls(body)
    permissions.check_query(actor, service.get_query(session, name))
    _check_callback(controls["dest"], settings.subscriptions_allowed_hosts)
    row = service.subscribe(session, owner=actor, query_name=name, epc_format=epc_format, **controls)
    # Absolute: the binding types this Location ``format: uri``.
    location = f"{str(request.base_url).rstrip('/')}/queries/{quote(name, safe='')}/subscriptions/{row.id}"
    return JSONResponse(_subscription_json(row), status_code=201, headers={"Location": location})


def _check_callback(dest: str, allowed: list[str]) -> None:
    """A callback must reach a public address, or one the admin allow-listed (a malformed ``dest`` is the
    service's to report)."""
    if not dest.startswith(("http://", "https://")):
        return
    problem = outbound.destination_problem(dest, allowed)
    if problem is not None:
        raise UnsafeCallback(
            f"不能向该地址发送通知：{problem}（可由管理员在 subscriptions_allowed_hosts 中放行）",
            message_en=f"notifications cannot be sent there: {problem} (an admin may allow it in "
            "subscriptions_allowed_hosts)",
            parameter="dest",
        )


def _webhook_controls(body: dict[str, Any]) -> dict[str, Any]:
    for flag in ("stream", "reportIfEmpty"):
        if not isinstance(body.get(flag, False), bool):
            raise SubscriptionControlsInvalid(
                f"{flag} 应为布尔值", message_en=f"{flag} must be a boolean", parameter=flag
            )
    for text in ("dest", "signatureToken", "initialRecordTime"):
        if not isinstance(body.get(text, ""), str):
            raise SubscriptionControlsInvalid(
                f"{text} 应为字符串", message_en=f"{text} must be a string", parameter=text
            )
    controls = sockets.controls({"initialRecordTime": body["initialRecordTime"]} if "initialRecordTime" in body else {})
    return {
        "dest": body.get("dest", ""), "signature_token": body.get("signatureToken", ""),
        "stream": body.get("stream", False), "schedule": body.get("schedule"),
        "report_if_empty": body.get("reportIfEmpty", False), "initial_record_time": controls["initial_record_time"],
    }  # fmt: skip


@router.get("/queries/{name}/subscriptions", responses={401: {}, 403: {}, 404: {}})
def list_subscriptions(name: str, actor: CurrentActor, session: DbSession) -> list[dict[str, Any]]:
    """The active subscriptions of a named query (webhook and WebSocket)."""
    return [_subscription_json(s) for s in service.list_subscriptions(session, name, actor=actor)]


@router.get("/queries/{name}/subscriptions/{subscription_id}", responses={401: {}, 403: {}, 404: {}})
def get_subscription(name: str, subscription_id: str, actor: CurrentActor, session: DbSession) -> dict[str, Any]:
    """One subscription (the signature token is never returned)."""
    row = service.get_subscription(session, name, subscription_id)
    permissions.check_subscription(actor, row)
    return _subscription_json(row)


@router.delete(
    "/queries/{name}/subscriptions/{subscription_id}", status_code=204, responses={401: {}, 403: {}, 404: {}}
)
def unsubscribe(name: str, subscription_id: str, actor: CurrentActor, session: DbSession) -> Response:
    """Cancel a subscription (undelivered notifications are dropped with it; a WebSocket one is closed)."""
    permissions.check_subscription(actor, service.get_subscription(session, name, subscription_id))
    service.unsubscribe(session, name, subscription_id)
    return Response(status_code=204)


router.include_router(sockets.router)
