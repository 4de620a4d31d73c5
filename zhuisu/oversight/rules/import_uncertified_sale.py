"""``import_uncertified_sale``: a domestic sale of an import lot that had no entry inspection certificate
(入境货物检验检疫证明) registered to it at the sale's time — a ``retail_selling``, or a ``shipping`` to an owning party
other than the seller (not a party registered with role ``foreign``: an export), naming the lot's code. A
certificate the sale names but the lot did not have then does not count (``sectors.imports``: registered on the
entry or afterwards). One alert per sale event; the seller answers for it (the importer reads it too), in the
seller's region; the class is the lot's."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuisu.epcis.identifiers import canonical_id
from zhuisu.models import Event, ImportLot, Party
from zhuisu.oversight.rules.base import Hit, RiskRule, Scope
from zhuisu.sectors.imports import service as imports_service
from zhuisu.sectors.imports.documents import SALE_STEPS, owning_party


def find(session: Session, scope: Scope) -> list[Hit]:
    if scope.full:
        lots = {lot.code: lot for lot in imports_service.all_lots(session)}
        sales = imports_service.sale_events(session, sorted(lots))
    else:
        codes = scope.new_codes(lambda e: e.step in SALE_STEPS)
        lots = imports_service.lots_of_codes(session, codes)
        sales = imports_service.sale_events(session, sorted(lots), first_pk=scope.first_pk, last_pk=scope.last_pk)
    held = imports_service.certificates_of(session, [lot.id for lot in lots.values()])
    recorders = {e.recorder_id for e, _ in sales}
    parties = {p.id: p for p in session.scalars(select(Party).where(Party.id.in_(recorders)))} if recorders else {}
    hits = []
    for event, code in sales:
        lot = lots[code]
        if imports_service.certified_at(held.get(lot.id, []), event.event_time) or not _domestic(session, event):
            continue
        hits.append(_hit(event, lot, parties.get(event.recorder_id)))
    return hits


def _domestic(session: Session, event: Event) -> bool:
    if event.biz_step == "retail_selling":
        return True
    buyer = owning_party(event.body, "destinationList")
    seller = owning_party(event.body, "sourceList")
    if buyer is None or buyer == seller:
        return False
    gln = buyer.rsplit("/417/", 1)[1] if "/417/" in buyer else None
    known = session.scalar(select(Party).where(Party.gln == gln)) if gln else None
    return known is None or (known.id != event.recorder_id and "foreign" not in (known.roles or []))


def _hit(event: Event, lot: ImportLot, seller: Party | None) -> Hit:
    step = "零售" if event.biz_step == "retail_selling" else "发货销售"
    return Hit(
        key=f"event:{event.id}",
        events=(event.id,),
        codes=(canonical_id(lot.code),),
        party_id=event.recorder_id,
        class_id=lot.class_id,
        region=seller.region if seller else None,
        addressed=(lot.importer_id,) if lot.importer_id != event.recorder_id else (),
        detail_zh=f"进口批次 {lot.product}（批号 {lot.lot}，报关单号 {lot.declaration}）"
        f"在取得入境货物检验检疫证明前{step}",
        detail_en=f"import lot {lot.product} (lot {lot.lot}, declaration {lot.declaration}) was sold "
        f"({event.biz_step}) before it had an entry inspection certificate",
        facts={"declaration": lot.declaration, "step": event.biz_step, "country": lot.country},
    )


RULE = RiskRule(
    id="import_uncertified_sale",
    severity="high",
    name_zh="进口食品无检验检疫证明销售",
    name_en="import sold without an inspection certificate",
    explanation_zh="进口食品批次在登记入境货物检验检疫证明之前即在境内销售：未经检验合格的进口食品不得销售。",
    explanation_en="An import lot was sold in the country before an entry inspection and quarantine certificate was "
    "registered to it: imported food may be sold only once inspected.",
    timed=False,
    find=find,
)
