"""Recall orders: issue (snapshot the impact, tell the holders, publish the notice), read, list, close.

Issuing a recall of a code walks everything downstream of it (``service.recall_impact``) and keeps what it found:
each thing with its holder then and its quantity (``recall_things``), each holder of something that counts with
its region and the quantity it holds (``recall_holders``: the lines of the completion, and the holders' console
inboxes). The product page of every thing reached shows the notice (召回公告): ``notices_changed`` tells the
portal, whose stories of those things become stale in this transaction.

Holders confirm with ordinary EPCIS events (``completion``): quarantine, return, destruction. Closing keeps the
completion it closed at (``recalls.final``): later events change nothing of a closed recall.

Quantities: an instance counts 1, a lot or class its quantity (``impact.quantities``), a logistic unit (SSCC)
nothing of its own (its contents count); the recalled code itself counts only when nothing else downstream does (a
lot made into items is counted as the items).
"""

import re
from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import and_, func, insert, or_, select
from sqlalchemy.orm import Session

from zhuisu.capture import permissions as capture_permissions
from zhuisu.codes.canonical import canonical_code
from zhuisu.errors import InvalidInput
from zhuisu.kit.time import format_iso, utc_now
from zhuisu.models import AuditEntry, Event, EventEpc, Party, Recall, RecallHolder, RecallThing
from zhuisu.parties import service as parties_service
from zhuisu.recall import completion, permissions, service, signals
from zhuisu.recall.errors import RecallClosed, RecallNotFound, UnknownCode
from zhuisu.recall.schemas import ImpactSummary, PartyRef, RecallCreate, RecallRead, RecallSummary
from zhuisu.trace.schemas import ImpactRead, QuantityRead

#: What the notice tells consumers to do when the issuer says nothing more, by level.
ADVICE = {
    1: "立即停止食用或使用，并与销售者或生产者联系退货、退款；如已出现不适，请及时就医。",
    2: "请停止食用或使用，并与销售者或生产者联系退货、退款。",
    3: "请与销售者或生产者联系退货、换货。",
}
UNKNOWN_HOLDER = "unknown"
_GTIN = re.compile(r"^https://id\.gs1\.org/01/(\d{14})(?:/|$)")
_THING_ROWS = 5000


def issue_recall(session: Session, *, issuer: Party, order: RecallCreate, relayed: bool = False) -> Recall:
    """Issue a recall as ``issuer``: checks who may (``permissions.issuing_kind``), snapshots the impact, names
    the holders, writes the audit entry and announces the notice (``signals.notices_changed``). ``relayed``: an
    order the parent node issued, relayed here to the holders this node registers (``exchange.federation``; the
    issuer is the parent's party here, and the kind is the parent's order's) — never from a request.

    Raises UnknownCode (nothing recorded about the code), NotYourProduct, InvalidInput (a deadline past, a kind
    that is not the issuer's)."""
    code, starts = _scope(session, order)
    owner = _owner(session, code)
    class_id = _class_of(session, owner)
    kind = (order.kind or "ordered") if relayed else permissions.issuing_kind(issuer, owner, class_id)
    if order.kind is not None and order.kind != kind:
        if (
            issuer.actor != "admin" and not relayed
        ):  # only the admin chooses; anyone else's kind is the one its role gives
            raise InvalidInput(
                f"召回类型应为 {kind}（由发起方决定），而不是 {order.kind}",
                message_en=f"the recall's kind is {kind} (it follows from who issues it), not {order.kind}",
                field="kind",
            )
        kind = order.kind
    now = utc_now()
    if order.deadline <= now:
        raise InvalidInput("完成期限应晚于现在", message_en="the deadline must be in the future", field="deadline")
    impact = _impact(session, code, starts)
    recall = Recall(
        kind=kind,
        level=order.level,
        status="open",
        code=code,
        scope_since=order.since.astimezone(UTC) if order.since else None,
        scope_until=order.until.astimezone(UTC) if order.until else None,
        reason=order.reason.strip(),
        advice=order.advice.strip() or ADVICE[order.level],
        deadline=order.deadline.astimezone(UTC),
        issuer_id=issuer.id,
        owner_id=owner[0] if owner else None,
        owner_region=owner[2] if owner else None,
        class_id=class_id,
        created_at=now,
        close_note="",
    )
    session.add(recall)
    session.flush()
    counted = _quantities(code, impact.things, impact.quantities)
    lines = _holders(session, recall, impact.holder_of, impact.things, counted, now)
    rows = [
        {
            "recall_id": recall.id,
            "thing": thing,
            "holder_id": line.id if (line := lines.get(impact.holder_of.get(thing, UNKNOWN_HOLDER))) else None,
            "quantity": counted[thing][0],
            "uom": counted[thing][1],
        }
        for thing in impact.things
    ]
    for start in range(0, len(rows), _THING_ROWS):
        session.execute(insert(RecallThing), rows[start : start + _THING_ROWS])
    total = sum(q for q, _ in counted.values())
    units = {u for q, u in counted.values() if q}
    recall.impact = {
        "things": len(impact.things),
        "quantity_out": total,
        "uom": units.pop() if len(units) == 1 else None,
        "holders": len(lines),
        "regions": impact.regions,
    }
    session.add(
        AuditEntry(
            actor_id=issuer.id,
            action="recall_issued",
            subject=recall.id,
            payload={
                "code": code,
                "kind": kind,
                "level": order.level,
                "holders": len(lines),
                "things": len(rows),
                **({"relayed": True} if relayed else {}),
            },
        )
    )
    session.flush()
    signals.notices_changed.send(session, impact.things)
    signals.holders_notified.send(session, _holder_notices(session, recall, list(lines.values()), "issued"))
    return recall


#: What a holder is asked to do, in the notice its hook is sent.
HOLDER_STEPS_ZH = (
    "请在期限前停止销售并隔离（处置状态 recalled 或 non_sellable_other）、退回（发货，处置状态 returned）或销毁"
    "（业务步骤 destroying），并以 EPCIS 事件记录；完成进度由这些事件计算。"
)
HOLDER_STEPS_EN = (
    "Before the deadline, stop selling and quarantine (disposition recalled or non_sellable_other), return "
    "(shipping, disposition returned) or destroy (bizStep destroying), recorded as EPCIS events; completion is "
    "computed from those events."
)


def _holder_notices(
    session: Session, recall: Recall, lines: Sequence[RecallHolder], event: str
) -> list[tuple[str, dict[str, Any]]]:
    """One notice body per holder line that is a registered party (``signals.holders_notified``)."""
    issuer = session.get(Party, recall.issuer_id)
    about: dict[str, Any] = {
        "id": recall.id,
        "kind": recall.kind,
        "level": recall.level,
        "status": recall.status,
        "code": recall.code,
        "reason": recall.reason,
        "advice": recall.advice,
        "deadline": format_iso(recall.deadline),
        "issued_at": format_iso(recall.created_at),
        "issuer": issuer.name if issuer else recall.issuer_id,
        "link": f"/recalls/{recall.id}",
    }
    if event == "closed" and recall.closed_at is not None:
        about |= {
            "closed_at": format_iso(recall.closed_at),
            "close_note": recall.close_note,
            "completion_percent": (recall.final or {}).get("completion", {}).get("percent"),
        }
    return [
        (
            line.party_id,
            {
                "type": "RecallNotice",
                "event": event,
                "recall": about,
                "holder": {
                    "party": line.party,
                    "name": line.name,
                    "quantity_out": line.quantity_out,
                    "uom": line.uom,
                    "things": line.things,
                },
                "what_to_do_zh": HOLDER_STEPS_ZH if event == "issued" else "召回已结束。",
                "what_to_do_en": HOLDER_STEPS_EN if event == "issued" else "The recall is closed.",
            },
        )
        for line in lines
        if line.party_id is not None
    ]


def _scope(session: Session, order: RecallCreate) -> tuple[str, list[str]]:
    """(the recall's code, the codes its impact starts from). A code: itself, when something is recorded about it.
    A product: its GTIN's Digital Link, and every item and lot of it made in [since, until) — the outputs of
    transformations and what commissioning added."""
    if order.code is not None:
        code = canonical_code(order.code)
        if session.scalar(select(EventEpc.id).where(EventEpc.value == code).limit(1)) is None:
            raise UnknownCode(
                f"没有关于追溯码 {order.code.strip()} 的记录，无法召回",
                message_en=f"nothing is recorded about {order.code.strip()}: there is nothing to recall",
                field="code",
            )
        return code, [code]
    product = (order.product or "").strip()
    code = canonical_code(product.zfill(14)) if product.isdigit() else ""
    if not _GTIN.match(code):
        raise InvalidInput(
            f"产品 {product} 不是有效的 GTIN", message_en=f"product {product} is not a valid GTIN", field="product"
        )
    made = (
        select(EventEpc.value)
        .join(Event, Event.id == EventEpc.event_pk)
        .where(
            or_(EventEpc.value == code, EventEpc.value.startswith(code + "/", autoescape=True)),
            or_(
                EventEpc.role.in_(("output", "output_qty")),
                and_(Event.biz_step == "commissioning", Event.action == "ADD"),
            ),
        )
        .distinct()
    )
    if order.since:
        made = made.where(Event.event_time >= order.since)
    if order.until:
        made = made.where(Event.event_time < order.until)
    starts = sorted(session.scalars(made))
    if not starts:
        raise UnknownCode(
            f"没有记录产品 {product} 在此期间生产的批次或单品，无法召回",
            message_en=f"no item or lot of product {product} is recorded as made in that range: nothing to recall",
            field="product",
        )
    return code, starts


def _impact(session: Session, code: str, starts: list[str]) -> ImpactRead:
    """The impact of each start, merged (one walk each)."""
    if starts == [code]:
        return service.recall_impact(session, code)
    things: set[str] = set()
    quantities: dict[str, QuantityRead] = {}
    holder_of: dict[str, str] = {}
    regions: set[str] = set()
    for start in starts:
        found = service.recall_impact(session, start)
        things.update(found.things)
        quantities.update(found.quantities)
        holder_of.update(found.holder_of)
        regions.update(found.regions)
    return ImpactRead(
        code=code,
        things=sorted(things),
        quantities=dict(sorted(quantities.items())),
        holders=sorted(set(holder_of.values())),
        regions=sorted(regions),
        holder_of=dict(sorted(holder_of.items())),
    )


def _owner(session: Session, code: str) -> capture_permissions.Owner | None:
    match = _GTIN.search(code)
    gtin = match.group(1) if match else None
    return capture_permissions.owners(session, {gtin}).get(gtin) if gtin else None


def _class_of(session: Session, owner: capture_permissions.Owner | None) -> str | None:
    """The product's class, else the class its owner is registered under."""
    if owner is None:
        return None
    owner_id, class_id, _ = owner
    if class_id is None and owner_id is not None:
        return parties_service.get_party(session, owner_id).product_class
    return class_id


def _quantities(
    code: str, things: Sequence[str], quantities: dict[str, QuantityRead]
) -> dict[str, tuple[float, str | None]]:
    """What each thing counts for (see the module docstring)."""
    counted: dict[str, tuple[float, str | None]] = {}
    for thing in things:
        if thing in quantities:
            counted[thing] = (quantities[thing].value, quantities[thing].uom)
        elif "/00/" in thing:
            counted[thing] = (0.0, None)
        else:
            counted[thing] = (1.0, None)
    if code in counted and any(q for t, (q, _) in counted.items() if t != code):
        counted[code] = (0.0, counted[code][1])
    return counted


def _holders(
    session: Session,
    recall: Recall,
    holder_of: dict[str, str],
    things: Sequence[str],
    counted: dict[str, tuple[float, str | None]],
    now: datetime,
) -> dict[str, RecallHolder]:
    held: dict[str, list[str]] = defaultdict(list)
    for thing in things:
        held[holder_of.get(thing, UNKNOWN_HOLDER)].append(thing)
    lines = {}
    for holder, its in sorted(held.items()):
        if not any(counted[t][0] for t in its):
            continue  # holds only what counts for nothing (the recalled lot itself, logistic units): no line
        party = parties_service.find_party_by_identifier(session, holder) if holder != UNKNOWN_HOLDER else None
        units = {counted[t][1] for t in its if counted[t][0]}
        line = RecallHolder(
            recall_id=recall.id,
            party=holder,
            party_id=party.id if party else None,
            name=party.name if party else ("未知持有方" if holder == UNKNOWN_HOLDER else holder.rsplit("/", 1)[-1]),
            region=party.region if party else None,
            quantity_out=sum(counted[t][0] for t in its),
            uom=units.pop() if len(units) == 1 else None,
            things=len(its),
            notified_at=now,
        )
        session.add(line)
        lines[holder] = line
    session.flush()
    return lines


def get_recall(session: Session, recall_id: str, *, reader: Party | None) -> RecallRead:
    """The recall as ``reader`` may see it (``permissions.view_of``). Raises RecallNotFound."""
    recall = _find(session, recall_id)
    view = permissions.view_of(session, reader, recall)
    return completion.read(session, recall, view=view, reader=reader, now=utc_now())


def _find(session: Session, recall_id: str, *, lock: bool = False) -> Recall:
    statement = select(Recall).where(Recall.id == recall_id)
    recall = session.scalar(statement.with_for_update() if lock else statement)
    if recall is None:
        raise RecallNotFound(f"没有编号为 {recall_id} 的召回", message_en=f"no recall {recall_id}")
    return recall


def find_for_report(session: Session, recall_id: str, *, reader: Party | None) -> Recall:
    """The recall whose report ``reader`` asks for: only whoever reads it whole gets it."""
    recall = _find(session, recall_id)
    permissions.check_whole(session, reader, recall)
    return recall


def list_recalls(
    session: Session, *, reader: Party | None, status: str | None = None, limit: int = 200
) -> list[RecallSummary]:
    """The recalls in ``reader``'s lane, newest first (a holder's with the completion of its own lines)."""
    statement = select(Recall).where(permissions.lane(reader)).order_by(Recall.created_at.desc(), Recall.id)
    if status:
        statement = statement.where(Recall.status == status)
    now = utc_now()
    found = []
    for recall in session.scalars(statement.limit(limit)):
        view = permissions.view_of(session, reader, recall)
        read = completion.read(session, recall, view=view, reader=reader, now=now)
        found.append(RecallSummary.model_validate(read.model_dump()))
    return found


def count_recalls(session: Session, *, reader: Party | None) -> int:
    return int(session.scalar(select(func.count()).select_from(Recall).where(permissions.lane(reader))) or 0)


def close_recall(session: Session, recall_id: str, *, actor: Party | None, note: str = "") -> RecallRead:
    """Close the recall (its row locked): keeps the completion it closes at, audited, and the notices say so.
    Raises RecallNotFound, NotYourRecall (a holder), RecallClosed."""
    recall = _find(session, recall_id, lock=True)
    permissions.check_whole(session, actor, recall)
    if recall.status == "closed":
        raise RecallClosed(f"召回 {recall.id} 已经结束", message_en=f"the recall {recall.id} is already closed")
    now = utc_now()
    recall.status, recall.closed_at, recall.close_note = "closed", now, note.strip()
    recall.closed_by = actor.id if actor else None
    recall.final = completion.snapshot(session, recall, now=now)
    session.add(
        AuditEntry(
            actor_id=actor.id if actor else None,
            action="recall_closed",
            subject=recall.id,
            payload={"percent": recall.final["completion"]["percent"], "note": recall.close_note},
        )
    )
    session.flush()
    signals.notices_changed.send(
        session, list(session.scalars(select(RecallThing.thing).where(RecallThing.recall_id == recall.id)))
    )
    holders = session.scalars(select(RecallHolder).where(RecallHolder.recall_id == recall.id).order_by(RecallHolder.id))
    signals.holders_notified.send(session, _holder_notices(session, recall, list(holders), "closed"))
    return completion.read(session, recall, view="all", reader=actor, now=now)


def issuer_ref(session: Session, recall: Recall) -> PartyRef:
    party = session.get(Party, recall.issuer_id)
    return PartyRef(id=recall.issuer_id, name=party.name if party else recall.issuer_id)


def impact_summary(recall: Recall) -> ImpactSummary:
    return ImpactSummary.model_validate(recall.impact)


def notices_for(session: Session, code: str) -> list[Recall]:
    """The recalls whose notice the product page of ``code`` shows (it was reached by them), oldest first."""
    statement = (
        select(Recall)
        .join(RecallThing, RecallThing.recall_id == Recall.id)
        .where(RecallThing.thing == code)
        .order_by(Recall.created_at, Recall.id)
    )
    return list(session.scalars(statement))


def recalls_held_by(session: Session, party: Party) -> list[tuple[Recall, RecallHolder]]:
    """The console inbox: the open and closed recalls that name ``party`` as a holder, newest first, with its line."""
    statement = (
        select(Recall, RecallHolder)
        .join(RecallHolder, RecallHolder.recall_id == Recall.id)
        .where(RecallHolder.party_id == party.id)
        .order_by(Recall.created_at.desc(), Recall.id)
    )
    return [(r, h) for r, h in session.execute(statement)]
