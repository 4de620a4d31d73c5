"""How far a recall has come, computed from the events its holders recorded since it was issued.

A holder confirms with standard EPCIS events naming the recalled things: a quarantine (disposition ``recalled`` or
``non_sellable_other``), a return (disposition ``returned``, shipping them back), a destruction (step
``destroying``, or disposition ``destroyed``). Only the events the holder itself recorded count for its lines: the
same event by a party that did not hold the things is listed as ``ignored`` (``not_a_holder``) and counts nothing.

An event naming a container (a case, a pallet) confirms the recalled things in it when it happened (packed at or
before it and not unpacked since, three levels deep).

A thing is confirmed up to its quantity: an instance by any such event, a lot or class by the quantities the events
name (summed per kind of event, the largest kind taken: quarantining 50 kg and then returning the same 50 kg is
50 kg). A holder is ``confirmed`` when its quantity is, ``partial`` or ``pending`` before the deadline, ``overdue``
after it. A closed recall reads what it closed at (``recalls.final``).
"""

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from zhuisu.models import Event, EventEpc, Party, Recall, RecallHolder, RecallThing, TraceLink
from zhuisu.recall.permissions import View
from zhuisu.recall.schemas import (
    CompletionRead,
    HolderRead,
    HolderStatus,
    IgnoredEvent,
    ImpactSummary,
    PartyRef,
    RecallRead,
    RegionCompletion,
    TimelineEntry,
)

Kind = Literal["quarantined", "returned", "destroyed"]
QUARANTINE = ("recalled", "non_sellable_other")
DISPOSITIONS = (*QUARANTINE, "returned", "destroyed")


@dataclass
class Progress:
    holders: list[HolderRead]
    timeline: list[TimelineEntry]
    ignored: list[IgnoredEvent]
    #: (thing, holder name, quantity not confirmed, unit) of every thing not wholly confirmed.
    unconfirmed: list[tuple[str, str, float, str | None]] = field(default_factory=list)


def kind_of(disposition: str | None, biz_step: str | None) -> Kind:
    if biz_step == "destroying" or disposition == "destroyed":
        return "destroyed"
    return "returned" if disposition == "returned" else "quarantined"


def progress(session: Session, recall: Recall, *, now: datetime) -> Progress:
    """The completion of ``recall`` as the store says now (one statement for the events)."""
    lines = list(
        session.scalars(select(RecallHolder).where(RecallHolder.recall_id == recall.id).order_by(RecallHolder.id))
    )
    by_id = {line.id: line for line in lines}
    found = session.execute(
        select(
            RecallThing.thing,
            RecallThing.holder_id,
            RecallThing.quantity,
            EventEpc.quantity,
            Event.event_id,
            Event.event_time,
            Event.recorder_id,
            Event.disposition,
            Event.biz_step,
        )
        .join(EventEpc, EventEpc.value == RecallThing.thing)
        .join(Event, Event.id == EventEpc.event_pk)
        .where(
            RecallThing.recall_id == recall.id,
            Event.record_time >= recall.created_at,
            or_(Event.disposition.in_(DISPOSITIONS), Event.biz_step == "destroying"),
        )
        .order_by(Event.event_time, Event.id)
    ).all()
    rows: list[tuple[Any, ...]] = [*found, *_through_containers(session, recall, found)]
    per_kind: dict[str, dict[Kind, float]] = defaultdict(lambda: defaultdict(float))
    out: dict[str, float] = {}
    held_by: dict[str, int] = {}
    events: dict[int, list[str]] = defaultdict(list)
    moments: dict[str, tuple[datetime, Kind, int, set[str], float]] = {}
    ignored: dict[str, IgnoredEvent] = {}
    for thing, holder_id, quantity, named, event_id, event_time, recorder_id, disposition, biz_step in rows:
        line = by_id.get(holder_id) if holder_id is not None else None
        if line is None and not quantity:
            continue  # a container no line holds: counts through what is in it (``_through_containers``)
        if line is None or line.party_id != recorder_id:
            ignored.setdefault(event_id, IgnoredEvent(event_id=event_id, recorder_id=recorder_id))
            continue
        kind = kind_of(disposition, biz_step)
        counted = quantity if named is None else min(named, quantity)
        per_kind[thing][kind] += counted
        out[thing], held_by[thing] = quantity, line.id
        if event_id not in events[line.id]:
            events[line.id].append(event_id)
        moment = moments.setdefault(event_id, (event_time, kind, line.id, set(), 0.0))
        moment[3].add(thing)
        moments[event_id] = (*moment[:4], moment[4] + counted)
    confirmed = {thing: min(out[thing], max(kinds.values())) for thing, kinds in per_kind.items()}
    by_line: dict[int, float] = defaultdict(float)
    for thing, done in confirmed.items():
        by_line[held_by[thing]] += done
    holders = [_line(line, by_line[line.id], events[line.id], recall.deadline, now) for line in lines]
    timeline = [
        TimelineEntry(
            time=t, kind=k, party=by_id[line_id].name, event_id=event_id, things=len(things), quantity=quantity
        )
        for event_id, (t, k, line_id, things, quantity) in moments.items()
    ]
    return Progress(holders, timeline, list(ignored.values()), _unconfirmed(session, recall, by_id, confirmed))


#: How deep a confirmation naming a container reaches into it (pallet → case → item).
LEVELS = 3
CHUNK = 500


def _through_containers(session: Session, recall: Recall, rows: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Rows for the things packed in the containers confirmation events name (a holder quarantining a case
    quarantines what is in it): each recalled thing in the container when the event happened — packed at or
    before it, not unpacked since — also its containers' contents, ``LEVELS`` deep."""
    containers = sorted({row[0] for row in rows if not row[2]})
    if not containers:
        return []
    links: dict[str, list[tuple[str, str | None, datetime]]] = defaultdict(list)
    level, seen = containers, set(containers)
    for _ in range(LEVELS):
        children: set[str] = set()
        for start in range(0, len(level), CHUNK):
            for src, dst, kind, when in session.execute(
                select(TraceLink.src, TraceLink.dst, TraceLink.kind, TraceLink.event_time).where(
                    TraceLink.src.in_(level[start : start + CHUNK]), TraceLink.kind.in_(("pack", "unpack"))
                )
            ):
                links[src].append((kind, dst, when))
                if kind == "pack" and dst is not None and dst not in seen:
                    children.add(dst)
        seen |= children
        level = sorted(children)
        if not level:
            break
    inside = sorted(seen - set(containers))
    recalled: dict[str, tuple[int | None, float]] = {}
    for start in range(0, len(inside), CHUNK):
        for thing, holder_id, quantity in session.execute(
            select(RecallThing.thing, RecallThing.holder_id, RecallThing.quantity).where(
                RecallThing.recall_id == recall.id, RecallThing.thing.in_(inside[start : start + CHUNK])
            )
        ):
            recalled[thing] = (holder_id, quantity)
    found = []
    for row in rows:
        if row[2]:
            continue
        for child in sorted(_contents(links, row[0], row[5], LEVELS)):
            if child in recalled:
                holder_id, quantity = recalled[child]
                found.append((child, holder_id, quantity, None, *row[4:]))
    return found


def _contents(
    links: dict[str, list[tuple[str, str | None, datetime]]], parent: str, at: datetime, depth: int
) -> set[str]:
    """What was packed in ``parent`` at ``at`` (and in what was packed in it)."""
    held: set[str] = set()
    for kind, child, when in sorted(links.get(parent, ()), key=lambda link: (link[2], link[0] == "pack")):
        if when > at:
            break
        if kind == "pack" and child is not None:
            held.add(child)
        elif child is None:
            held.clear()
        else:
            held.discard(child)
    if depth > 1:
        for child in list(held):
            held |= _contents(links, child, at, depth - 1)
    return held


def _unconfirmed(
    session: Session, recall: Recall, lines: dict[int, RecallHolder], confirmed: dict[str, float]
) -> list[tuple[str, str, float, str | None]]:
    found = []
    statement = (
        select(RecallThing.thing, RecallThing.holder_id, RecallThing.quantity, RecallThing.uom)
        .where(RecallThing.recall_id == recall.id, RecallThing.quantity > 0)
        .order_by(RecallThing.thing)
    )
    for thing, holder_id, quantity, uom in session.execute(statement):
        left = quantity - confirmed.get(thing, 0.0)
        if left > 0:
            found.append((thing, lines[holder_id].name if holder_id in lines else "", left, uom))
    return found


def _line(line: RecallHolder, confirmed: float, events: list[str], deadline: datetime, now: datetime) -> HolderRead:
    status: HolderStatus
    if (line.quantity_out > 0 and confirmed >= line.quantity_out) or (line.quantity_out == 0 and events):
        status = "confirmed"
    elif now > deadline:
        status = "overdue"
    else:
        status = "partial" if confirmed > 0 else "pending"
    return HolderRead(
        party=line.party,
        party_id=line.party_id,
        name=line.name,
        region=line.region,
        things=line.things,
        quantity_out=line.quantity_out,
        quantity_confirmed=confirmed,
        uom=line.uom,
        status=status,
        events=events,
    )


def totals(holders: list[HolderRead]) -> CompletionRead:
    out = sum(h.quantity_out for h in holders)
    done = sum(h.quantity_confirmed for h in holders)
    ratio = done / out if out else 1.0
    regions: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    for h in holders:
        regions[h.region or "unknown"][0] += h.quantity_out
        regions[h.region or "unknown"][1] += h.quantity_confirmed
    return CompletionRead(
        quantity_out=out,
        quantity_confirmed=done,
        ratio=ratio,
        percent=round(ratio * 100, 1),
        holders=len(holders),
        holders_confirmed=sum(1 for h in holders if h.status == "confirmed"),
        holders_overdue=sum(1 for h in holders if h.status == "overdue"),
        regions=[
            RegionCompletion(region=r, quantity_out=o, quantity_confirmed=c) for r, (o, c) in sorted(regions.items())
        ],
    )


def snapshot(session: Session, recall: Recall, *, now: datetime) -> dict[str, Any]:
    """What a recall keeps when it closes (``recalls.final``), as JSON."""
    found = progress(session, recall, now=now)
    return {
        "holders": [h.model_dump(mode="json") for h in found.holders],
        "completion": totals(found.holders).model_dump(mode="json"),
        "timeline": [e.model_dump(mode="json") for e in found.timeline],
        "ignored": [e.model_dump(mode="json") for e in found.ignored],
        "unconfirmed": [list(row) for row in found.unconfirmed],
    }


def current(session: Session, recall: Recall, *, now: datetime) -> Progress:
    """The progress of an open recall, or what a closed one closed at."""
    if recall.final is None:
        return progress(session, recall, now=now)
    final = recall.final
    return Progress(
        holders=[HolderRead.model_validate(h) for h in final["holders"]],
        timeline=[TimelineEntry.model_validate(e) for e in final["timeline"]],
        ignored=[IgnoredEvent.model_validate(e) for e in final["ignored"]],
        unconfirmed=[(t, h, q, u) for t, h, q, u in final["unconfirmed"]],
    )


def read(session: Session, recall: Recall, *, view: View, reader: Party | None, now: datetime) -> RecallRead:
    """``recall`` as a reader with ``view`` sees it (a holder: its own lines, their impact and completion)."""
    found = current(session, recall, now=now)
    holders, timeline, ignored = found.holders, found.timeline, found.ignored
    impact = ImpactSummary.model_validate(recall.impact)
    if view == "holder":
        holders = [h for h in holders if reader is not None and h.party_id == reader.id]
        mine = {e for h in holders for e in h.events}
        timeline = [e for e in timeline if e.event_id in mine]
        ignored = []
        units = {h.uom for h in holders}
        impact = ImpactSummary(
            things=sum(h.things for h in holders),
            quantity_out=sum(h.quantity_out for h in holders),
            uom=units.pop() if len(units) == 1 else None,
            holders=len(holders),
            regions=sorted({h.region for h in holders if h.region}),
        )
    issuer = session.get(Party, recall.issuer_id)
    owner = session.get(Party, recall.owner_id) if recall.owner_id else None
    issued = TimelineEntry(time=recall.created_at, kind="issued", party=issuer.name if issuer else recall.issuer_id)
    closed = (
        [TimelineEntry(time=recall.closed_at, kind="closed", party=_name(session, recall.closed_by))]
        if recall.closed_at
        else []
    )
    return RecallRead(
        id=recall.id,
        kind=recall.kind,
        level=recall.level,
        status=recall.status,
        code=recall.code,
        reason=recall.reason,
        deadline=recall.deadline,
        created_at=recall.created_at,
        closed_at=recall.closed_at,
        issuer=PartyRef(id=recall.issuer_id, name=issued.party),
        completion=totals(holders),
        view=view,
        since=recall.scope_since,
        until=recall.scope_until,
        advice=recall.advice,
        owner=PartyRef(id=owner.id, name=owner.name) if owner else None,
        class_id=recall.class_id,
        impact=impact,
        holders=holders,
        timeline=[issued, *timeline, *closed],
        ignored=ignored,
        close_note=recall.close_note,
    )


def _name(session: Session, party_id: str | None) -> str:
    party = session.get(Party, party_id) if party_id else None
    return party.name if party else "本节点"
