"""Who sees what of the hazardous goods sector, and who may record what.

- Reading permits, waybills and stock (``GET /api/v1/hazardous/…``, the desk pages ``/dashboard/hazardous/…`` and
  their XLSX): the admin everything; a regulator what lies in its jurisdiction (a warehouse's region, else its
  owner's; a waybill's origin or destination region; a permit holder's region) for the classes its mandate covers
  (``hazardous`` or one under it); any other party its own (its warehouses; waybills it sends, carries or
  receives; its permits); nobody signed in, nothing (401).
- Writing: a permit by its holder or the admin (``parties.permissions.check_manage``); a buyer's identity by any
  party with a token (the seller registers its customer's agent at the counter); a waybill by its consignor (the
  caller), of goods it names, with a carrier holding a valid road transport permit.
- Cancelling a waybill (``POST /api/v1/hazardous/waybills/{number}/cancel``, ``service.may_cancel``): its carrier,
  its consignor (the party that created it) or the admin; another party that sees it (its consignee, a regulator of
  its lane) is refused (403), one that does not is told nothing (404); a waybill received cannot be cancelled (409).
- A reader or actor of None is the local operator (the command line): everything.
"""

from sqlalchemy import ColumnElement, or_, true

from zhuisu.auth.roles import covers, is_admin
from zhuisu.models import Location, Party, Waybill


def regulates(reader: Party | None) -> bool:
    """A regulator whose mandate covers some hazardous class."""
    return (
        reader is not None
        and reader.actor == "regulator"
        and (reader.mandate is None or any(m == "hazardous" or m.startswith("hazardous.") for m in reader.mandate))
    )


def sees_class(reader: Party | None, class_id: str) -> bool:
    """Whether the reader's lane covers goods of ``class_id`` (a regulator: its mandate; others: their own)."""
    return reader is None or reader.actor != "regulator" or covers(reader.mandate, class_id)


def _region(column: object, prefix: str) -> ColumnElement[bool]:
    return column.startswith(prefix, autoescape=True)  # type: ignore[attr-defined]


def waybills_lane(reader: Party | None) -> ColumnElement[bool]:
    """The waybills ``reader`` sees (classes are checked per row: ``sees_class``)."""
    if reader is None or is_admin(reader):
        return true()
    if regulates(reader):
        if reader.jurisdiction is None:
            return true()
        return or_(
            _region(Waybill.origin_region, reader.jurisdiction),
            _region(Waybill.destination_region, reader.jurisdiction),
        )
    party = reader.id
    return or_(Waybill.consignor_id == party, Waybill.carrier_id == party, Waybill.consignee_id == party)


def sites_lane(reader: Party | None) -> ColumnElement[bool]:
    """The warehouses ``reader`` sees (on ``locations`` joined with their owner ``parties``)."""
    if reader is None or is_admin(reader):
        return true()
    if regulates(reader):
        if reader.jurisdiction is None:
            return true()
        return or_(
            _region(Location.region, reader.jurisdiction),
            (Location.region.is_(None)) & _region(Party.region, reader.jurisdiction),
        )
    return Location.party_id == reader.id


def parties_lane(reader: Party | None) -> ColumnElement[bool]:
    """The permit holders ``reader`` sees."""
    if reader is None or is_admin(reader):
        return true()
    if regulates(reader):
        return true() if reader.jurisdiction is None else _region(Party.region, reader.jurisdiction)
    return Party.id == reader.id
