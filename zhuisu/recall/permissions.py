"""Who may read a recall impact and its exports, and what of it (docs/access.md).

Any signed-in party may ask; what comes back is narrowed to its lane by ``trace.permissions``: nothing (the impact of
a code nobody recorded) unless an event of the impact is in its lane; holders beyond its direct trading partners (a
regulator: beyond its jurisdiction) as their regions; in the exports, the places and parties of other events as
regions, their business documents blank, and in the EPCIS document only the events of its lane.

Recall orders (``orders``): the brand owner of the recalled product (``capture.permissions.owners``) issues a
voluntary recall, a regulator whose jurisdiction covers the owner's region and whose mandate covers the product's
class (else the owner's registered class) orders one, the admin either; anyone else is refused
(``not_your_product``). A recall is read whole by its issuer, the owner, the regulators supervising it and the admin;
a holder it names reads its own lines; for anyone else it does not exist (404). Closing and the report: whoever reads
it whole (a holder: ``not_your_recall``).
"""

from typing import Literal

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true
from sqlalchemy.orm import Session

from zhuisu.auth.roles import in_class, is_admin, supervises
from zhuisu.capture.permissions import Owner
from zhuisu.models import Party, Recall, RecallHolder
from zhuisu.recall.errors import NotYourProduct, NotYourRecall, RecallNotFound
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


def issuing_kind(actor: Party | None, owner: Owner | None, class_id: str | None) -> Literal["voluntary", "ordered"]:
    """The kind of recall ``actor`` may issue of a product owned as ``owner`` says (None: the local operator,
    who may issue either and is taken as ordering it). Raises NotYourProduct."""
    owner_id, _, region = owner or (None, None, None)
    if actor is None or is_admin(actor):
        return "ordered"
    if owner_id is not None and owner_id == actor.id:
        return "voluntary"
    if supervises(actor, region, class_id):
        return "ordered"
    raise NotYourProduct(
        "只有品牌所有者（主动召回）或对其有管辖权和职责的监管部门（责令召回）可以召回此产品",
        message_en="only the brand owner (a voluntary recall) or a regulator whose jurisdiction and mandate cover it "
        "(an ordered recall) may recall this product",
    )


View = Literal["all", "holder"]


def view_of(session: Session, actor: Party | None, recall: Recall) -> View:
    """How ``actor`` sees ``recall``: whole, its own holder lines, or not at all (RecallNotFound)."""
    if actor is None or is_admin(actor) or actor.id in (recall.issuer_id, recall.owner_id):
        return "all"
    if supervises(actor, recall.owner_region, recall.class_id):
        return "all"
    held = select(RecallHolder.id).where(RecallHolder.recall_id == recall.id, RecallHolder.party_id == actor.id)
    if session.scalar(held.limit(1)) is not None:
        return "holder"
    raise RecallNotFound(f"没有编号为 {recall.id} 的召回", message_en=f"no recall {recall.id}")


def check_whole(session: Session, actor: Party | None, recall: Recall) -> None:
    """What only the readers of the whole recall do (close it, download its report)."""
    if view_of(session, actor, recall) != "all":
        raise NotYourRecall(
            "召回涉及的持有方只能查看本方的明细", message_en="a holder of a recall sees its own lines only"
        )


def lane(actor: Party | None) -> ColumnElement[bool]:
    """The recalls ``actor`` may see, as a condition on ``recalls`` (in SQL, so lists and counts agree)."""
    if actor is None or is_admin(actor):
        return true()
    held = exists().where(RecallHolder.recall_id == Recall.id, RecallHolder.party_id == actor.id)
    mine = or_(Recall.issuer_id == actor.id, Recall.owner_id == actor.id, held)
    if actor.actor != "regulator":
        return mine
    supervised: list[ColumnElement[bool]] = []
    if actor.jurisdiction is not None:
        supervised.append(Recall.owner_region.startswith(actor.jurisdiction, autoescape=True))
    if actor.mandate is not None:
        supervised.append(or_(false(), *(in_class(Recall.class_id, c) for c in actor.mandate)))
    return or_(mine, and_(true(), *supervised))
