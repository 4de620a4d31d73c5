"""Who sees what of the canteen procurement ledger, and who may record in it.

- **Recording a receipt** (``POST /canteen/receipts``, ``POST /api/v1/canteen/receipts``) and **uploading an invoice
  photo** (``POST /api/v1/canteen/photos``): a party with the ``canteen`` role, for itself, at its own site
  (``may_record``); anyone else is refused (403).
- **Reading the ledger** (``GET /canteen/ledger``, ``GET /api/v1/canteen/ledger`` and its ``.xlsx``; ``lane``, in
  SQL on ``canteen_receipts``): the admin every row; a regulator the rows of the canteens in its jurisdiction (the
  canteen site's region, a GB/T 2260 prefix) whose class its mandate covers (``class_id``: the canteen's registered
  class, ``food`` when it has none — a canteen is supervised as food, school food under it); any other party the rows
  it is the canteen of, and the rows of its own deliveries (it is the supplier: a direct trading partner of the
  canteen); nobody signed in nothing (401). An inspection body or a platform sees only what it is canteen or
  supplier of — nothing else.
- **An invoice photo** (``GET /api/v1/canteen/photos/{sha256}``): whoever sees a row naming it, and its uploader;
  to anyone else it does not exist (404).
- A reader of None is the local operator (the command line, the demo): everything.
"""

from sqlalchemy import ColumnElement, and_, false, or_, true

from zhuisu.auth.roles import in_class, is_admin
from zhuisu.models import CanteenReceipt, Party

ROLE = "canteen"


def is_canteen(party: Party | None) -> bool:
    return party is not None and ROLE in (party.roles or [])


def may_record(actor: Party) -> bool:
    """A canteen records its own receipts."""
    return is_canteen(actor)


def lane(reader: Party | None) -> ColumnElement[bool]:
    """The ledger rows ``reader`` sees, as a condition on ``canteen_receipts``."""
    if reader is None or is_admin(reader):
        return true()
    if reader.actor == "regulator":
        found: list[ColumnElement[bool]] = []
        if reader.jurisdiction:
            found.append(CanteenReceipt.region.startswith(reader.jurisdiction, autoescape=True))
        if reader.mandate is not None:
            found.append(or_(false(), *(in_class(CanteenReceipt.class_id, c) for c in reader.mandate)))
        return and_(true(), *found)
    return or_(CanteenReceipt.canteen_id == reader.id, CanteenReceipt.supplier_id == reader.id)
