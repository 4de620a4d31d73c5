"""``duplicate_sale``: one serialized item sold, dispensed or retail-consumed twice — a counterfeit copy of its code
or goods flowing back (回流) — in one region or two.

A sale is an event naming the item in its epcList with bizStep ``retail_selling`` or ``dispensing``, or disposition
``retail_sold`` or ``dispensed``. Items only (a lot or class is sold many times). One alert per item, whose
evidence grows with every further sale; the answerable party is the recorder of the latest sale.
"""

from collections import defaultdict
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from zhuisu.codes.canonical import canonical_id
from zhuisu.models import Event, EventEpc, Location, Party
from zhuisu.oversight.rules.base import CHUNK, Hit, NewEvent, RiskRule, Scope
from zhuisu.trace.walk import is_class

SALE_STEPS = ("retail_selling", "dispensing")
SALE_DISPOSITIONS = ("retail_sold", "dispensed")


def find(session: Session, scope: Scope) -> list[Hit]:
    sale = or_(Event.biz_step.in_(SALE_STEPS), Event.disposition.in_(SALE_DISPOSITIONS))
    twice = (
        select(EventEpc.value)
        .join(Event, Event.id == EventEpc.event_pk)
        .where(EventEpc.role == "epc", sale)
        .group_by(EventEpc.value)
        .having(func.count(func.distinct(EventEpc.event_pk)) > 1)
    )
    if not scope.full:  # a second sale is a new sale: of the items the new sales name
        # The items the new sales name, from the events themselves; then, by probes of the code index a chunk at a
        # time, those named twice at all (a subquery over the new events' rows was planned as a scan of every
        # code on PostgreSQL tables whose statistics were stale, seconds per capture).
        sold = sorted(
            {
                canonical_id(c)
                for e in scope.new
                if _is_sale(e)
                for c in e.body.get("epcList") or ()
                if isinstance(c, str)
            }
        )
        candidates = []
        for start in range(0, len(sold), CHUNK):
            named_twice = (
                select(EventEpc.value)
                .where(EventEpc.role == "epc", EventEpc.value.in_(sold[start : start + CHUNK]))
                .group_by(EventEpc.value)
                .having(func.count(func.distinct(EventEpc.event_pk)) > 1)
            )
            candidates += [c for c in session.scalars(named_twice) if not is_class(c)]
        if not candidates:
            return []
        twice = twice.where(EventEpc.value.in_(candidates))
    # The items sold twice first, then their sales by index probes a chunk at a time: one statement with the
    # grouping as an IN subquery was planned as nested loops over both sides on PostgreSQL tables whose statistics
    # said empty, and ran for minutes.
    items = sorted(c for c in session.scalars(twice) if not is_class(c))
    rows: list[tuple[str, int, datetime, str, str | None, str | None]] = []
    for start in range(0, len(items), CHUNK):
        found = session.execute(
            select(EventEpc.value, Event.id, Event.event_time, Event.recorder_id, Party.region, Location.region)
            .join(Event, Event.id == EventEpc.event_pk)
            .join(Party, Party.id == Event.recorder_id)
            .outerjoin(Location, Location.gln == func.substr(Event.biz_location, 24, 13))
            .where(EventEpc.role == "epc", sale, EventEpc.value.in_(items[start : start + CHUNK]))
            .order_by(EventEpc.value, Event.event_time, Event.id)
        )
        rows.extend((code, pk, t, recorder, region, site) for code, pk, t, recorder, region, site in found)
    sales: dict[str, list[tuple[int, str, str | None]]] = defaultdict(list)
    for code, pk, _t, recorder, party_region, site_region in rows:
        if not is_class(code):
            sales[code].append((pk, recorder, site_region or party_region))
    hits = []
    for code, seen in sorted(sales.items()):
        regions = sorted({r for _, _, r in seen if r})
        hits.append(
            Hit(
                key=code,
                events=tuple(pk for pk, _, _ in seen),
                codes=(code,),
                party_id=seen[-1][1],
                detail_zh=f"{code} 被销售/调剂 {len(seen)} 次"
                + (f"，涉及地区 {'、'.join(regions)}" if regions else ""),
                detail_en=f"{code} was sold or dispensed {len(seen)} times"
                + (f", in regions {', '.join(regions)}" if regions else ""),
                facts={"sales": len(seen), "regions": regions},
            )
        )
    return hits


def _is_sale(event: NewEvent) -> bool:
    return event.step in SALE_STEPS or event.disposition in SALE_DISPOSITIONS


RULE = RiskRule(
    id="duplicate_sale",
    severity="high",
    name_zh="重复销售",
    name_en="sold twice",
    explanation_zh="同一个单品追溯码被销售、调剂或零售消费两次以上（或在两个地区），可能是假冒复制码或回流。",
    explanation_en="One serialized item was sold, dispensed or retail-consumed more than once (or in two regions): "
    "a copied code or goods flowing back.",
    timed=False,
    find=find,
)
