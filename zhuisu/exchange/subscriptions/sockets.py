"""WebSocket subscriptions of the GS1 EPCIS 2.0 REST binding: ``GET /queries/{name}/events`` (and, equally,
``/queries/{name}/subscriptions``) with ``Upgrade: websocket`` and either ``stream=true`` or schedule parameters
(``second``, ``minute``, ``hour``, ``dayOfMonth``, ``month``, ``dayOfWeek``), plus ``reportIfEmpty`` and
``initialRecordTime``; the handshake's ``GS1-EPC-Format`` header picks the form of the identifiers in its
messages, as for a webhook.

Authentication: ``Authorization: Bearer <token>``, or — for browsers, which cannot set headers on a WebSocket —
the query parameter ``access_token=<token>`` (RFC 6750 §2.3). A refused handshake is answered with the usual
problem+json body and status (401, 404, 400 ``SubscriptionControlsException``) where the server supports
WebSocket denial responses, else closed with code 1008 and the English message as reason.

The connection is a subscription row like a webhook's, with an empty ``dest``: captures queue its notifications
in the durable outbox in the capture transaction (never for a rolled-back capture), and the connection's task
polls the outbox every ``subscriptions_poll_seconds`` and sends each message as one text frame holding an
EPCISQueryDocument — so a capture in any server process reaches a socket held by any other. The task also keeps
the row's heartbeat fresh and runs its schedule when due; the row is deleted when the socket closes (or, if the
process died, swept by a worker after ``scheduler.SOCKET_STALE_AFTER``). ``DELETE`` on the subscription closes
the socket (code 1000).
"""

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import anyio
from fastapi import APIRouter
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker
from starlette.concurrency import run_in_threadpool
from starlette.responses import JSONResponse
from starlette.websockets import WebSocket, WebSocketDisconnect

from zhuisu.auth import service as auth_service
from zhuisu.auth.errors import InvalidToken
from zhuisu.db.session import unit_of_work
from zhuisu.epcis import formats
from zhuisu.errors import NotAuthenticated, ZhuisuError
from zhuisu.exchange.subscriptions import delivery, scheduler, service
from zhuisu.exchange.subscriptions.errors import SubscriptionControlsInvalid
from zhuisu.exchange.subscriptions.schedule import FIELDS
from zhuisu.kit.i18n import pair
from zhuisu.kit.time import parse_iso, utc_now
from zhuisu.models import DeliveryAttempt, OutboxMessage, Subscription
from zhuisu.web.i18n import negotiate

router = APIRouter()

#: Most messages sent per poll (more are sent at once on the next poll, without waiting).
BATCH = 20
_TITLES = {
    400: pair("Subscription error"),
    401: pair("Not authenticated"),
    403: pair("Forbidden"),
    404: pair("Not found"),
}


@router.websocket("/queries/{name}/events")
async def events_socket(websocket: WebSocket, name: str) -> None:
    """Subscribe to the named query over a WebSocket (the binding's path)."""
    await serve(websocket, name)


@router.websocket("/queries/{name}/subscriptions")
async def subscriptions_socket(websocket: WebSocket, name: str) -> None:
    """The same WebSocket subscription, at the subscriptions resource."""
    await serve(websocket, name)


async def serve(websocket: WebSocket, name: str) -> None:
    """Open the subscription, push its notifications until either side closes, then delete it."""
    maker: sessionmaker[Session] = websocket.app.state.sessionmaker
    poll: float = websocket.app.state.settings.subscriptions_poll_seconds
    try:
        sub_id = await run_in_threadpool(
            open_subscription, maker, name, _token(websocket), websocket.query_params, websocket.headers
        )
    except ZhuisuError as exc:
        await _deny(websocket, exc)
        return
    await websocket.accept()
    try:
        async with anyio.create_task_group() as group:
            group.start_soon(_push, websocket, maker, sub_id, _token(websocket), poll, group.cancel_scope)
            await _until_closed(websocket)
            group.cancel_scope.cancel()
    finally:
        with anyio.CancelScope(shield=True):  # also when the server cancels the connection's task
            await run_in_threadpool(close_subscription, maker, sub_id)


def _token(websocket: WebSocket) -> str:
    scheme, _, secret = websocket.headers.get("authorization", "").partition(" ")
    if scheme.lower() == "bearer" and secret.strip():
        return secret.strip()
    return websocket.query_params.get("access_token", "").strip()


def open_subscription(
    maker: sessionmaker[Session],
    name: str,
    token: str,
    params: Mapping[str, str],
    headers: Mapping[str, str] | None = None,
) -> str:
    """Authenticate, check the controls (query string) and ``GS1-EPC-Format`` (``headers``) and store the
    WebSocket subscription; returns its id."""
    with unit_of_work(maker) as session:
        if not token:
            raise NotAuthenticated(
                "缺少访问令牌：请用 Authorization: Bearer 头或 access_token 参数",
                message_en="missing access token: send 'Authorization: Bearer <token>' or ?access_token=",
            )
        actor = auth_service.authenticate(session, token)
        sub = service.subscribe(
            session, owner=actor, query_name=name, dest="", websocket=True,
            epc_format=epc_format(headers or {}), **controls(params),
        )  # fmt: skip
        return sub.id


def controls(params: Mapping[str, str]) -> dict[str, Any]:
    """The subscription controls in a WebSocket handshake's query string."""
    schedule = {field: params[field] for field in FIELDS if field in params}
    initial: datetime | None = None
    if "initialRecordTime" in params:
        try:
            initial = parse_iso(params["initialRecordTime"])
        except ValueError:
            raise SubscriptionControlsInvalid(
                "initialRecordTime 应为带时区的 ISO 8601 时间",
                message_en="initialRecordTime must be an ISO 8601 time with an offset",
                parameter="initialRecordTime",
            ) from None
    return {
        "stream": _flag(params, "stream"),
        "schedule": schedule or None,
        "report_if_empty": _flag(params, "reportIfEmpty"),
        "initial_record_time": initial,
    }


def epc_format(headers: Mapping[str, str]) -> str:
    """The ``GS1-EPC-Format`` a subscribe request asks for (``No_Preference`` when absent; 400 naming the header
    when unknown). ``GS1-CBV-XML-Format`` is not read: notifications are JSON-LD, to which it does not apply."""
    value = headers.get(formats.EPC_FORMAT_HEADER)
    return formats.negotiate({} if value is None else {formats.EPC_FORMAT_HEADER: value}).epc


def _flag(params: Mapping[str, str], name: str) -> bool:
    value = params.get(name, "false").lower()
    if value not in ("true", "false"):
        raise SubscriptionControlsInvalid(
            f"{name} 应为 true 或 false", message_en=f"{name} must be true or false", parameter=name
        )
    return value == "true"


async def _deny(websocket: WebSocket, exc: ZhuisuError) -> None:
    lang = negotiate(websocket.headers.get("accept-language"), websocket.app.state.default_language)
    zh, en = _TITLES.get(exc.status_code, pair("Error"))
    body = {
        "type": exc.problem_type, "title": en if lang == "en" else zh, "status": exc.status_code,
        "detail": exc.localized(lang), "instance": websocket.url.path, "code": exc.code, **exc.problem_members(lang),
    }  # fmt: skip
    if "websocket.http.response" in websocket.scope.get("extensions", {}):
        response = JSONResponse(body, status_code=exc.status_code, media_type="application/problem+json")
        await websocket.send_denial_response(response)
    else:
        await websocket.close(code=1008, reason=exc.message_en.encode()[:120].decode(errors="ignore"))


async def _until_closed(websocket: WebSocket) -> None:
    """Read (and ignore) what the client sends until it disconnects."""
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return


async def _push(
    websocket: WebSocket, maker: sessionmaker[Session], sub_id: str, token: str, poll: float, scope: anyio.CancelScope
) -> None:
    try:
        while True:
            batch = await run_in_threadpool(take_messages, maker, sub_id, token)
            if batch is None:  # unsubscribed (DELETE) or swept
                await websocket.close(code=1000)
                break
            for _, body in batch:
                await websocket.send_text(body)
            if batch:
                await run_in_threadpool(mark_sent, maker, [message_id for message_id, _ in batch])
            if len(batch) < BATCH:
                await anyio.sleep(poll)
    except InvalidToken:  # revoked or expired since the socket opened: nothing more is sent on it
        await websocket.close(code=1008, reason="token revoked")
    except (WebSocketDisconnect, RuntimeError):
        pass
    scope.cancel()


def take_messages(maker: sessionmaker[Session], sub_id: str, token: str) -> list[tuple[int, str]] | None:
    """Refresh the heartbeat, run the schedule if due, and return the next undelivered messages (id, body);
    None when the subscription is gone. Raises InvalidToken (nothing read) when ``token`` was revoked or expired
    since the socket opened — checked at every poll, so a revocation stops the socket within
    ``subscriptions_poll_seconds``."""
    now = utc_now()
    with unit_of_work(maker) as session:
        auth_service.authenticate(session, token)
        sub = session.scalars(select(Subscription).where(Subscription.id == sub_id).with_for_update()).first()
        if sub is None:
            return None
        sub.heartbeat_at = now
        if sub.schedule is not None and sub.next_run_at is not None and sub.next_run_at <= now:
            scheduler.run_subscription(session, sub, now=now)
        messages = session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.subscription_id == sub_id, OutboxMessage.delivered.is_(False))
            .order_by(OutboxMessage.id)
            .limit(BATCH)
        ).all()
        return [(m.id, delivery.notification_body(session, sub, m).decode()) for m in messages]


def mark_sent(maker: sessionmaker[Session], message_ids: list[int]) -> None:
    """Mark messages sent over the socket as delivered, and log them."""
    now = utc_now()
    with unit_of_work(maker) as session:
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(message_ids))
            .values(delivered=True, delivered_at=now, attempts=OutboxMessage.attempts + 1)
        )
        session.add_all(DeliveryAttempt(message_id=i, attempted_at=now, status_code=None, ok=True) for i in message_ids)
        sub_ids = select(OutboxMessage.subscription_id).where(OutboxMessage.id.in_(message_ids))
        session.execute(update(Subscription).where(Subscription.id.in_(sub_ids)).values(last_notified_at=now))


def close_subscription(maker: sessionmaker[Session], sub_id: str) -> None:
    with unit_of_work(maker) as session:
        session.execute(delete(Subscription).where(Subscription.id == sub_id))
