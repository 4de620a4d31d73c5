"""What the ledger announces. Readers connect to these in ``zhuisu.app.wiring``; the ledger imports none of them."""

from collections.abc import Sequence

from sqlalchemy.orm import Session

from zhuisu.kit.signals import Signal

#: Sent by ``zhuisu ledger verify`` when stored events no longer match the log (changed or deleted rows, by
#: eventID), in a transaction of its own: what readers cached of them (the portal's stories and their verified mark)
#: must be built again, and will then show the failure.
records_mismatched: Signal[[Session, Sequence[str]]] = Signal("records mismatched")
