"""Integrity findings along a trace path: what the records say that cannot all be true.

- ``shipped_not_received``: a thing shipped and never received afterwards;
- ``received_without_shipment``: a thing received with no shipment of it before or after;
- ``times_out_of_order``: a thing received before it was shipped, used before the transformation that made it,
  or recorded before the time the event says it happened;
- ``mass_balance``: a transformation (all events sharing its transformationID) whose outputs weigh more than its
  inputs, in one unit of measure;
- ``used_after_destroyed``: an instance named by an event after it was destroyed or decommissioned.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from zhuisu.trace.schemas import FindingRead
from zhuisu.trace.walk import is_class

_END_STEPS = {"destroying", "decommissioning"}
_END_DISPOSITIONS = {"destroyed", "inactive"}
_CLOCK_SKEW = 300.0


@dataclass(frozen=True)
class Occurrence:
    """One event naming one thing on the path (the rows ``repository.events_of`` returns)."""

    thing: str
    role: str
    quantity: float | None
    uom: str | None
    pk: int
    event_id: str
    t: float
    record_t: float
    type: str
    action: str | None
    biz_step: str | None
    disposition: str | None
    location: str | None
    recorder_id: str
    source: str | None
    destination: str | None


def _finding(kind: str, thing: str | None, events: Iterable[str], zh: str, en: str) -> FindingRead:
    return FindingRead(kind=kind, thing=thing, events=sorted(set(events)), message_zh=zh, message_en=en)


def find(
    occurrences: list[Occurrence], transforms: list[tuple[str, str, float]], balances: list[Any]
) -> list[FindingRead]:
    """Findings of the path; ``transforms`` are (input, output, time) links walked, ``balances`` the rows of
    ``repository.transformation_balances`` for the transformation events on the path."""
    by_thing: dict[str, list[Occurrence]] = defaultdict(list)
    for o in occurrences:
        by_thing[o.thing].append(o)
    found: list[FindingRead] = []
    for thing, seen in sorted(by_thing.items()):
        seen.sort(key=lambda o: (o.t, o.event_id))
        found += _custody(thing, seen)
        if not is_class(thing):
            found += _after_end(thing, seen)
    found += _made_after_use(by_thing, transforms)
    found += _recorded_early(occurrences)
    found += _mass_balance(balances)
    return sorted(found, key=lambda f: (f.kind, f.thing or "", f.events))


def _custody(thing: str, seen: list[Occurrence]) -> list[FindingRead]:
    ships = [o for o in seen if o.biz_step == "shipping"]
    receipts = [o for o in seen if o.biz_step == "receiving"]
    found: list[FindingRead] = []
    for ship in ships:
        if any(r.t >= ship.t for r in receipts) or any(_unmatched_receipt(r, ships) for r in receipts):
            continue  # received, or received "before" it was shipped (reported below as times out of order)
        found.append(
            _finding(
                "shipped_not_received",
                thing,
                [ship.event_id],
                f"{thing} 已发货（{ship.event_id}）但没有收货记录",
                f"{thing} was shipped ({ship.event_id}) but never received",
            )
        )
    for receipt in receipts:
        before = [s for s in ships if s.t <= receipt.t]
        after = [s for s in ships if s.t > receipt.t]
        if before:
            continue
        if after:
            found.append(
                _finding(
                    "times_out_of_order",
                    thing,
                    [receipt.event_id, after[0].event_id],
                    f"{thing} 的收货时间早于发货时间",
                    f"{thing} was received before it was shipped",
                )
            )
        else:
            found.append(
                _finding(
                    "received_without_shipment",
                    thing,
                    [receipt.event_id],
                    f"{thing} 有收货记录（{receipt.event_id}）但没有发货记录",
                    f"{thing} was received ({receipt.event_id}) without a shipment",
                )
            )
    return found


def _unmatched_receipt(receipt: Occurrence, ships: list[Occurrence]) -> bool:
    """A receipt dated before every shipment: the shipment it matches was dated wrong, not lost."""
    return all(s.t > receipt.t for s in ships)


def _after_end(thing: str, seen: list[Occurrence]) -> list[FindingRead]:
    end = next(
        (
            o
            for o in seen
            if o.biz_step in _END_STEPS
            or o.disposition in _END_DISPOSITIONS
            or (o.type == "ObjectEvent" and o.action == "DELETE")
        ),
        None,
    )
    if end is None:
        return []
    later = [o for o in seen if o.t > end.t]
    if not later:
        return []
    return [
        _finding(
            "used_after_destroyed",
            thing,
            [end.event_id, *(o.event_id for o in later)],
            f"{thing} 在销毁/注销（{end.event_id}）之后仍被使用",
            f"{thing} was used after it was destroyed or decommissioned ({end.event_id})",
        )
    ]


def _made_after_use(
    by_thing: dict[str, list[Occurrence]], transforms: list[tuple[str, str, float]]
) -> list[FindingRead]:
    found: list[FindingRead] = []
    made: dict[str, float] = {}
    for _src, out, t in transforms:
        made[out] = min(t, made.get(out, t))
    for out, t in sorted(made.items()):
        early = [o for o in by_thing.get(out, ()) if o.t < t and not is_class(out)]
        if early:
            found.append(
                _finding(
                    "times_out_of_order",
                    out,
                    [o.event_id for o in early],
                    f"{out} 在生成它的转化之前已出现在事件中",
                    f"{out} appears in events before the transformation that produced it",
                )
            )
    return found


def _recorded_early(occurrences: list[Occurrence]) -> list[FindingRead]:
    early = sorted({o.event_id for o in occurrences if o.t > o.record_t + _CLOCK_SKEW})
    return [
        _finding(
            "times_out_of_order",
            None,
            [e],
            f"事件 {e} 的发生时间晚于记录时间",
            f"event {e} happened after it was recorded",
        )
        for e in early
    ]


def _mass_balance(balances: list[Any]) -> list[FindingRead]:
    grouped: dict[str, list[Any]] = defaultdict(list)
    with_id = {row[5] for row in balances if row[1] in ("input", "output")}
    for group, role, qty, uom, event_id, pk in balances:
        if role in ("input_qty", "output_qty") and pk in with_id:
            continue
        grouped[group].append((role.removesuffix("_qty"), qty, uom, event_id))
    found: list[FindingRead] = []
    for group, rows in sorted(grouped.items()):
        uoms = {u for _, q, u, _ in rows if q is not None}
        ins = [q for r, q, _, _ in rows if r == "input" and q is not None]
        outs = [q for r, q, _, _ in rows if r == "output" and q is not None]
        if len(uoms) != 1 or not ins or not outs or sum(outs) <= sum(ins) + 1e-9:
            continue
        uom = next(iter(uoms))
        found.append(
            _finding(
                "mass_balance",
                group,
                [e for *_, e in rows],
                f"转化 {group} 产出 {sum(outs):g} {uom or ''} 多于投入 {sum(ins):g} {uom or ''}",
                f"transformation {group} put out {sum(outs):g} {uom or ''}, more than its inputs "
                f"{sum(ins):g} {uom or ''}",
            )
        )
    return found
