"""Who may read a recall impact and its exports, and what of it (docs/access.md).

Any signed-in party may ask; what comes back is narrowed to its lane by ``trace.permissions``: nothing (the impact of
a code nobody recorded) unless an event of the impact is in its lane; holders beyond its direct trading partners (a
regulator: beyond its jurisdiction) as their regions; in the exports, the places and parties of other events as
regions, their business documents blank, and in the EPCIS document only the events of its lane.
"""

from sqlalchemy.orm import Session

from zhuisu.models import Party
from zhuisu.trace.permissions import holders_lens
from zhuisu.trace.schemas import ImpactRead


def narrow_impact(session: Session, viewer: Party | None, impact: ImpactRead) -> ImpactRead:
    """``impact`` as ``viewer`` (None: the local operator) may see it."""
    lens = holders_lens(session, viewer, impact.things, impact.holders)
    if lens.everything:
        return impact
    if lens.nothing:
        return ImpactRead(code=impact.code, things=[impact.code], quantities={}, holders=[], regions=[], view="lane")
    holder_of = {thing: lens.show(holder) or holder for thing, holder in impact.holder_of.items()}
    return impact.model_copy(
        update={"holder_of": holder_of, "holders": sorted(set(holder_of.values())), "view": "lane"}
    )
