"""Who sees what of the market room, and who may record what (``docs/market.md``, "Who sees what").

- Recording a purchase or a sale (``POST /api/v1/market/purchases``, ``/sales``, the page ``/market``): a stall
  holder, at its own stall (the events are its own, at its stall's site).
- Registering a stall (``POST /api/v1/market/stalls``): the market's operator (the party owning the market site, of
  role ``market``) or the admin; the stall's site is its holder's.
- Stalls and their ledgers (``GET /api/v1/market/stalls``, ``/ledger``, ``/sales``): the admin every stall; a
  regulator the stalls in its jurisdiction (the stall site's region, else its holder's) and, of their entries, those
  of product classes its mandate covers; a market operator the stalls of its markets; a holder its own stalls.
- Purchases (``GET /api/v1/market/purchases``): as the ledgers, and besides a supplier sees the purchases of its goods
  that name it as their source (its direct trading partner's receipt of what it shipped), at any stall.
- A receipt (``GET /api/v1/market/receipts/{number}``, ``/r/{number}``): anyone who holds its number, the consumer
  view only (stall, market, time, product, quantity, the lot's product page; no prices, no identifiers).
- A reader of None is the local operator (the command line): everything.
"""

from sqlalchemy import ColumnElement, or_, true
from sqlalchemy.orm import aliased

from zhuisu.auth.roles import covers, is_admin
from zhuisu.models import Location, MarketStall, Party

#: The stall's site and its holder, as ``repository.stalls`` joins them.
StallSite = aliased(Location, name="stall_site")
MarketSite = aliased(Location, name="market_site")
Holder = aliased(Party, name="holder")


def regulates(reader: Party | None) -> bool:
    return reader is not None and reader.actor == "regulator"


def sees_class(reader: Party | None, class_id: str | None) -> bool:
    """Whether the reader may see an entry of ``class_id``: a regulator by its mandate; others (their lanes are
    their own stalls) every class."""
    return not regulates(reader) or covers(reader.mandate if reader else None, class_id)


def stalls_lane(reader: Party | None) -> ColumnElement[bool]:
    """The stalls ``reader`` sees (on ``market_stalls`` joined with ``StallSite``, ``MarketSite`` and ``Holder``)."""
    if reader is None or is_admin(reader):
        return true()
    if regulates(reader):
        if reader.jurisdiction is None:
            return true()
        prefix = reader.jurisdiction
        return or_(
            StallSite.region.startswith(prefix, autoescape=True),
            StallSite.region.is_(None) & Holder.region.startswith(prefix, autoescape=True),
        )
    return or_(MarketStall.holder_id == reader.id, MarketSite.party_id == reader.id)


def may_register_stall(actor: Party | None, market_owner_id: str, market_roles: list[str] | None) -> bool:
    """The local operator, the admin, or the owner of the market site if it is a market (role ``market``)."""
    if actor is None or is_admin(actor):
        return True
    return actor.id == market_owner_id and "market" in (market_roles or [])
