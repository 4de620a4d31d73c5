"""What recording inspections and certificates announces. The portal's stories listen (``zhuisu.app.wiring``)."""

from collections.abc import Sequence
from typing import TYPE_CHECKING

from zhuisu.kit.signals import Signal

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

#: Sent in the recording transaction with the canonical codes and the GTINs of what was recorded: the product
#: pages showing them are stale (a report on a lot concerns every item of it).
findings_recorded: "Signal[[Session, Sequence[str], Sequence[str]]]" = Signal("inspections recorded")
