"""Who may use a named query and its subscriptions: the party that created it, and the node's admin. A query's
parameters say what its owner watches (its locations, its products), so another party may neither read, run,
subscribe to nor delete it; the list shows each caller its own."""

from zhuisu.auth.roles import is_admin
from zhuisu.errors import PermissionDenied
from zhuisu.models import NamedQuery, Party, Subscription


class NotYourQuery(PermissionDenied):
    """A named query, or a subscription, of another party."""

    code = "not_your_query"


def may_use(actor: Party, owner_id: str) -> bool:
    return actor.id == owner_id or is_admin(actor)


def check_query(actor: Party, row: NamedQuery) -> None:
    if not may_use(actor, row.owner_id):
        raise NotYourQuery(f"查询 {row.name} 属于其他主体", message_en=f"the query {row.name} belongs to another party")


def check_subscription(actor: Party, row: Subscription) -> None:
    if not may_use(actor, row.owner_id):
        raise NotYourQuery(
            f"订阅 {row.id} 属于其他主体", message_en=f"the subscription {row.id} belongs to another party"
        )
