"""What recall announces. Readers connect to these in ``zhuisu.app.wiring``; recall imports none of them."""

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from zhuisu.kit.signals import Signal

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

#: Sent in the transaction that issued or closed a recall, with the things it reached: their product pages show a
#: notice that changed (the portal's stories of them are stale).
notices_changed: "Signal[[Session, Sequence[str]]]" = Signal("recall notices changed")

#: Sent in the transaction that issued or closed a recall, with one notice per holder it names that is a registered
#: party: (party id, the notice's JSON body). Notice hooks queue them for delivery.
holders_notified: "Signal[[Session, Sequence[tuple[str, dict[str, Any]]]]]" = Signal("recall holders notified")
