"""``mass_balance``: a transformation, or a party's flows of a lot (``lot_balance``), put out more than they took in,
beyond the class's tolerance.

A transformation: the semantics of
``trace.findings``' ``mass_balance`` with a tolerance: the events sharing a transformationID are one transformation
(else the event alone), its class-level inputs and outputs in one unit of measure, and it is an anomaly when
outputs > inputs × (1 + tolerance) (``risk_mass_balance_tolerance``, by the class of its first output's product,
else the recorder's class). Transformations without quantities on both sides, or in several units, are not
judged. The answerable party is the recorder of the last output event.
"""

from collections import defaultdict
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from zhuisu.catalog.rules import for_class
from zhuisu.models import Event, EventEpc, TraceTransformMember
from zhuisu.oversight.rules import lot_balance
from zhuisu.oversight.rules.base import Hit, RiskRule, Scope, classes_of_codes, party_classes

#: One row: (group, role, quantity, uom, event pk, recorder, code).
Row = tuple[str, str, float, str | None, int, str, str]


def find(session: Session, scope: Scope) -> list[Hit]:
    return transformations(session, scope) + lot_balance.find(session, scope)


def transformations(session: Session, scope: Scope) -> list[Hit]:
    """The transformations whose outputs exceed their inputs."""
    if not scope.full and not any(e.body.get("type") == "TransformationEvent" for e in scope.new):
        return []
    rows: list[Row] = []
    touched = select(TraceTransformMember.transformation_id).where(scope.new_events(TraceTransformMember.event_pk))
    for tid, role, qty, uom, pk, recorder, code in session.execute(
        select(
            TraceTransformMember.transformation_id,
            TraceTransformMember.role,
            TraceTransformMember.quantity,
            TraceTransformMember.uom,
            Event.id,
            Event.recorder_id,
            TraceTransformMember.thing,
        )
        .join(Event, Event.id == TraceTransformMember.event_pk)
        .where(
            TraceTransformMember.quantity.is_not(None),
            TraceTransformMember.transformation_id.in_(touched) if not scope.full else Event.id.is_not(None),
        )
    ):
        rows.append((f"tid:{tid}", role, float(qty or 0), uom, pk, recorder, code))
    with_id = exists().where(TraceTransformMember.event_pk == Event.id)
    for event_id, role, qty, uom, pk, recorder, code in session.execute(
        select(
            Event.event_id, EventEpc.role, EventEpc.quantity, EventEpc.uom, Event.id, Event.recorder_id, EventEpc.value
        )
        .join(Event, Event.id == EventEpc.event_pk)
        .where(
            Event.type == "TransformationEvent",
            EventEpc.role.in_(("input_qty", "output_qty")),
            EventEpc.quantity.is_not(None),
            ~with_id,
            scope.new_events(),
        )
    ):
        rows.append((f"event:{event_id}", role.removesuffix("_qty"), float(qty or 0), uom, pk, recorder, code))
    grouped: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        grouped[row[0]].append(row)
    candidates = []
    for group, members in sorted(grouped.items()):
        uoms = {m[3] for m in members}
        ins = sum(m[2] for m in members if m[1] == "input")
        outs = [m for m in members if m[1] == "output"]
        if len(uoms) != 1 or not outs or not any(m[1] == "input" for m in members):
            continue
        total = sum(m[2] for m in outs)
        if total > ins + 1e-9:
            candidates.append((group, members, ins, total, next(iter(uoms)), outs))
    if not candidates:
        return []
    product_classes = classes_of_codes(session, {m[6] for c in candidates for m in c[5]})
    recorder_classes = party_classes(session, {m[5] for c in candidates for m in c[1]})
    hits = []
    for group, members, ins, total, uom, outs in candidates:
        last = max(outs, key=lambda m: m[4])
        class_id = next((product_classes[m[6]] for m in outs if m[6] in product_classes), None) or recorder_classes.get(
            last[5]
        )
        tolerance = for_class(scope.config.mass_balance_tolerance, class_id) or 0.0
        if total <= ins * (1 + tolerance) + 1e-9:
            continue
        name = group.split(":", 1)[1]
        facts: dict[str, Any] = {"inputs": ins, "outputs": total, "uom": uom, "tolerance": tolerance}
        hits.append(
            Hit(
                key=group,
                events=tuple(sorted({m[4] for m in members})),
                codes=tuple(sorted({m[6] for m in members})),
                party_id=last[5],
                class_id=class_id,
                detail_zh=f"转化 {name} 产出 {total:g} {uom or ''} 多于投入 {ins:g} {uom or ''}"
                f"（容差 {tolerance:.0%}）",
                detail_en=f"transformation {name} put out {total:g} {uom or ''}, more than its inputs {ins:g} "
                f"{uom or ''} (tolerance {tolerance:.0%})",
                facts=facts,
            )
        )
    return hits


RULE = RiskRule(
    id="mass_balance",
    severity="medium",
    name_zh="投入产出不平衡",
    name_en="mass balance",
    explanation_zh="一次加工转化的产出数量超过投入数量，或一家企业某批次的流出（发货、销售、投料）超过流入（生产、收货），"
    "超出该类产品的容差：可能掺入或冒用了来路不明的货品。",
    explanation_en="A transformation put out more than it took in, or a party sent out (shipped, sold, used) more of "
    "a lot than came to it (made, received), beyond its class's tolerance: goods of unknown origin may have been "
    "added or sold under the lot's code.",
    timed=False,
    find=find,
)
