"""What capture announces. Readers connect to these in ``zhuisu.app.wiring``; capture imports none of them."""

from collections.abc import Sequence
from typing import TYPE_CHECKING

from zhuisu.kit.signals import Signal

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from zhuisu.events.stored import StoredEvent

#: Sent in the capture transaction, after the write path (ledger, trace graph, catalog flags), with each batch of
#: newly stored events (never duplicates). A receiver's exception rolls the capture back.
events_recorded: "Signal[[Session, Sequence[StoredEvent]]]" = Signal("events recorded")
