"""What a rare earth producer records, each as one EPCIS 2.0 event captured as its own (``sectors.recording``:
capture imports the sectors, so the event goes to capture through the signal the application connects):

==================  =====================================================================================
mining output       ObjectEvent ADD, bizStep ``commissioning``, the lot in ``quantityList`` (TNE or KGM),
                    ILMD ``zs:reoContent`` {lot: %}
separation          TransformationEvent, bizStep ``commissioning``: ore or concentrate lots in
                    (``inputQuantityList``, their REO in ``zs:inputReoContent``), separated lots out
                    (``outputQuantityList``, ILMD ``zs:reoContent``)
sale                ObjectEvent OBSERVE ``shipping`` (``in_transit``), seller and buyer as owning parties,
                    the invoice as bizTransaction ``inv``
receipt             ObjectEvent OBSERVE ``receiving`` (``in_progress``) of what a seller shipped
==================  =====================================================================================

A production names the producer's quota in force for the event's year and kind (``zs:quota``: its 文号), which the
catalog's rule ``rare_earth.production`` asks for. A separation whose outputs hold more REO than its inputs, beyond
``REO_TOLERANCE``, is refused (``InvalidInput`` on ``outputs``): separation recovers the oxides the ore holds, it
cannot make more. Production above the quota is stored (it happened) and raises an alert at once (the
``rare_earth_quota_production`` rule runs at capture).
"""

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from zhuisu.auth.roles import covers, is_admin
from zhuisu.errors import InvalidInput
from zhuisu.kit.time import BEIJING, utc_now
from zhuisu.models import Party
from zhuisu.parties import service as parties_service
from zhuisu.sectors.rareearth import repository
from zhuisu.sectors.rareearth.schemas import (
    GoodsLine,
    MiningCreate,
    Place,
    ReceiptCreate,
    RecordedRead,
    SaleCreate,
    SeparationCreate,
)
from zhuisu.sectors.rareearth.service import current_quota, normal_gtin
from zhuisu.sectors.rareearth.usage import KG, lot_reo
from zhuisu.sectors.recording import record_event

SITE = "https://id.gs1.org/414/"
PGLN = "https://id.gs1.org/417/"
SOURCE = "zhuisu rareearth"
#: A separation's outputs may hold this share more REO than its inputs (assay uncertainty), no more.
REO_TOLERANCE = 0.005
_LOT = re.compile(r"^[A-Za-z0-9._\-]{1,20}$")


def _invalid(field_name: str, *, zh: str, en: str) -> InvalidInput:
    return InvalidInput(f"{field_name}：{zh}", message_en=f"{field_name}: {en}", field=field_name)


@dataclass(frozen=True)
class _Where:
    recorder: Party
    site: str
    when: datetime
    event_id: str


def _where(session: Session, body: Place, actor: Party | None) -> _Where:
    """The recorder (the site's owner: the caller's own site, or any for the admin and the local operator), the
    site as events name it, the time (not in the future) and the eventID."""
    text = body.site.strip()
    gln = text.removeprefix(SITE)
    location = repository.site(session, gln) if gln.isdigit() else None
    if location is None or location.party_id is None:
        raise _invalid("site", zh=f"本节点没有登记 GLN 为 {gln} 的位置", en=f"no site with GLN {gln} here")
    if actor is not None and not is_admin(actor) and location.party_id != actor.id:
        raise _invalid("site", zh="不是本企业的位置", en="not a site of the caller")
    recorder = parties_service.get_party(session, location.party_id)
    if not recorder.gln:
        raise _invalid("site", zh=f"{recorder.name} 没有登记 GLN", en=f"{recorder.name} has no GLN")
    when = body.time or utc_now()
    if when.tzinfo is None:
        when = when.replace(tzinfo=BEIJING)
    if when > utc_now() + timedelta(minutes=5):
        raise _invalid("time", zh="时间晚于当前时间", en="the time is in the future")
    event_id = (body.event_id or "").strip() or f"urn:uuid:{uuid.uuid4()}"
    return _Where(recorder, SITE + gln, when, event_id)


def _goods(session: Session, field_name: str, gtin: str, lot: str, prefix: str) -> tuple[str, str]:
    """(lot code, class) of a registered product of a class under ``prefix``; InvalidInput naming the field."""
    product, lot_field = (f"{field_name}.product", f"{field_name}.lot") if field_name else ("product", "lot")
    normal = normal_gtin(gtin, product)
    known = repository.product_classes(session, [normal]).get(normal)
    if known is None or not covers([prefix], known[0]):
        raise _invalid(
            product,
            zh=f"GTIN {normal} 不是本节点登记的 {prefix} 类产品",
            en=f"GTIN {normal} is not a registered product of {prefix}",
        )
    if not _LOT.match(lot.strip()):
        raise _invalid(
            lot_field,
            zh="批号应为 1–20 个字母、数字或 . _ -",
            en="a lot is 1 to 20 letters, digits or . _ -",
        )
    return f"https://id.gs1.org/01/{normal}/10/{lot.strip()}", known[0]


def _event(where: _Where, event_type: str, step: str, **fields: Any) -> dict[str, Any]:
    site = {"id": where.site}
    return {
        "type": event_type,
        "eventID": where.event_id,
        "eventTime": where.when.astimezone(BEIJING).isoformat(timespec="milliseconds"),
        "eventTimeZoneOffset": "+08:00",
        **fields,
        "bizStep": step,
        "readPoint": site,
        "bizLocation": site,
    }


def _quota(session: Session, where: _Where, kind: str) -> dict[str, Any]:
    found = current_quota(session, where.recorder, where.when.astimezone(BEIJING).year, kind)
    return {"zs:quota": found.document_number} if found else {}


def _submit(session: Session, where: _Where, event: dict[str, Any]) -> str:
    """Capture ``event`` as the recorder's (``sectors.recording``): "captured" or "duplicate"; a refused one leaves
    nothing and raises InvalidInput with capture's reason."""
    return "captured" if record_event(session, event, actor=where.recorder, source=SOURCE) else "duplicate"


def _recorded(status: str, where: _Where, **fields: Any) -> RecordedRead:
    return RecordedRead(event_id=where.event_id, status=status, **fields)


def record_mining(session: Session, body: MiningCreate, *, actor: Party | None) -> RecordedRead:
    """Mining output (commissioning at the mine) of a lot of a ``rare_earth.ore`` product, with its REO content."""
    where = _where(session, body, actor)
    code, _ = _goods(session, "", body.product, body.lot, "rare_earth.ore")
    quota = _quota(session, where, "mining")
    event = _event(
        where,
        "ObjectEvent",
        "commissioning",
        action="ADD",
        disposition="active",
        quantityList=[{"epcClass": code, "quantity": body.quantity, "uom": body.uom}],
        ilmd={"zs:reoContent": {code: body.reo_content}},
        **quota,
    )
    status = _submit(session, where, event)
    reo = body.quantity * KG[body.uom] * body.reo_content / 100 / 1000
    return _recorded(status, where, kind="mining", quota=quota.get("zs:quota"), reo_tonnes=round(reo, 6))


def record_separation(session: Session, body: SeparationCreate, *, actor: Party | None) -> RecordedRead:
    """Smelting and separation: rare earth lots in, ``rare_earth.smelted`` lots out. Refused (InvalidInput on
    ``outputs``) when the outputs hold more REO than the inputs beyond ``REO_TOLERANCE``; an input whose REO content
    is neither given nor stated by its production here is refused on its ``reo_content``."""
    where = _where(session, body, actor)
    ins = [_goods(session, f"inputs[{n}]", i.product, i.lot, "rare_earth")[0] for n, i in enumerate(body.inputs)]
    outs = [
        _goods(session, f"outputs[{n}]", o.product, o.lot, "rare_earth.smelted")[0] for n, o in enumerate(body.outputs)
    ]
    known = lot_reo(session, [c for c, i in zip(ins, body.inputs, strict=True) if i.reo_content is None])
    in_shares: dict[str, float] = {}
    in_reo = 0.0
    for n, (code, item) in enumerate(zip(ins, body.inputs, strict=True)):
        share = item.reo_content / 100 if item.reo_content is not None else known.get(code)
        if share is None:
            raise _invalid(
                f"inputs[{n}].reo_content",
                zh=f"批次 {code} 的稀土氧化物（REO）含量未知，请填写",
                en=f"the REO content of lot {code} is not known here: state it",
            )
        in_shares[code] = round(share * 100, 6)
        in_reo += item.quantity * KG[item.uom] * share
    out_reo = sum(o.quantity * KG[o.uom] * o.reo_content / 100 for o in body.outputs)
    if out_reo > in_reo * (1 + REO_TOLERANCE) + 1e-9:
        raise _invalid(
            "outputs",
            zh=f"产出折稀土氧化物 {out_reo / 1000:g} 吨，多于投入的 {in_reo / 1000:g} 吨"
            f"（容差 {REO_TOLERANCE:.1%}）：物料不平衡",
            en=f"the outputs hold {out_reo / 1000:g} t of REO, more than the inputs' {in_reo / 1000:g} t "
            f"(tolerance {REO_TOLERANCE:.1%}): out of balance",
        )
    quota = _quota(session, where, "separation")
    event = _event(
        where,
        "TransformationEvent",
        "commissioning",
        disposition="active",
        inputQuantityList=[
            {"epcClass": c, "quantity": i.quantity, "uom": i.uom} for c, i in zip(ins, body.inputs, strict=True)
        ],
        outputQuantityList=[
            {"epcClass": c, "quantity": o.quantity, "uom": o.uom} for c, o in zip(outs, body.outputs, strict=True)
        ],
        ilmd={"zs:reoContent": {c: o.reo_content for c, o in zip(outs, body.outputs, strict=True)}},
        **{"zs:inputReoContent": in_shares},
        **quota,
    )
    status = _submit(session, where, event)
    return _recorded(
        status,
        where,
        kind="separation",
        quota=quota.get("zs:quota"),
        reo_tonnes=round(out_reo / 1000, 6),
        input_reo_tonnes=round(in_reo / 1000, 6),
    )


def _counterpart(session: Session, value: str, field_name: str, recorder: Party) -> Party:
    found = parties_service.find_party_by_identifier(session, value)
    if found is None:
        raise _invalid(field_name, zh=f"本节点没有主体 {value}", en=f"no party {value} on this node")
    if found.id == recorder.id:
        raise _invalid(field_name, zh="不能是本企业自己", en="cannot be the recorder itself")
    if not found.gln:
        raise _invalid(field_name, zh=f"{found.name} 没有登记 GLN，事件无法注明它", en=f"{found.name} has no GLN")
    return found


def _lines(session: Session, goods: Sequence[GoodsLine]) -> tuple[list[dict[str, Any]], float]:
    """The quantityList of ``goods`` and the tonnes of REO they hold (100 % for a lot no production here states)."""
    codes = [_goods(session, f"goods[{n}]", g.product, g.lot, "rare_earth")[0] for n, g in enumerate(goods)]
    shares = lot_reo(session, codes)
    reo = sum(g.quantity * KG[g.uom] * shares.get(c, 1.0) for c, g in zip(codes, goods, strict=True)) / 1000
    return [{"epcClass": c, "quantity": g.quantity, "uom": g.uom} for c, g in zip(codes, goods, strict=True)], reo


def record_sale(session: Session, body: SaleCreate, *, actor: Party | None) -> RecordedRead:
    """A sale: the goods shipped from the caller's site to ``buyer``, naming the invoice."""
    where = _where(session, body, actor)
    buyer = _counterpart(session, body.buyer, "buyer", where.recorder)
    quantities, reo = _lines(session, body.goods)
    event = _event(
        where,
        "ObjectEvent",
        "shipping",
        action="OBSERVE",
        disposition="in_transit",
        quantityList=quantities,
        bizTransactionList=[{"type": "inv", "bizTransaction": f"urn:zhuisu:inv:{body.document}"}],
        sourceList=[
            {"type": "owning_party", "source": PGLN + str(where.recorder.gln)},
            {"type": "location", "source": where.site},
        ],
        destinationList=[{"type": "owning_party", "destination": PGLN + str(buyer.gln)}],
    )
    status = _submit(session, where, event)
    return _recorded(status, where, kind=None, quota=None, reo_tonnes=round(reo, 6))


def record_receipt(session: Session, body: ReceiptCreate, *, actor: Party | None) -> RecordedRead:
    """A receipt at the caller's site of goods ``seller`` shipped, naming the invoice."""
    where = _where(session, body, actor)
    seller = _counterpart(session, body.seller, "seller", where.recorder)
    quantities, reo = _lines(session, body.goods)
    event = _event(
        where,
        "ObjectEvent",
        "receiving",
        action="OBSERVE",
        disposition="in_progress",
        quantityList=quantities,
        bizTransactionList=[{"type": "inv", "bizTransaction": f"urn:zhuisu:inv:{body.document}"}],
        sourceList=[{"type": "owning_party", "source": PGLN + str(seller.gln)}],
        destinationList=[
            {"type": "owning_party", "destination": PGLN + str(where.recorder.gln)},
            {"type": "location", "destination": where.site},
        ],
    )
    status = _submit(session, where, event)
    return _recorded(status, where, kind=None, quota=None, reo_tonnes=round(reo, 6))
