"""Who sees what of the rare earth quotas, and who may record what.

- Registering a quota (``POST /api/v1/rareearth/quotas``, the desk's form): the admin, or a regulator whose mandate
  covers the quota's class (``rare_earth`` or one under it) and whose jurisdiction covers the producer's region;
  anyone else 403. A revision is registered the same way.
- Reading quotas and the quota used (``GET /api/v1/rareearth/quotas``, ``…/usage`` and its XLSX, the desk page
  ``/dashboard/rareearth``): the admin everything; a regulator with a rare earth mandate the producers of its
  jurisdiction, for the classes its mandate covers; a producer its own; anyone else (a buyer, a regulator of another
  mandate) nothing — an empty list, never another's quota; nobody signed in 401.
- Recording mining output, separation, sales and receipts (``POST /api/v1/rareearth/{mining,separation,sales,
  receipts}``, the producer page ``/console/rareearth``): the party whose site it is (the admin for the site's owner);
  the events are the recorder's, captured like any other.
- A reader or actor of None is the local operator (the command line): everything.
"""

from sqlalchemy import ColumnElement, false, true

from zhuisu.auth.roles import covers, is_admin
from zhuisu.models import Party, RareEarthQuota

CLASS = "rare_earth"


def regulates(reader: Party | None) -> bool:
    """A regulator whose mandate covers some rare earth class."""
    return (
        reader is not None
        and reader.actor == "regulator"
        and (reader.mandate is None or any(m == CLASS or m.startswith(CLASS + ".") for m in reader.mandate))
    )


def sees_class(reader: Party | None, class_id: str | None) -> bool:
    """Whether the reader's lane covers quotas of ``class_id`` (a regulator: its mandate; others: their own)."""
    return reader is None or reader.actor != "regulator" or covers(reader.mandate, class_id)


def parties_lane(reader: Party | None) -> ColumnElement[bool]:
    """The producers (``parties``) whose quotas and usage ``reader`` sees."""
    if reader is None or is_admin(reader):
        return true()
    if regulates(reader):
        if reader.jurisdiction is None:
            return true()
        return Party.region.startswith(reader.jurisdiction, autoescape=True)
    if reader.actor == "regulator":
        return false()
    return Party.id == reader.id


def quotas_lane(reader: Party | None) -> ColumnElement[bool]:
    """The quotas ``reader`` sees (on ``rare_earth_quotas`` joined with their producer; classes per row)."""
    if reader is not None and not is_admin(reader) and not regulates(reader) and reader.actor != "regulator":
        return RareEarthQuota.party_id == reader.id
    return parties_lane(reader)


def may_register(actor: Party | None, holder: Party, class_id: str) -> bool:
    """The local operator, the admin, or a regulator of the holder's region whose mandate covers ``class_id``."""
    if actor is None or is_admin(actor):
        return True
    in_region = actor.jurisdiction is None or (holder.region or "").startswith(actor.jurisdiction)
    return actor.actor == "regulator" and in_region and covers(actor.mandate, class_id)
