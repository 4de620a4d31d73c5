"""Who may issue, receive and read farm commitment certificates (承诺达标合格证).

- **Issuing** (``POST /api/v1/farm/certificates``, the page ``/farm/certificates/new``): a farmer (party type
  ``individual``) or an enterprise with role ``producer`` (a cooperative, a farm), for itself
  (``may_issue``); others 403.
- **Selling** the certified lot (``POST /api/v1/farm/certificates/{number}/shipments``): its issuer only (another's
  certificate is 404).
- **Receiving** (``POST /api/v1/farm/receipts``, the page ``/farm/receive``): an enterprise or a platform (the buyer,
  recording its own receipt); a regulator, an inspection body or a node 403.
- **Reading a certificate** (``GET /api/v1/farm/certificates``, ``…/{number}``, the print page): the admin all; a
  regulator the certificates whose origin lies in its jurisdiction (GB/T 2260 prefix) of a class its mandate covers
  (``edible_agri`` or one under it); the issuer its own; a buyer those it recorded a receipt under. Outside the lane a
  certificate does not exist for the reader (404). In SQL: ``lane``.
- **The public page** (``GET /farm/c/{number}``, ``GET /api/v1/portal/farm/{number}``, the QR): anybody, the consumer
  view only (``schemas.PublicCertificate``: no issuer id, no phone unless shown, buyers by region only).
- A reader of None is the local operator (the command line, the demo): everything.
"""

from collections.abc import Sequence

from sqlalchemy import ColumnElement, and_, false, or_, true

from zhuisu.auth.roles import in_class, is_admin
from zhuisu.models import FarmCertificate, Party


def may_issue(party: Party) -> bool:
    """A farmer (``individual``) or a producer enterprise (role ``producer``)."""
    return party.actor in ("enterprise", "platform") and (
        party.party_type == "individual" or "producer" in (party.roles or [])
    )


def may_receive(party: Party) -> bool:
    return party.actor in ("enterprise", "platform", "admin")


def regulates(reader: Party) -> bool:
    return reader.actor == "regulator" and (
        reader.mandate is None or any(m == "edible_agri" or m.startswith("edible_agri.") for m in reader.mandate)
    )


def lane(reader: Party | None, received: Sequence[str] = ()) -> ColumnElement[bool]:
    """The certificates ``reader`` sees (``received``: the numbers it recorded receipts under)."""
    if reader is None or is_admin(reader):
        return true()
    if reader.actor == "regulator":
        if not regulates(reader):
            return false()
        found: list[ColumnElement[bool]] = []
        if reader.jurisdiction:
            found.append(FarmCertificate.region.startswith(reader.jurisdiction, autoescape=True))
        if reader.mandate is not None:
            found.append(or_(false(), *(in_class(FarmCertificate.class_id, c) for c in reader.mandate)))
        return and_(true(), *found)
    own = FarmCertificate.issuer_id == reader.id
    return or_(own, FarmCertificate.number.in_(list(received))) if received else own
