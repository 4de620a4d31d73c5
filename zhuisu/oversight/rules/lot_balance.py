"""The second half of ``mass_balance``: a party's flows of one lot — what came to it against what left it — where
the outflow exceeds the inflow beyond the lot's class tolerance (a distributor that shipped 80 kg of a lot it
received 50 kg of: goods of unknown origin sold under the lot's code).

Per (party, lot, unit of measure), over the events the party recorded (a lot: a class-level code with a batch,
``…/10/…``):

- **in**: the lot's quantities a TransformationEvent put out, an ObjectEvent ADD created (commissioning), or a
  ``receiving`` event names, and the lot's quantities packed in the containers a ``receiving`` event names;
- **out**: the lot's quantities a ``shipping``, ``retail_selling`` or ``dispensing`` event names or a
  TransformationEvent took in, and the lot's quantities packed in the containers a ``shipping`` event names.

A container's contents are its pack links' class-level quantities (``trace_links``), also those of the containers
packed in it (three levels: pallet, case, inner pack); an event naming both a pallet and its cases counts each case
once. A party that recorded no inflow of the lot is not judged (what it never recorded receiving is
``received_not_shipped``'s and the recording rules' concern, not arithmetic's). ``arriving`` and ``departing`` are
not counted: they accompany the receipts and shipments they would count twice.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, aliased

from zhuisu.catalog.rules import for_class
from zhuisu.models import Event, EventEpc, TraceLink
from zhuisu.oversight.rules.base import CHUNK, Hit, Scope, classes_of_codes, party_classes

QUANTITY_ROLES = ("quantity", "input_qty", "output_qty")
INBOUND_STEPS = ("receiving",)
OUTBOUND_STEPS = ("shipping", "retail_selling", "dispensing")
MOVES = ("shipping", "receiving")
#: Quantities are decimals written as floats; sums that differ by less are equal.
EPSILON = 1e-6


def is_lot(code: str) -> bool:
    """A class-level code with a batch (canonical Digital Link).

    >>> is_lot("https://id.gs1.org/01/06901234000011/10/L1"), is_lot("https://id.gs1.org/01/06901234000011/21/7")
    (True, False)
    """
    return "/10/" in code and "/21/" not in code


@dataclass
class _Flow:
    """One party's flows of one lot in one unit."""

    inflow: float = 0.0
    outflow: float = 0.0
    events: set[int] = field(default_factory=set)


def touched_lots(scope: Scope) -> list[str] | None:
    """The lots to weigh (None: every lot, for the full scan). At capture: the lots the new events name (made,
    packed, sold, shipped or received by quantity) — each weighed whole, its flows through containers included. A
    shipment or receipt naming only containers is weighed by the next full scan
    (``risk_scan_interval_seconds``): finding the lots inside every shipped pallet at capture cost a tenth of the
    capture's time."""
    if scope.full:
        return None
    return sorted({code for event in scope.new for code in event.codes if is_lot(code)})


def find(session: Session, scope: Scope) -> list[Hit]:
    lots = touched_lots(scope)
    if lots == []:
        return []
    flows: dict[tuple[str, str, str | None], _Flow] = defaultdict(_Flow)
    for pk, recorder, kind, action, step, role, code, qty, uom in _direct_rows(session, lots):
        direction = _direction(kind, action, step, role)
        if direction is not None:
            _add(flows[(recorder, code, uom)], direction, float(qty), pk)
    contents = _contents_above(session, lots)
    for pk, recorder, step, counted in _moves_of(session, contents):
        direction = "in" if step in INBOUND_STEPS else "out"  # MOVES: receiving or shipping
        for (lot, uom), qty in counted.items():
            _add(flows[(recorder, lot, uom)], direction, qty, pk)
    return _hits(session, scope, flows)


def _direction(kind: str, action: str | None, step: str | None, role: str) -> str | None:
    if kind == "TransformationEvent":
        return {"output_qty": "in", "input_qty": "out"}.get(role)
    if kind != "ObjectEvent" or role != "quantity":
        return None
    if action == "ADD" or step in INBOUND_STEPS:
        return "in"
    if step in OUTBOUND_STEPS:
        return "out"
    return None


def _add(flow: _Flow, direction: str, qty: float, pk: int) -> None:
    if direction == "in":
        flow.inflow += qty
    else:
        flow.outflow += qty
    flow.events.add(pk)


def _chunks(values: list[str] | None) -> Iterable[list[str] | None]:
    if values is None:
        yield None
        return
    for start in range(0, len(values), CHUNK):
        yield values[start : start + CHUNK]


def _direct_rows(session: Session, lots: list[str] | None) -> Iterable[Any]:
    """(event pk, recorder, type, action, bizStep, role, lot, quantity, uom) of the lots' class-level quantities."""
    for chunk in _chunks(lots):
        statement = (
            select(
                Event.id,
                Event.recorder_id,
                Event.type,
                Event.action,
                Event.biz_step,
                EventEpc.role,
                EventEpc.value,
                EventEpc.quantity,
                EventEpc.uom,
            )
            .join(Event, Event.id == EventEpc.event_pk)
            .where(EventEpc.role.in_(QUANTITY_ROLES), EventEpc.quantity.is_not(None))
        )
        if chunk is not None:
            statement = statement.where(EventEpc.value.in_(chunk))
        for row in session.execute(statement):
            if chunk is not None or is_lot(row.value):
                yield row


#: Container → its contents as (innermost container, lot) → (quantity, uom).
Contents = dict[str, dict[tuple[str, str], tuple[float, str | None]]]


def _contents_above(session: Session, lots: list[str] | None) -> Contents:
    """The containers the lots were packed in, and those they were packed in, three deep (pallet, case, inner
    pack: one statement, a pack link joined to its container's and that one's), with their lot contents."""
    contents: Contents = defaultdict(dict)
    inner, middle, outer = aliased(TraceLink), aliased(TraceLink), aliased(TraceLink)
    for chunk in _chunks(lots):
        statement = (
            select(inner.src, inner.dst, inner.quantity, inner.uom, middle.src, outer.src)
            .outerjoin(middle, and_(middle.dst == inner.src, middle.kind == "pack", middle.quantity.is_(None)))
            .outerjoin(outer, and_(outer.dst == middle.src, outer.kind == "pack", outer.quantity.is_(None)))
            .where(inner.kind == "pack", inner.quantity.is_not(None))
        )
        if chunk is not None:
            statement = statement.where(inner.dst.in_(chunk))
        for container, lot, qty, uom, parent, grandparent in session.execute(statement):
            if lot is None or qty is None or not is_lot(lot):
                continue
            for holder in (container, parent, grandparent):
                if holder is not None and holder != lot:
                    contents[holder][(container, lot)] = (float(qty), uom)
    return contents


def _moves_of(
    session: Session, contents: Contents
) -> Iterable[tuple[int, str, str | None, dict[tuple[str, str | None], float]]]:
    """The shipments and receipts naming the containers, each with the lot quantities they moved (per event, each
    innermost container counted once)."""
    containers = sorted(contents)
    per_event: dict[int, tuple[str, str | None, dict[tuple[str, str], tuple[float, str | None]]]] = {}
    for chunk in _chunks(containers):
        for pk, recorder, step, code in session.execute(
            select(Event.id, Event.recorder_id, Event.biz_step, EventEpc.value)
            .join(Event, Event.id == EventEpc.event_pk)
            .where(EventEpc.value.in_(chunk or []), EventEpc.role == "epc", Event.biz_step.in_(MOVES))
        ):
            per_event.setdefault(pk, (recorder, step, {}))[2].update(contents[code])
    for pk, (recorder, step, held) in sorted(per_event.items()):
        counted: dict[tuple[str, str | None], float] = defaultdict(float)
        for (_leaf, lot), (qty, uom) in held.items():
            counted[(lot, uom)] += qty
        yield pk, recorder, step, dict(counted)


def _hits(session: Session, scope: Scope, flows: dict[tuple[str, str, str | None], _Flow]) -> list[Hit]:
    over = {key: f for key, f in flows.items() if f.inflow > 0 and f.outflow > f.inflow + EPSILON}
    if not over:
        return []
    classes = classes_of_codes(session, {lot for _party, lot, _uom in over})
    recorders = party_classes(session, {party for party, _lot, _uom in over})
    hits = []
    for (party, lot, uom), flow in sorted(over.items(), key=lambda item: (item[0][0], item[0][1], item[0][2] or "")):
        class_id = classes.get(lot) or recorders.get(party)
        tolerance = for_class(scope.config.mass_balance_tolerance, class_id) or 0.0
        if flow.outflow <= flow.inflow * (1 + tolerance) + EPSILON:
            continue
        unit = f" {uom}" if uom else ""
        hits.append(
            Hit(
                key=f"lot:{party}:{lot}:{uom or ''}",
                events=tuple(sorted(flow.events)),
                codes=(lot,),
                party_id=party,
                class_id=class_id,
                detail_zh=f"批次 {lot} 流出 {flow.outflow:g}{unit}，多于流入 {flow.inflow:g}{unit}"
                f"（容差 {tolerance:.0%}）",
                detail_en=f"lot {lot}: {flow.outflow:g}{unit} went out, more than the {flow.inflow:g}{unit} that came "
                f"in (tolerance {tolerance:.0%})",
                facts={"inputs": flow.inflow, "outputs": flow.outflow, "uom": uom, "tolerance": tolerance, "lot": lot},
            )
        )
    return hits
