"""Who may issue codes and read code batches (docs/access.md).

- Issuing (``POST /codes/issue``): codes under the caller's own prefix, for itself (the route passes the caller as
  the party; ``issue_codes`` checks the GTIN is under its prefix).
- A batch, its codes and label sheets: the party it was issued for, the party that issued it, and the admin (or
  the local operator); any other caller is refused (403 ``not_your_batch``).
- ``GET /codes/{code}``: anyone signed in learns what a code is and whether this node issued it (a consumer-facing
  fact: genuine or not); the batch it belongs to only when the caller may read the batch.
- ``POST /codes/scan`` and the single-code labels read or draw the code the caller sent, touching no stored data.
"""

from zhuisu.auth.roles import is_admin
from zhuisu.issuance.errors import NotYourBatch
from zhuisu.models import CodeBatch, Party


def may_read_batch(actor: Party | None, batch: CodeBatch) -> bool:
    """The batch's party, its issuer, the admin or the local operator (``None``)."""
    return actor is None or is_admin(actor) or actor.id in (batch.party_id, batch.issued_by_id)


def check_batch(actor: Party | None, batch: CodeBatch) -> None:
    """Raises NotYourBatch unless ``may_read_batch``."""
    if not may_read_batch(actor, batch):
        raise NotYourBatch(f"赋码批次 {batch.id} 不属于该主体", message_en=f"batch {batch.id} is another party's")
