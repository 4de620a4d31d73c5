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
from zhuisu.kit.i18n import pair
from zhuisu.models import AuditEntry, Party

#: What each audited action is called on the desk (zh-CN, English).
ACTIONS: dict[str, tuple[str, str]] = {
    "party_created": pair("party registered"),
    "role_granted": pair("role granted"),
    "token_issued": pair("token issued"),
    "token_revoked": pair("token revoked"),
    "signed_in": pair("signed in"),
    "signed_out": pair("signed out"),
    "catalog_release_loaded": pair("catalog release loaded"),
    "codes_issued": pair("codes issued"),
    "complaint_filed": pair("complaint filed"),
    "complaint_handled": pair("complaint handled"),
    "delegation_granted": pair("delegation granted"),
    "delegation_revoked": pair("delegation revoked"),
    "blacklist_added": pair("blacklisted"),
    "blacklist_removed": pair("removed from the blacklist"),
    "credit_appeal_filed": pair("credit appeal filed"),
    "credit_appeal_answered": pair("credit appeal answered"),
    "alert_acknowledged": pair("risk alert acknowledged"),
    "alert_closed": pair("risk alert closed"),
    "write": pair("write request"),
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
