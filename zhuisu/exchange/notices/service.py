"""Notice hooks and their outbox: register, list, remove; notices queued in the transaction that decided them.

``queue_recall_notices`` receives recall's ``holders_notified`` signal (``zhuisu.app.wiring``): each holder the
recall names that registered a hook for the ``recall`` topic gets one outbox row per hook, in the recall's
transaction — so a notice exists exactly when its recall does. ``delivery`` sends them after commit.
"""

import secrets
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuisu.auth.roles import is_admin
from zhuisu.exchange.notices import permissions
from zhuisu.exchange.notices.errors import HookInvalid, HookNotFound
from zhuisu.models import NoticeHook, NoticeMessage, Party

#: The topics a hook may take: ``recall`` (a recall names the party as a holder; the recall closed).
TOPICS = ("recall",)
#: Most hooks one party may register.
MAX_HOOKS = 20


def create_hook(
    session: Session, *, owner: Party, dest: str, topics: Sequence[str], signature_token: str | None = None
) -> NoticeHook:
    """Register ``dest`` for ``owner``'s notices of ``topics``; without a token one is made (returned once, in the
    answer). Raises HookInvalid naming the field."""
    if not dest.startswith(("https://", "http://")) or len(dest) > 2000:
        raise HookInvalid(
            "通知地址应为 http(s):// 开头、不超过 2000 个字符的网址",
            message_en="dest must be an http(s):// URL of at most 2,000 characters",
            parameter="dest",
        )
    unknown = sorted(set(topics) - set(TOPICS))
    if not topics or unknown:
        raise HookInvalid(
            f"通知主题应为 {'、'.join(TOPICS)} 中的一个或几个" + (f"，而不是 {'、'.join(unknown)}" if unknown else ""),
            message_en=f"topics must be one or more of {', '.join(TOPICS)}"
            + (f", not {', '.join(unknown)}" if unknown else ""),
            parameter="topics",
        )
    held = len(list(session.scalars(select(NoticeHook.id).where(NoticeHook.owner_id == owner.id))))
    if held >= MAX_HOOKS:
        raise HookInvalid(
            f"每个主体最多登记 {MAX_HOOKS} 个通知地址", message_en=f"at most {MAX_HOOKS} hooks per party",
            parameter="dest",
        )  # fmt: skip
    hook = NoticeHook(
        owner_id=owner.id,
        dest=dest,
        topics=sorted(set(topics)),
        signature_token=signature_token if signature_token is not None else secrets.token_urlsafe(32),
    )
    session.add(hook)
    session.flush()
    return hook


def get_hook(session: Session, hook_id: str, *, actor: Party) -> NoticeHook:
    """Raises HookNotFound, NotYourHook."""
    hook = session.get(NoticeHook, hook_id)
    if hook is None:
        raise HookNotFound(f"没有通知地址 {hook_id}", message_en=f"no notice hook {hook_id}")
    permissions.check_hook(actor, hook)
    return hook


def list_hooks(session: Session, *, actor: Party) -> list[NoticeHook]:
    """The caller's hooks (every one, for the admin), oldest first."""
    statement = select(NoticeHook).order_by(NoticeHook.created_at, NoticeHook.id)
    if not is_admin(actor):
        statement = statement.where(NoticeHook.owner_id == actor.id)
    return list(session.scalars(statement))


def delete_hook(session: Session, hook_id: str, *, actor: Party) -> None:
    """Remove a hook; its undelivered notices go with it."""
    session.delete(get_hook(session, hook_id, actor=actor))
    session.flush()


def messages(session: Session, hook_id: str, *, actor: Party, limit: int = 100) -> list[NoticeMessage]:
    """A hook's notices, newest first: what was sent, when, and how delivery went (the delivery log)."""
    hook = get_hook(session, hook_id, actor=actor)
    return list(
        session.scalars(
            select(NoticeMessage).where(NoticeMessage.hook_id == hook.id).order_by(NoticeMessage.id.desc()).limit(limit)
        )
    )


def queue(session: Session, topic: str, notices: Sequence[tuple[str, dict[str, Any]]]) -> int:
    """Queue each (party id, body) to that party's hooks of ``topic``; returns how many rows were written."""
    parties = sorted({party for party, _ in notices})
    hooks: dict[str, list[NoticeHook]] = {}
    for hook in session.scalars(select(NoticeHook).where(NoticeHook.owner_id.in_(parties)).order_by(NoticeHook.id)):
        if topic in hook.topics:
            hooks.setdefault(hook.owner_id, []).append(hook)
    written = 0
    for party, body in notices:
        for hook in hooks.get(party, ()):
            session.add(NoticeMessage(hook_id=hook.id, topic=topic, body=body))
            written += 1
    session.flush()
    return written


def queue_recall_notices(session: Session, notices: Sequence[tuple[str, dict[str, Any]]]) -> None:
    """Receiver of recall's ``holders_notified`` signal."""
    queue(session, "recall", notices)
