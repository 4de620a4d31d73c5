"""What the parties domain announces to readers it does not know of (connected by ``zhuisu.app.wiring``)."""

from typing import TYPE_CHECKING

from zhuisu.kit.signals import Signal

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

#: Sent in the transaction that registers a product with a GTIN: the GTIN. Readers that show a product's name and
#: producer from the register (the portal's stories of its items and lots) refresh what they built without it.
product_registered: "Signal[[Session, str]]" = Signal("product registered")
