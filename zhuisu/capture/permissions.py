"""Who may capture what, and who may see a capture job.

- A capture job is seen by the party that captured it and the node's admin (it lists the events sent and why each
  was refused).
- An event's business location and read point may be a location the recorder registered, or one nobody registered;
  a location registered to another party is refused (``not_your_location``): a party records what happens at its
  own sites. Its sources and destinations may name anyone (its trading partners).
- Dispositions with public consequences (the portal shows them to consumers): a ``recalled`` disposition on things
  of another owner's product — its registered producer, else the holder of the GS1 company prefix it is under, else
  whoever first commissioned it here (``owners``) — is refused (``not_your_product``), and so is an inspection
  result (``conformant``, ``non_conformant``; ``not_your_inspection``) — only the producer, a regulator whose
  jurisdiction and mandate cover the producer and the product's class, or the admin recall; inspection bodies also
  record results; and a holder that an open recall order names as the holder of every thing the event names
  quarantines them as ``recalled`` (it does what it was told to). Destroying (``destroyed``, or the ``destroying``
  step) things another party holds — their last custody event gave them to another party — is refused
  (``not_your_goods``) but to the product's producer and its supervising regulators.
- A platform records for an enterprise only under a delegation in force (``parties.delegations``; the job's
  ``agent_id``): the events are the enterprise's and meet the enterprise's rules above; without the delegation every
  event is refused (``not_delegated``), and a delegation limited to classes refuses events naming a registered
  product of another class (``outside_delegation``). The platform and the enterprise both see the job.

The checks read the registered locations of the whole batch in one statement; the products (and for destruction the
holders) only for the rare events with public consequences.
"""

import re
from collections.abc import Sequence
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from zhuisu.auth.roles import covers, is_admin, supervises
from zhuisu.codes.canonical import canonical_id
from zhuisu.epcis.identifiers import cbv_short, named_codes
from zhuisu.epcis.reports import EventError
from zhuisu.errors import PermissionDenied
from zhuisu.events.permissions import party_identifiers
from zhuisu.models import (
    CaptureJob,
    CodeIssuer,
    Event,
    EventEpc,
    Location,
    Party,
    Product,
    Recall,
    RecallHolder,
    RecallThing,
    TraceHolding,
)

_SITE = re.compile(r"^https://id\.gs1\.org/414/(\d{13})(?:/|$)")
_GTIN_DL = "https://id.gs1.org/01/"
_GTIN = re.compile(r"^https://id\.gs1\.org/01/(\d{14})(?:/|$)")


class NotYourCapture(PermissionDenied):
    code = "not_your_capture"


def check_job(actor: Party, job: CaptureJob) -> None:
    if actor.id not in (job.recorder_id, job.agent_id) and not is_admin(actor):
        raise NotYourCapture(
            f"采集任务 {job.id} 属于其他主体", message_en=f"the capture job {job.id} belongs to another party"
        )


def check_events(
    session: Session,
    actor: Party,
    events: Sequence[tuple[int, dict[str, Any]]],
    *,
    delegated: Sequence[str] | None = None,
) -> dict[int, list[EventError]]:
    """The errors of the events ``actor`` may not record, by index (see the module docstring); ``delegated``: the
    classes of the delegation a platform records them under (None: every class, or no delegation)."""
    if not events:
        return {}
    refused = _outside(session, events, delegated) if delegated is not None else {}
    if is_admin(actor):
        return refused
    for index, field, gln in _foreign_sites(session, actor, events):
        refused.setdefault(index, []).append(_not_yours(index, field, gln))
    consequential = {index: event for index, event in events if _consequence(event)}
    if consequential:
        for index, error in _consequences(session, actor, consequential):
            refused.setdefault(index, []).append(error)
    return refused


def _foreign_sites(
    session: Session, actor: Party, events: Sequence[tuple[int, dict[str, Any]]]
) -> list[tuple[int, str, str]]:
    """(index, field, GLN) of the business locations and read points another party registered."""
    sites = {index: _sites(event) for index, event in events}
    glns = {gln for found in sites.values() for _, gln in found}
    if not glns:
        return []
    owners = {g: p for g, p in session.execute(select(Location.gln, Location.party_id).where(Location.gln.in_(glns)))}
    return [
        (index, field, gln)
        for index, found in sites.items()
        for field, gln in found
        if owners.get(gln, actor.id) != actor.id
    ]


#: Dispositions with public consequences (the portal shows them to consumers) and who may set them.
_RECALL = "recalled"
_RESULTS = ("conformant", "non_conformant")
_DESTROYED = "destroyed"


def _consequence(event: dict[str, Any]) -> str | None:
    disposition = cbv_short(event.get("disposition"))
    if disposition in (_RECALL, _DESTROYED, *_RESULTS):
        return disposition
    return "destroyed" if cbv_short(event.get("bizStep")) == "destroying" else None


def _consequences(session: Session, actor: Party, events: dict[int, dict[str, Any]]) -> list[tuple[int, EventError]]:
    """Recalls and inspection results of another producer's products, and destruction of goods another party
    holds: refused unless ``actor`` is the producer, an authority supervising it (a regulator whose jurisdiction
    and mandate cover the producer and the product's class; for inspection results also an inspection body), or
    the holder."""
    named = {index: _gtins(event) for index, event in events.items()}
    gtins = {g for found in named.values() for g in found}
    products = owners(session, gtins)
    found: list[tuple[int, EventError]] = []
    destroyed: dict[int, dict[str, Any]] = {}
    recalled = {index: event for index, event in events.items() if _consequence(event) == _RECALL}
    answering = _answering_recalls(session, actor, recalled) if recalled else set()
    for index, event in events.items():
        kind = _consequence(event)
        if kind == _DESTROYED:
            destroyed[index] = event
            continue
        if index in answering:
            continue
        for gtin in sorted(named[index]):
            if gtin not in products:
                continue
            producer, class_id, region = products[gtin]
            if producer is None or producer == actor.id or supervises(actor, region, class_id):
                continue
            if kind == _RECALL:
                found.append((index, _not_your_product(index, gtin)))
            elif actor.actor != "inspector":
                found.append((index, _not_your_result(index, gtin, str(kind))))
    if destroyed:
        found += _others_goods(session, actor, destroyed, products)
    return found


def _answering_recalls(session: Session, actor: Party, events: dict[int, dict[str, Any]]) -> set[int]:
    """The ``recalled`` events of things every one of which an open recall order names ``actor`` as the holder of
    (``recall.orders``): a holder quarantines what it was told to recall."""
    things = {index: named_codes(event) for index, event in events.items()}
    values = sorted({t for found in things.values() for t in found})
    if not values:
        return set()
    held = set(
        session.scalars(
            select(RecallThing.thing)
            .join(Recall, Recall.id == RecallThing.recall_id)
            .join(RecallHolder, RecallHolder.id == RecallThing.holder_id)
            .where(RecallThing.thing.in_(values), Recall.status == "open", RecallHolder.party_id == actor.id)
        )
    )
    return {index for index, found in things.items() if found and set(found) <= held}


Owner = tuple[str | None, str | None, str | None]  #: (owner party id, product class, owner's region)


def owners(session: Session, gtins: set[str]) -> dict[str, Owner]:
    """Who owns each GTIN (the brand owner): the producer of the registered product; else the party whose GS1
    company prefix the GTIN is under (``zhuisu codes issuer``); else the party that first commissioned things of
    it on this node. A GTIN none of these names is absent (nobody claims it here)."""
    found: dict[str, Owner] = {}
    if not gtins:
        return found
    registered = (
        select(Product.gtin, Product.producer_id, Product.class_id, Party.region)
        .outerjoin(Party, Party.id == Product.producer_id)
        .where(Product.gtin.in_(gtins))
    )
    found.update(
        {str(g): (producer, class_id, region) for g, producer, class_id, region in session.execute(registered)}
    )
    rest = gtins - found.keys()
    prefixes = {gtin[1 : 1 + n]: gtin for gtin in rest for n in range(6, 13)}
    if prefixes:
        held = select(CodeIssuer.gs1_company_prefix, CodeIssuer.party_id, Party.region).join(
            Party, Party.id == CodeIssuer.party_id
        )
        for prefix, party_id, region in session.execute(held.where(CodeIssuer.gs1_company_prefix.in_(prefixes))):
            for gtin in rest:
                if prefix and gtin[1:].startswith(prefix):
                    found.setdefault(gtin, (party_id, None, region))
    for gtin in sorted(gtins - found.keys()):
        first = session.execute(
            select(Event.recorder_id, Party.region)
            .join(EventEpc, EventEpc.event_pk == Event.id)
            .join(Party, Party.id == Event.recorder_id)
            .where(
                or_(
                    EventEpc.value == f"{_GTIN_DL}{gtin}",
                    EventEpc.value.startswith(f"{_GTIN_DL}{gtin}/", autoescape=True),
                ),
                Event.biz_step == "commissioning",
            )
            .order_by(Event.event_time, Event.id)
            .limit(1)
        ).first()
        if first is not None:
            found[gtin] = (first.recorder_id, None, first.region)
    return found


def _others_goods(
    session: Session,
    actor: Party,
    events: dict[int, dict[str, Any]],
    products: dict[str, tuple[str | None, str | None, str | None]],
) -> list[tuple[int, EventError]]:
    """Destruction of things whose last holder (``trace_holdings``: the party the last custody event gave them to)
    is another party; the producer of a registered product and its supervising regulators may destroy them."""
    things = {index: named_codes(event) for index, event in events.items()}
    values = sorted({t for found in things.values() for t in found})
    if not values:
        return []
    latest = (
        select(TraceHolding.thing, TraceHolding.party, TraceHolding.event_time)
        .where(TraceHolding.thing.in_(values))
        .order_by(TraceHolding.thing, TraceHolding.event_time)
    )
    holder = {thing: party for thing, party, _ in session.execute(latest)}  # the last row of each thing wins
    mine = {actor.id, *party_identifiers(session, actor)}
    found: list[tuple[int, EventError]] = []
    for index, names in things.items():
        for thing in names:
            held_by = holder.get(thing)
            if held_by is None or held_by in mine:
                continue
            match = _GTIN.match(thing)
            producer, class_id, region = products.get(match.group(1), (None, None, None)) if match else (None,) * 3
            if producer == actor.id or supervises(actor, region, class_id):
                continue
            found.append((index, _not_your_goods(index, thing)))
            break
    return found


def not_delegated(index: int) -> EventError:
    return EventError(
        pointer=f"/epcisBody/eventList/{index}",
        code="not_delegated",
        expected="a delegation in force from the enterprise to the recording platform",
        message_zh=f"第 {index} 个事件：没有有效的委托允许本平台代该企业记录",
        message_en=f"event {index}: no delegation in force lets this platform record for the enterprise",
    )


def _outside(
    session: Session, events: Sequence[tuple[int, dict[str, Any]]], classes: Sequence[str]
) -> dict[int, list[EventError]]:
    """The events naming a registered product whose class is under none of ``classes``."""
    named = {index: _gtins(event) for index, event in events}
    gtins = {g for found in named.values() for g in found}
    if not gtins:
        return {}
    class_of = {g: c for g, c in session.execute(select(Product.gtin, Product.class_id).where(Product.gtin.in_(gtins)))}
    refused: dict[int, list[EventError]] = {}
    for index, found in named.items():
        for gtin in sorted(found):
            class_id = class_of.get(gtin)
            if class_id is not None and not covers(classes, class_id):
                refused.setdefault(index, []).append(_outside_delegation(index, gtin, class_id, classes))
    return refused


def _outside_delegation(index: int, gtin: str, class_id: str, classes: Sequence[str]) -> EventError:
    return EventError(
        pointer=f"/epcisBody/eventList/{index}",
        code="outside_delegation",
        expected=f"products of the delegated classes ({', '.join(classes)})",
        message_zh=f"第 {index} 个事件涉及类别 {class_id} 的产品（GTIN {gtin}），"
        f"不在委托范围（{'、'.join(classes)}）内",
        message_en=f"event {index} names a product of class {class_id} (GTIN {gtin}), outside the delegation "
        f"({', '.join(classes)})",
    )


def _sites(event: dict[str, Any]) -> list[tuple[str, str]]:
    found = []
    for field in ("bizLocation", "readPoint"):
        value = event.get(field)
        if isinstance(value, dict) and isinstance(value.get("id"), str):
            match = _SITE.match(canonical_id(value["id"]))
            if match:
                found.append((field, match.group(1)))
    return found


def _gtins(event: dict[str, Any]) -> set[str]:
    return {m.group(1) for code in named_codes(event) if (m := _GTIN.match(code))}


def _not_yours(index: int, field: str, gln: str) -> EventError:
    return EventError(
        pointer=f"/epcisBody/eventList/{index}/{field}/id",
        code="not_your_location",
        expected="a location registered to the recording party, or one nobody registered",
        message_zh=f"第 {index} 个事件的 {field} 是其他主体登记的位置（GLN {gln}）：只能记录本主体场所发生的事件",
        message_en=f"event {index}: the {field} is a location another party registered (GLN {gln}); a party records "
        "what happens at its own sites",
    )


def _not_your_result(index: int, gtin: str, disposition: str) -> EventError:
    return EventError(
        pointer=f"/epcisBody/eventList/{index}/disposition",
        code="not_your_inspection",
        expected="an inspection result by the product's producer, an inspection body or a supervising regulator",
        message_zh=f"第 {index} 个事件给其他生产者登记的产品（GTIN {gtin}）记录了检验结果 {disposition}："
        "只有生产者、检验检测机构或有管辖权的监管部门可以记录",
        message_en=f"event {index} records the inspection result {disposition} for a product another producer "
        f"registered (GTIN {gtin}); only the producer, an inspection body or a supervising regulator may",
    )


def _not_your_goods(index: int, thing: str) -> EventError:
    return EventError(
        pointer=f"/epcisBody/eventList/{index}",
        code="not_your_goods",
        expected="the destruction of things the recorder holds (its producer's, or a supervising regulator's)",
        message_zh=f"第 {index} 个事件销毁了其他主体持有的物品（{thing}）：只能销毁本主体持有的物品",
        message_en=f"event {index} destroys {thing}, which another party holds; a party destroys what it holds",
    )


def _not_your_product(index: int, gtin: str) -> EventError:
    return EventError(
        pointer=f"/epcisBody/eventList/{index}/disposition",
        code="not_your_product",
        expected="a recall by the product's producer, a supervising regulator or the admin",
        message_zh=f"第 {index} 个事件召回了其他生产者登记的产品（GTIN {gtin}）：只有品牌所有者或监管部门可以召回",
        message_en=f"event {index} recalls a product another producer registered (GTIN {gtin}); only the brand owner "
        "or a regulator may recall it",
    )
