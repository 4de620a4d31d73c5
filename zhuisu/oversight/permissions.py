"""Who may see and handle risk alerts.

An alert is about a party (the one answerable for it). The admin sees and handles every alert; a regulator the
alerts about parties it supervises (registered in its jurisdiction under a class of its mandate:
``auth.roles.supervised``), and handles those; any other party reads the alerts about itself — its own record —
and handles none. An alert outside the reader's lane does not exist for it (404).
"""

from sqlalchemy import ColumnElement, select, true

from zhuisu.auth.roles import is_admin, is_regulator, supervised
from zhuisu.config import Settings
from zhuisu.errors import PermissionDenied
from zhuisu.models import Alert, Party


def alerts_lane(reader: Party, settings: Settings) -> ColumnElement[bool]:
    """The alerts ``reader`` may read, as a condition on ``oversight_alerts``."""
    if is_admin(reader):
        return true()
    if is_regulator(reader, settings):
        return Alert.party_id.in_(select(Party.id).where(*supervised(reader.jurisdiction, reader.mandate)))
    return Alert.party_id == reader.id


def check_handler(actor: Party, settings: Settings) -> None:
    """Only the admin and regulators handle alerts (those in their lane: the caller looks it up in the lane)."""
    if not (is_admin(actor) or is_regulator(actor, settings)):
        raise PermissionDenied(
            "仅监管部门可以处理风险预警", message_en="only regulators (and the admin) may handle risk alerts"
        )
