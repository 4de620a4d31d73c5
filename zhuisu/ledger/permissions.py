"""Who may see what of the ledger's verifications.

The log itself (checkpoints, tiles, proofs, keys) is public: that is its point. What a verification found names
events, and so parties: the admin sees every finding; a regulator those about events recorded by the parties it
supervises (jurisdiction ∩ mandate) and those of no party — problems of the log itself, deleted rows whose
recorder is gone with them, cached stories — which concern every reader of the node. Enterprises and the public
see neither the runs nor the findings (``OversightParty`` on the routes and the desk).
"""

from sqlalchemy import ColumnElement, or_, select, true

from zhuisu.auth.roles import is_admin, supervised
from zhuisu.models import LedgerFinding, Party


def findings_lane(reader: Party) -> ColumnElement[bool]:
    """The findings ``reader`` (the admin or a regulator) may read, as a condition on ``ledger_findings``."""
    if is_admin(reader):
        return true()
    parties = select(Party.id).where(*supervised(reader.jurisdiction, reader.mandate))
    return or_(LedgerFinding.party_id.is_(None), LedgerFinding.party_id.in_(parties))
