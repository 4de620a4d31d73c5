"""Delegations: an enterprise lets a third-party platform (第三方平台) record events on its behalf.

The admin makes one (enterprise, platform, catalog classes, validity) and the admin or the enterprise revokes it.
While it is in force the platform may capture with ``onBehalfOf`` naming the enterprise: the events are the
enterprise's (they are credited to it: coverage and credit count the recorder) and the capture job keeps the
platform as recording agent. Every grant and revocation is audited. See docs/access.md.
"""

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from zhuisu.auth.roles import is_admin
from zhuisu.catalog import service as catalog_service
from zhuisu.errors import InvalidInput, NotFound
from zhuisu.kit.time import utc_now
from zhuisu.models import AuditEntry, Delegation, Party
from zhuisu.parties import permissions
from zhuisu.parties import service as parties_service


def delegate(
    session: Session,
    enterprise: Party,
    platform: Party,
    *,
    classes: Sequence[str] | None = None,
    valid_from: datetime | None = None,
    valid_until: datetime | None = None,
    actor: Party | None = None,
) -> Delegation:
    """Let ``platform`` record for ``enterprise`` (in ``classes``; None: every class) from ``valid_from`` (now) until
    ``valid_until`` (None: until revoked). The admin or the local operator (``actor=None``) only: AdminOnly
    otherwise. Raises InvalidInput when the parties are not an enterprise and a platform, for an unknown class or
    an empty validity."""
    permissions.check_register(actor)
    if enterprise.actor != "enterprise":
        raise InvalidInput(
            f"{enterprise.name} 不是企业（角色 {enterprise.actor}），不能委托",
            message_en=f"{enterprise.name} is not an enterprise (role {enterprise.actor}) and cannot delegate",
            parameter="enterprise",
        )
    if platform.actor != "platform":
        raise InvalidInput(
            f"{platform.name} 不是第三方平台（角色 {platform.actor}）：先授予 platform 角色",
            message_en=f"{platform.name} is not a platform (role {platform.actor}): grant it the platform role first",
            parameter="platform",
        )
    for class_id in classes or ():
        catalog_service.check_class(session, class_id)
    start = valid_from or utc_now()
    if valid_until is not None and valid_until <= start:
        raise InvalidInput(
            "委托的截止时间应晚于开始时间",
            message_en="a delegation must end after it starts",
            parameter="valid_until",
        )
    found = Delegation(
        enterprise_id=enterprise.id,
        platform_id=platform.id,
        classes=list(classes) if classes is not None else None,
        valid_from=start,
        valid_until=valid_until,
        granted_by_id=actor.id if actor else None,
    )
    session.add(found)
    session.flush()
    session.add(
        AuditEntry(
            actor_id=actor.id if actor else None,
            action="delegation_granted",
            subject=enterprise.id,
            payload={"delegation": found.id, "platform": platform.id, "classes": found.classes},
        )
    )
    return found


def revoke(session: Session, delegation_id: str, *, actor: Party | None = None) -> Delegation:
    """End a delegation now (the admin, the local operator or the enterprise itself; others: 403
    ``not_your_party``). Revoking twice keeps the first time. Raises NotFound."""
    found = session.get(Delegation, delegation_id)
    if found is None or not permissions.may_see_delegation(actor, found):
        raise NotFound(f"没有委托 {delegation_id}", message_en=f"no delegation {delegation_id}")
    permissions.check_revoke_delegation(actor, found)
    if found.revoked_at is None:
        found.revoked_at = utc_now()
        session.add(
            AuditEntry(
                actor_id=actor.id if actor else None,
                action="delegation_revoked",
                subject=found.enterprise_id,
                payload={"delegation": found.id, "platform": found.platform_id},
            )
        )
    return found


def list_delegations(session: Session, *, viewer: Party | None = None) -> list[Delegation]:
    """The delegations ``viewer`` may see: the admin's (and the local operator's) every one; an enterprise's or a
    platform's those it is party to. Newest first."""
    statement = select(Delegation).order_by(Delegation.created_at.desc(), Delegation.id)
    if viewer is not None and not is_admin(viewer):
        statement = statement.where(or_(Delegation.enterprise_id == viewer.id, Delegation.platform_id == viewer.id))
    return list(session.scalars(statement))


def in_force(session: Session, *, platform: Party, enterprise: Party, at: datetime | None = None) -> Delegation | None:
    """The delegation by which ``platform`` may record for ``enterprise`` at ``at`` (now), if any."""
    when = at or utc_now()
    return session.scalar(
        select(Delegation)
        .where(
            Delegation.platform_id == platform.id,
            Delegation.enterprise_id == enterprise.id,
            Delegation.revoked_at.is_(None),
            Delegation.valid_from <= when,
            or_(Delegation.valid_until.is_(None), Delegation.valid_until > when),
        )
        .order_by(Delegation.created_at.desc())
        .limit(1)
    )


def acting_for(session: Session, agent: Party, reference: str) -> tuple[Party, Delegation | None]:
    """The enterprise ``agent`` records for when it names ``reference`` (party id, 统一社会信用代码, GLN or PGLN),
    with the delegation in force. The admin acts for anyone (no delegation needed). Raises NotDelegated — also for
    a party that does not exist, whose existence is not told."""
    enterprise = parties_service.find_party_by_identifier(session, reference)
    if enterprise is not None and enterprise.id == agent.id:
        return enterprise, None
    if enterprise is not None and is_admin(agent):
        return enterprise, None
    found = in_force(session, platform=agent, enterprise=enterprise) if enterprise is not None else None
    if enterprise is None or found is None:
        raise permissions.NotDelegated(
            f"没有 {reference} 委托本平台代为记录的有效委托",
            message_en=f"no delegation in force lets this party record on behalf of {reference}",
        )
    return enterprise, found
