"""Who may read and do what of the oversight domain's own records and reads (the desk's other reads use the lanes
of the domains they come from: trace, recall, catalog, portal complaints, the audit trail, inspections).

- **Risk alerts.** An alert is about a party (the one answerable for it). The admin sees and handles every alert;
  a regulator the alerts about parties it supervises (registered in its jurisdiction under a class of its mandate:
  ``auth.roles.supervised``) and the alerts located in its jurisdiction under a class of its mandate (an overdue
  elevator in its district, whoever uses it), and handles those; any other party reads the alerts about itself —
  its own record — and those addressed to it (``oversight_alert_parties``: the maintenance unit of an overdue
  elevator), and handles none. An alert outside the reader's lane does not exist for it (404).
- **The evaluation** names enterprises with their figures: the admin reads every enterprise, a regulator those it
  supervises, an enterprise its own row only (and the regions it is counted in: its own region's row aggregates
  only what it may see, itself). The public reads none.
- **Credit** (``credit.supervises``): a regulator supervising the party, or the admin, lists, removes and answers;
  the party reads its own record and appeals.
"""

from sqlalchemy import ColumnElement, and_, false, or_, select, true

from zhuisu.auth.roles import in_class, is_admin, is_regulator, supervised
from zhuisu.config import Settings
from zhuisu.errors import PermissionDenied
from zhuisu.models import Alert, AlertParty, Party


def alerts_lane(reader: Party, settings: Settings) -> ColumnElement[bool]:
    """The alerts ``reader`` may read, as a condition on ``oversight_alerts``."""
    if is_admin(reader):
        return true()
    if is_regulator(reader, settings):
        about_supervised = Alert.party_id.in_(select(Party.id).where(*supervised(reader.jurisdiction, reader.mandate)))
        return or_(about_supervised, and_(Alert.region.is_not(None), *_where(reader)))
    return or_(
        Alert.party_id == reader.id, Alert.id.in_(select(AlertParty.alert_id).where(AlertParty.party_id == reader.id))
    )


def _where(reader: Party) -> list[ColumnElement[bool]]:
    """An alert located in ``reader``'s jurisdiction (``Alert.region``: where the anomaly is, e.g. a piece of
    equipment's registered region) under a class of its mandate (``Alert.class_id``)."""
    found: list[ColumnElement[bool]] = []
    if reader.jurisdiction is not None:
        found.append(Alert.region.startswith(reader.jurisdiction, autoescape=True))
    if reader.mandate is not None:
        found.append(or_(false(), *(in_class(Alert.class_id, c) for c in reader.mandate)))
    return found


def check_handler(actor: Party, settings: Settings) -> None:
    """Only the admin and regulators handle alerts (those in their lane: the caller looks it up in the lane)."""
    if not (is_admin(actor) or is_regulator(actor, settings)):
        raise PermissionDenied(
            "仅监管部门可以处理风险预警", message_en="only regulators (and the admin) may handle risk alerts"
        )


def evaluated(reader: Party, settings: Settings) -> ColumnElement[bool]:
    """The parties whose evaluation ``reader`` may read, as a condition on ``parties``."""
    if is_admin(reader):
        return true()
    if is_regulator(reader, settings):
        return and_(true(), *supervised(reader.jurisdiction, reader.mandate))
    return Party.id == reader.id


def region_scope(reader: Party, settings: Settings) -> str:
    """The region prefix a ``?region=`` filter is narrowed into: a regulator's jurisdiction, else every region."""
    return (reader.jurisdiction or "") if is_regulator(reader, settings) else ""
