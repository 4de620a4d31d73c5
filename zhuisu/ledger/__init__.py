"""The tamper-evident ledger: RFC 9162 Merkle log, C2SP signed notes, checkpoints, cosignatures and proofs.

Only the error root is re-exported here, so that ``zhuisu.ledger.LedgerError`` can be caught without knowing
which module raised it; import everything else from its module (``zhuisu.ledger.merkle`` …).
"""

from zhuisu.ledger.errors import LedgerError

__all__ = ["LedgerError"]
