"""Reading the audit trail (``audit_entries``: who changed what, written in the transaction it audits).

The admin reads every entry; a regulator, the entries of parties registered in its jurisdiction (all, for a national
one). Filtered in SQL, newest first, paged by ``before`` (an entry id).
"""

from datetime import datetime
from typing import Any

from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuisu.auth.roles import is_admin
from zhuisu.models import AuditEntry, Party

#: What each audited action is called on the desk (zh-CN, English).
ACTIONS: dict[str, tuple[str, str]] = {
    "party_created": ("登记主体", "party registered"),
    "role_granted": ("授予角色", "role granted"),
    "token_issued": ("签发令牌", "token issued"),
    "token_revoked": ("吊销令牌", "token revoked"),
    "signed_in": ("登录", "signed in"),
    "signed_out": ("退出登录", "signed out"),
    "catalog_release_loaded": ("加载目录版本", "catalog release loaded"),
    "codes_issued": ("赋码", "codes issued"),
    "complaint_filed": ("受理投诉举报", "complaint filed"),
    "complaint_handled": ("处理投诉举报", "complaint handled"),
    "delegation_granted": ("委托代录", "delegation granted"),
    "delegation_revoked": ("撤销委托", "delegation revoked"),
    "blacklist_added": ("列入失信名单", "blacklisted"),
    "blacklist_removed": ("移出失信名单", "removed from the blacklist"),
    "credit_appeal_filed": ("提出信用异议", "credit appeal filed"),
    "credit_appeal_answered": ("答复信用异议", "credit appeal answered"),
    "alert_acknowledged": ("确认风险预警", "risk alert acknowledged"),
    "alert_closed": ("关闭风险预警", "risk alert closed"),
    "write": ("写操作", "write request"),
}


class AuditRead(BaseModel):
    id: int
    at: datetime
    actor_id: str | None
    actor_name: str | None
    action: str
    subject: str
    payload: dict[str, Any]


def list_entries(
    session: Session,
    *,
    reader: Party,
    action: str | None = None,
    actor_id: str | None = None,
    before: int | None = None,
    limit: int = 100,
) -> list[AuditRead]:
    """The entries ``reader`` may read (see the module docstring), newest first."""
    statement = select(AuditEntry, Party.name).outerjoin(Party, Party.id == AuditEntry.actor_id)
    if not is_admin(reader) and reader.jurisdiction:
        statement = statement.where(Party.region.startswith(reader.jurisdiction, autoescape=True))
    if action:
        statement = statement.where(AuditEntry.action == action)
    if actor_id:
        statement = statement.where(AuditEntry.actor_id == actor_id)
    if before is not None:
        statement = statement.where(AuditEntry.id < before)
    rows = session.execute(statement.order_by(AuditEntry.id.desc()).limit(limit))
    return [
        AuditRead(
            id=entry.id,
            at=entry.at,
            actor_id=entry.actor_id,
            actor_name=name,
            action=entry.action,
            subject=entry.subject,
            payload=entry.payload,
        )
        for entry, name in rows
    ]
