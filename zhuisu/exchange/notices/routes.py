"""``/notices/hooks``: a party's webhooks for the platform's notices to it (``recall``), and their delivery log."""

from fastapi import APIRouter
from starlette.responses import Response

from zhuisu.auth.permissions import CurrentActor
from zhuisu.exchange import outbound
from zhuisu.exchange.notices import service
from zhuisu.exchange.notices.errors import HookInvalid
from zhuisu.exchange.notices.schemas import HookCreate, HookCreated, HookRead, NoticeRead
from zhuisu.web.deps import DbSession, SettingsDep

router = APIRouter(tags=["notices"])


@router.post("/notices/hooks", status_code=201, response_model=HookCreated, responses={400: {}, 401: {}})
def create_hook(body: HookCreate, actor: CurrentActor, session: DbSession, settings: SettingsDep) -> HookCreated:
    """Register a webhook for the caller's notices: ``recall`` — a recall names the caller as a holder (what, why,
    how much of it the caller holds, the deadline), or such a recall was closed. Each notice is POSTed as JSON,
    signed ``Zhuisu-Signature: sha256=<HMAC-SHA256 of the body>`` under the hook's token (shown in this answer
    only), retried with backoff until a 2xx answer."""
    problem = outbound.destination_problem(body.dest, settings.subscriptions_allowed_hosts)
    if body.dest.startswith(("http://", "https://")) and problem is not None:
        raise HookInvalid(
            f"不能向该地址发送通知：{problem}（可由管理员在 subscriptions_allowed_hosts 中放行）",
            message_en=f"notices cannot be sent there: {problem} (an admin may allow it in "
            "subscriptions_allowed_hosts)",
            parameter="dest",
        )
    hook = service.create_hook(
        session, owner=actor, dest=body.dest, topics=body.topics, signature_token=body.signature_token
    )
    return HookCreated.model_validate(hook)


@router.get("/notices/hooks", response_model=list[HookRead], responses={401: {}})
def list_hooks(actor: CurrentActor, session: DbSession) -> list[HookRead]:
    """The caller's hooks (every one, for the admin)."""
    return [HookRead.model_validate(h) for h in service.list_hooks(session, actor=actor)]


@router.delete("/notices/hooks/{hook_id}", status_code=204, responses={401: {}, 403: {}, 404: {}})
def delete_hook(hook_id: str, actor: CurrentActor, session: DbSession) -> Response:
    """Remove one of the caller's hooks; its undelivered notices go with it."""
    service.delete_hook(session, hook_id, actor=actor)
    return Response(status_code=204)


@router.get("/notices/hooks/{hook_id}/notices", response_model=list[NoticeRead], responses={401: {}, 403: {}, 404: {}})
def list_notices(hook_id: str, actor: CurrentActor, session: DbSession) -> list[NoticeRead]:
    """A hook's notices, newest first (at most 100): the body sent, attempts, the last answer, delivered when."""
    return [NoticeRead.model_validate(n) for n in service.messages(session, hook_id, actor=actor)]
