"""Maintain the trace graph at capture time, from the EPCIS 2.0 / CBV 2.0 semantics of each stored event.

A step of capture's write path (``zhuisu.capture.service.WRITE_PATH``), so the graph is written in the capture
transaction and never diverges from the events:

- AggregationEvent ``ADD``: a ``pack`` link parent → each child (EPCs and class-level quantities); ``DELETE``:
  ``unpack`` links, or one ``unpack`` link with no child when the event names none (the parent was emptied).
  ``OBSERVE`` changes nothing (EPCIS 2.0 §7.4.3).
- TransformationEvent: a ``transform`` link from every input to every output, with the output's quantity.
  Events that share a ``transformationID`` are one transformation (§7.4.5): their members are kept, and the
  inputs of each are linked to the outputs of all.
- Any event naming a source or destination party or location: one custody row (owning party preferred to
  possessing party, as CBV 2.0 §8.2.10 defines both); when it names a party, one holding row per code the event
  names, with the party that held it after the event (destination, else source).
"""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session

from zhuisu.codes.canonical import canonical_id
from zhuisu.epcis.identifiers import cbv_short, named_codes
from zhuisu.events.stored import StoredEvent
from zhuisu.kit.time import parse_iso
from zhuisu.models import Event, TraceCustody, TraceHolding, TraceLink, TraceTransformMember

Member = tuple[str, float | None, str | None]
_PARTY_TYPES = ("owning_party", "possessing_party")
#: The tables themselves, for Core inserts (``record_events``).
_LINKS = cast(Table, TraceLink.__table__)
_MEMBERS = cast(Table, TraceTransformMember.__table__)


def record_events(session: Session, stored: Sequence[StoredEvent]) -> None:
    """Write the links, transformation members, custody and holding rows of newly stored events."""
    links: list[dict[str, Any]] = []
    custody: list[dict[str, Any]] = []
    holdings: list[dict[str, Any]] = []
    transformations: list[tuple[StoredEvent, datetime]] = []
    for item in stored:
        event = item.event
        when = parse_iso(event["eventTime"])
        kind = event.get("type")
        if kind == "AggregationEvent":
            links.extend(_aggregation_links(item.pk, when, event))
        elif kind == "TransformationEvent":
            transformations.append((item, when))
        row = _custody_row(item.pk, when, event)
        if row is not None:
            custody.append(row)
            holdings += _holding_rows(row, event)
    if transformations:
        links.extend(_transformation_links(session, transformations))
    if links:
        # Core, not the ORM's bulk insert: that leaves out each row's None values and sends one executemany per
        # run of rows with the same columns — a batch of 2,000 mixed events took 280 round trips (PostgreSQL:
        # 0.55 s of a 2,000-event capture's 3.4 s); every row here has every column, so this is one.
        session.execute(insert(_LINKS), links)
    if custody:
        session.execute(insert(TraceCustody), custody)
    if holdings:
        session.execute(insert(TraceHolding), holdings)


def _children(event: dict[str, Any]) -> list[Member]:
    found: list[Member] = [(canonical_id(epc), None, None) for epc in event.get("childEPCs") or ()]
    found += [
        (canonical_id(q["epcClass"]), q.get("quantity"), q.get("uom")) for q in event.get("childQuantityList") or ()
    ]
    return found


def _aggregation_links(pk: int, when: datetime, event: dict[str, Any]) -> Iterable[dict[str, Any]]:
    action, parent = event.get("action"), event.get("parentID")
    if action not in ("ADD", "DELETE") or not isinstance(parent, str):
        return []
    kind = "pack" if action == "ADD" else "unpack"
    src = canonical_id(parent)
    children = _children(event)
    if not children and kind == "unpack":
        return [_link("unpack", src, None, pk, when, None, None)]
    return [_link(kind, src, child, pk, when, qty, uom) for child, qty, uom in children]


def _link(
    kind: str, src: str, dst: str | None, pk: int, when: datetime, qty: float | None, uom: str | None
) -> dict[str, Any]:
    return {"kind": kind, "src": src, "dst": dst, "event_pk": pk, "event_time": when, "quantity": qty, "uom": uom}


def members(event: dict[str, Any], side: str) -> list[Member]:
    """The (canonical code, quantity, unit) of a transformation's ``input`` or ``output`` side."""
    found: list[Member] = [(canonical_id(epc), None, None) for epc in event.get(f"{side}EPCList") or ()]
    found += [
        (canonical_id(q["epcClass"]), q.get("quantity"), q.get("uom")) for q in event.get(f"{side}QuantityList") or ()
    ]
    return found


def _transformation_links(session: Session, items: list[tuple[StoredEvent, datetime]]) -> list[dict[str, Any]]:
    """Links of transformation events; members of shared transformationIDs are read once per batch."""
    ids = sorted({tid for item, _ in items if isinstance(tid := item.event.get("transformationID"), str)})
    known: dict[str, dict[str, list[tuple[Member, int, datetime | None]]]] = {}
    if ids:
        rows = session.execute(
            select(
                TraceTransformMember.transformation_id,
                TraceTransformMember.role,
                TraceTransformMember.thing,
                TraceTransformMember.quantity,
                TraceTransformMember.uom,
                TraceTransformMember.event_pk,
                Event.event_time,
            )
            .join(Event, Event.id == TraceTransformMember.event_pk)
            .where(TraceTransformMember.transformation_id.in_(ids))
        )
        for tid, role, thing, qty, uom, pk, when in rows:
            known.setdefault(tid, {"input": [], "output": []})[role].append(((thing, qty, uom), pk, when))
    links: list[dict[str, Any]] = []
    new_members: list[dict[str, Any]] = []
    for item, when in items:
        inputs, outputs = members(item.event, "input"), members(item.event, "output")
        links += [_link("transform", i, o, item.pk, when, q, u) for i, _, _ in inputs for o, q, u in outputs]
        tid = item.event.get("transformationID")
        if not isinstance(tid, str):
            continue
        group = known.setdefault(tid, {"input": [], "output": []})
        # Earlier members of the same transformation: link across events, dated by the later event.
        links += [
            _link("transform", i, o, item.pk, max(when, w or when), q, u)
            for (i, _, _), _, w in group["input"]
            for o, q, u in outputs
        ]
        links += [
            _link("transform", i, o, pk, max(when, w or when), q, u)
            for i, _, _ in inputs
            for (o, q, u), pk, w in group["output"]
        ]
        group["input"] += [(m, item.pk, when) for m in inputs]
        group["output"] += [(m, item.pk, when) for m in outputs]
        new_members += [
            {"transformation_id": tid, "role": role, "thing": t, "quantity": q, "uom": u, "event_pk": item.pk}
            for role, side in (("input", inputs), ("output", outputs))
            for t, q, u in side
        ]
    if new_members:
        session.execute(insert(_MEMBERS), new_members)  # one executemany (see above)
    return links


def _party(entries: Any, key: str) -> tuple[str | None, str | None]:
    """The (party, location) an event's sourceList/destinationList names; owning party before possessing."""
    found: dict[str, str] = {}
    for entry in entries or ():
        if isinstance(entry, dict) and isinstance(entry.get(key), str):
            found.setdefault(cbv_short(entry.get("type")) or "", canonical_id(entry[key]))
    party = next((found[t] for t in _PARTY_TYPES if t in found), None)
    return party, found.get("location")


def _custody_row(pk: int, when: datetime, event: dict[str, Any]) -> dict[str, Any] | None:
    source, source_location = _party(event.get("sourceList"), "source")
    destination, destination_location = _party(event.get("destinationList"), "destination")
    if not (source or destination or source_location or destination_location):
        return None
    return {
        "event_pk": pk,
        "event_time": when,
        "source": source,
        "destination": destination,
        "source_location": source_location,
        "destination_location": destination_location,
    }


def _holding_rows(custody: dict[str, Any], event: dict[str, Any]) -> list[dict[str, Any]]:
    party = custody["destination"] or custody["source"]
    if party is None:
        return []
    pk, when = custody["event_pk"], custody["event_time"]
    return [{"thing": thing, "event_time": when, "party": party, "event_pk": pk} for thing in named_codes(event)]


Rows = list[dict[str, Any]]


def plain_rows(pk: int, event: dict[str, Any]) -> tuple[Rows, Rows, Rows]:
    """The link, custody and holding rows of one event taken alone (no transformationID lookups): what a bulk
    load of generated events writes for the graph."""
    when = parse_iso(event["eventTime"])
    links: list[dict[str, Any]] = []
    if event.get("type") == "AggregationEvent":
        links += _aggregation_links(pk, when, event)
    elif event.get("type") == "TransformationEvent":
        links += [
            _link("transform", i, o, pk, when, q, u)
            for i, _, _ in members(event, "input")
            for o, q, u in members(event, "output")
        ]
    row = _custody_row(pk, when, event)
    return links, [row] if row else [], _holding_rows(row, event) if row else []


def member_rows(pk: int, event: dict[str, Any]) -> list[dict[str, Any]]:
    """The transformation-member rows of one event taken alone, as capture writes them for an event with a
    ``transformationID`` (for bulk loads of generated data, where every transformationID is one event)."""
    tid = event.get("transformationID")
    if event.get("type") != "TransformationEvent" or not isinstance(tid, str):
        return []
    return [
        {"transformation_id": tid, "role": role, "thing": t, "quantity": q, "uom": u, "event_pk": pk}
        for role in ("input", "output")
        for t, q, u in members(event, role)
    ]
