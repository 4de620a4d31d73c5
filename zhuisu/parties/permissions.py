"""Who may write master data: a party's profile, licences, locations and products are written by the party itself
or by the node's admin; registering a party, and the profile values that claim authority (a government party type,
the regulator or inspection-body role), by the admin only. ``actor=None`` is the local operator (the command line).

Delegations (``parties.delegations``) are made by the admin; the admin or the delegating enterprise revokes one; the
admin sees every delegation, an enterprise or a platform those it is party to (others: 404).
"""

from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, or_, select, true

from zhuisu.auth.roles import check_admin, is_admin, supervised, supervises
from zhuisu.errors import PermissionDenied
from zhuisu.models import Delegation, Party, Product
from zhuisu.parties.vocabulary import RESERVED_PARTY_TYPES, RESERVED_ROLES


class NotYourParty(PermissionDenied):
    """The master data of another party."""

    code = "not_your_party"


class NotDelegated(PermissionDenied):
    """Recording on behalf of an enterprise without a delegation in force (or of a party that does not exist)."""

    code = "not_delegated"


class ReservedProfile(PermissionDenied):
    """A profile value that claims authority (government, regulator, inspection body): the admin sets it."""

    code = "reserved_profile"


def may_read(actor: Party | None, party: Party) -> bool:
    """Whether ``actor`` may read ``party``'s master data (profile, licences, locations): itself; a regulator, the
    parties it supervises (registered in its jurisdiction, under a class of its mandate); the admin and the local
    operator, every party. (Direct trading partners' public data is to come with the rest of the lanes.)"""
    if actor is None or is_admin(actor) or actor.id == party.id:
        return True
    return supervises(actor, party.region, party.product_class)


def readable(actor: Party | None) -> list[ColumnElement[bool]]:
    """``may_read`` as a WHERE condition on ``parties`` (none: every party)."""
    if actor is None or is_admin(actor):
        return []
    if actor.actor == "regulator":
        return [or_(Party.id == actor.id, and_(true(), *supervised(actor.jurisdiction, actor.mandate)))]
    return [Party.id == actor.id]


def readable_products(actor: Party | None) -> list[ColumnElement[bool]]:
    """The products ``actor`` may list, as a WHERE condition on ``products``: those of the producers whose master
    data it may read (``readable``: its own; a regulator's jurisdiction's; the admin's, every product)."""
    if actor is None or is_admin(actor):
        return []
    return [Product.producer_id.in_(select(Party.id).where(*readable(actor)))]


def check_register(actor: Party | None) -> None:
    """Registering a party: the admin (or the local operator)."""
    check_admin(actor)


def check_manage(actor: Party | None, party: Party) -> None:
    """Writing ``party``'s master data: the party itself, the admin or the local operator."""
    if actor is None or actor.id == party.id or is_admin(actor):
        return
    raise NotYourParty(
        f"不能修改其他主体（{party.name}）的主数据",
        message_en=f"the master data of {party.name} is not yours to change",
    )


def check_profile(actor: Party | None, *, party_type: str | None, roles: Sequence[str] | None) -> None:
    """Profile values that claim authority are the admin's to set."""
    if actor is None or is_admin(actor):
        return
    reserved = sorted({*(roles or ()), party_type or ""} & (RESERVED_ROLES | RESERVED_PARTY_TYPES))
    if reserved:
        raise ReservedProfile(
            f"{'、'.join(reserved)} 只能由节点管理员设置",
            message_en=f"only this node's administrator may set {', '.join(reserved)}",
        )


def may_see_delegation(actor: Party | None, delegation: Delegation) -> bool:
    """The admin, the local operator, and the delegation's enterprise and platform."""
    return actor is None or is_admin(actor) or actor.id in (delegation.enterprise_id, delegation.platform_id)


def check_revoke_delegation(actor: Party | None, delegation: Delegation) -> None:
    """Revoking: the admin, the local operator or the enterprise that delegated (not the platform: it may stop
    recording, but the record of the delegation is the enterprise's)."""
    if actor is None or is_admin(actor) or actor.id == delegation.enterprise_id:
        return
    raise NotYourParty(
        "只有委托方企业或节点管理员可以撤销委托",
        message_en="only the delegating enterprise or the admin revokes a delegation",
    )
