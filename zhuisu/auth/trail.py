"""The audit trail of writes: every request that may change something, by whom, on whose behalf, with which token,
what, when and with what outcome — the refused ones too.

The domains write their own entries with the details, in the transaction of the change (``party_created``,
``role_granted``, ``codes_issued`` …). This entry is written after the answer, in a transaction of its own
(``app.audit``): a refused or failed write rolls its own transaction back, and its trace must stay. Anonymous
requests are not recorded here: the public may only file complaints (``complaint_filed``) and cosign checkpoints
(the ledger keeps them).
"""

from sqlalchemy.orm import Session

from zhuisu.auth.service import Caller
from zhuisu.models import AuditEntry

ACTION = "write"


def outcome(status: int) -> str:
    """done (2xx, 3xx), refused (401, 403), rejected (other 4xx: the input), failed (5xx).

    >>> [outcome(s) for s in (201, 303, 403, 400, 500)]
    ['done', 'done', 'refused', 'rejected', 'failed']
    """
    if status < 400:
        return "done"
    if status in (401, 403):
        return "refused"
    return "rejected" if status < 500 else "failed"


def record_write(
    session: Session,
    caller: Caller,
    *,
    method: str,
    path: str,
    status: int,
    on_behalf_of: str | None = None,
    capture_id: str | None = None,
) -> AuditEntry:
    """An entry for one write request of ``caller`` answered with ``status``."""
    payload: dict[str, object] = {"status": status, "outcome": outcome(status), "token": caller.token_id}
    if caller.web_session is not None:
        payload["session"] = caller.web_session.id
    if on_behalf_of:
        payload["on_behalf_of"] = on_behalf_of
    if capture_id:
        payload["capture"] = capture_id
    entry = AuditEntry(actor_id=caller.party.id, action=ACTION, subject=f"{method} {path}"[:200], payload=payload)
    session.add(entry)
    return entry
