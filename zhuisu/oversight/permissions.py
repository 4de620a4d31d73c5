"""Who may read what of the oversight domain's own reads (the evaluation; the desk's other reads use the lanes of
the domains they come from: trace, recall, catalog, portal complaints, the audit trail).

The evaluation names enterprises with their figures: the admin reads every enterprise, a regulator those it
supervises (jurisdiction ∩ mandate, ``auth.roles.supervised``), an enterprise its own row only (and the regions it
is counted in: its own region's row aggregates only what it may see, itself). The public reads none.
"""

from sqlalchemy import ColumnElement, and_, true

from zhuisu.auth.roles import is_admin, is_regulator, supervised
from zhuisu.config import Settings
from zhuisu.models import Party


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
