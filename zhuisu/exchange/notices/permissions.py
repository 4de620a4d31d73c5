"""Who may use a notice hook: the party that registered it (its notices tell what it holds), and the node's
admin. Any signed-in party may register hooks for itself; the list shows each caller its own (the admin every one)."""

from zhuisu.auth.roles import is_admin
from zhuisu.exchange.notices.errors import NotYourHook
from zhuisu.models import NoticeHook, Party


def may_use(actor: Party, hook: NoticeHook) -> bool:
    return actor.id == hook.owner_id or is_admin(actor)


def check_hook(actor: Party, hook: NoticeHook) -> None:
    if not may_use(actor, hook):
        raise NotYourHook(
            f"通知地址 {hook.id} 属于其他主体", message_en=f"the notice hook {hook.id} belongs to another party"
        )
