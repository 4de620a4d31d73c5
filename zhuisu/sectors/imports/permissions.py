"""Who may register and read import lots (进口食品).

- **Registering** a lot, a certificate, a sale or a cross-border e-commerce order (``POST /api/v1/imports/lots``,
  ``…/{number}/certificates``, ``…/sales``, ``…/orders`` and their forms): an importer (role ``importer``), for its own
  lots (``may_import``; another importer's lot is 404); a **receipt** (``…/{number}/receipts``): a party the importer
  shipped the lot to.
- **Reading** (``GET /api/v1/imports/lots``, ``…/{number}``, the pages): the admin all; a regulator the lots whose port
  lies in its jurisdiction (GB/T 2260 prefix) of a class its mandate covers (``imported`` or one under it); the
  importer its own; a direct buyer the lots it recorded a receipt of. Outside the lane a lot does not exist for the
  reader (404). In SQL: ``lane``.
- **The public**: the consumer product page only (country of origin and the certificates, ``zhuisu.portal``).
- A reader of None is the local operator (the command line, the demo): everything.
"""

from sqlalchemy import ColumnElement, and_, false, or_, select, true

from zhuisu.auth.roles import in_class, is_admin
from zhuisu.models import Event, EventEpc, ImportLot, Party


def may_import(party: Party) -> bool:
    return party.actor in ("enterprise", "platform") and "importer" in (party.roles or [])


def regulates(reader: Party) -> bool:
    return reader.actor == "regulator" and (
        reader.mandate is None or any(m == "imported" or m.startswith("imported.") for m in reader.mandate)
    )


def lane(reader: Party | None) -> ColumnElement[bool]:
    """The import lots ``reader`` sees."""
    if reader is None or is_admin(reader):
        return true()
    if reader.actor == "regulator":
        if not regulates(reader):
            return false()
        found: list[ColumnElement[bool]] = []
        if reader.jurisdiction:
            found.append(ImportLot.region.startswith(reader.jurisdiction, autoescape=True))
        if reader.mandate is not None:
            found.append(or_(false(), *(in_class(ImportLot.class_id, c) for c in reader.mandate)))
        return and_(true(), *found)
    received = (
        select(EventEpc.value)
        .join(Event, Event.id == EventEpc.event_pk)
        .where(Event.recorder_id == reader.id, Event.biz_step == "receiving", EventEpc.role == "quantity")
    )
    return or_(ImportLot.importer_id == reader.id, ImportLot.code.in_(received))
