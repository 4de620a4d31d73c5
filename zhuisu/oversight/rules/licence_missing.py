"""``licence_missing``: a party records events of a class whose licence rule it does not meet on the event's date.

Two sources of rules:

- the catalog's licence rules (``catalog.licensing``), checked at capture against a licence valid on the date,
  confirmed by its issuing authority and covering the class: a rule that refuses keeps the event out; one that
  flags stores it with an ``EventFlag`` whose elements are ``licence:<type>`` — each such flag is evidence here
  (the class and the types the flag names);
- ``risk_licence_rules`` (for a catalog class, licence types one of which the party must hold), for classes the
  catalog leaves without one: no licence of those types, or none valid then (``valid_from`` ≤ the event's UTC
  date ≤ ``valid_to``). The class is the product's (registered GTIN). Enterprises and platforms only.

One alert per party, class and licence types (the two sources name the same alert when their types agree); the
evidence is the latest events not covered (at most 20).
"""

from collections import defaultdict
from collections.abc import Mapping
from datetime import date, datetime

from sqlalchemy import func, or_, select, true
from sqlalchemy.orm import Session

from zhuisu.auth.roles import in_class
from zhuisu.catalog.rules import for_class
from zhuisu.models import Event, EventEpc, EventFlag, Licence, Party, Product
from zhuisu.oversight.rules.base import CHUNK, GTIN_PREFIX, Hit, RiskRule, Scope
from zhuisu.parties.vocabulary import licence_type_name

EVIDENCE = 20


#: (recorder, class, event pk, event time, code)
Row = tuple[str, str, int, datetime, str]


def find(session: Session, scope: Scope) -> list[Hit]:
    uncovered: dict[tuple[str, str, tuple[str, ...]], dict[int, tuple[datetime, str]]] = defaultdict(dict)
    _flagged(session, scope, uncovered)
    _by_settings(session, scope, uncovered)
    return _hits(uncovered)


def _flagged(
    session: Session, scope: Scope, uncovered: dict[tuple[str, str, tuple[str, ...]], dict[int, tuple[datetime, str]]]
) -> None:
    """The events the catalog's licence rules flagged at capture."""
    rows = session.execute(
        select(EventFlag.recorder_id, EventFlag.class_id, EventFlag.elements, Event.id, Event.event_time)
        .join(Event, Event.id == EventFlag.event_pk)
        .where(scope.new_events(EventFlag.event_pk))
    )
    for recorder, class_id, elements, pk, t in rows:
        types = tuple(sorted(e.removeprefix("licence:") for e in elements or () if e.startswith("licence:")))
        if types:
            uncovered[(recorder, class_id, types)].setdefault(pk, (t, ""))
    _first_codes(session, uncovered)


def _first_codes(
    session: Session, uncovered: dict[tuple[str, str, tuple[str, ...]], dict[int, tuple[datetime, str]]]
) -> None:
    """Fill in a code for the flagged events (their first ``event_epcs`` row)."""
    pks = sorted({pk for events in uncovered.values() for pk, (_t, code) in events.items() if not code})
    first: dict[int, str] = {}
    for start in range(0, len(pks), CHUNK):
        for pk, code in session.execute(
            select(EventEpc.event_pk, func.min(EventEpc.value))
            .where(EventEpc.event_pk.in_(pks[start : start + CHUNK]))
            .group_by(EventEpc.event_pk)
        ):
            first[pk] = code
    for events in uncovered.values():
        for pk, (t, code) in list(events.items()):
            if not code:
                events[pk] = (t, first.get(pk, ""))


def _by_settings(
    session: Session, scope: Scope, uncovered: dict[tuple[str, str, tuple[str, ...]], dict[int, tuple[datetime, str]]]
) -> None:
    """The events ``risk_licence_rules`` finds uncovered."""
    rules = scope.config.licence_rules
    if not rules:
        return
    rows = _all_rows(session, rules) if scope.full else _new_rows(session, scope)
    if not rows:
        return
    held = _licences(session, sorted({r[0] for r in rows}))
    for recorder, class_id, pk, t, code in rows:
        needed = tuple(sorted(for_class(rules, class_id) or ()))
        if not needed:
            continue
        day = t.date()
        if any(kind in needed and _valid(start, end, day) for kind, start, end in held.get(recorder, ())):
            continue
        uncovered[(recorder, class_id, needed)].setdefault(pk, (t, code))


def _hits(uncovered: dict[tuple[str, str, tuple[str, ...]], dict[int, tuple[datetime, str]]]) -> list[Hit]:
    hits = []
    for (recorder, class_id, needed), events in sorted(uncovered.items()):
        latest = sorted(events.items(), key=lambda item: (item[1][0], item[0]))[-EVIDENCE:]
        names = [licence_type_name(k) for k in needed]
        names_zh, names_en = "、".join(zh for zh, _ in names), ", ".join(en for _, en in names)
        hits.append(
            Hit(
                key=f"{recorder}\n{class_id}\n{','.join(needed)}",
                events=tuple(pk for pk, _ in latest),
                codes=tuple(sorted({code for _, (_t, code) in latest if code})),
                party_id=recorder,
                class_id=class_id,
                detail_zh=f"记录 {class_id} 类产品的事件 {len(events)} 条，但事件日期无有效的{names_zh}",
                detail_en=f"{len(events)} events about {class_id} products without a valid {names_en} on their date",
                facts={"events": len(events), "required": list(needed)},
            )
        )
    return hits


def _all_rows(session: Session, rules: Mapping[str, list[str]], scope: Scope | None = None) -> list[Row]:
    """Every event naming a registered product of a class with a rule, by an enterprise or platform (of the
    scope's new events only, with a scope)."""
    gtin = func.substr(EventEpc.value, len(GTIN_PREFIX) + 1, 14)
    rows = session.execute(
        select(Event.recorder_id, Product.class_id, Event.id, Event.event_time, EventEpc.value)
        .join(Event, Event.id == EventEpc.event_pk)
        .join(Product, Product.gtin == gtin)
        .join(Party, Party.id == Event.recorder_id)
        .where(
            EventEpc.value.startswith(GTIN_PREFIX),
            Party.actor.in_(("enterprise", "platform")),
            or_(*(in_class(Product.class_id, c) for c in rules if c != "*")),
            scope.new_events() if scope is not None else true(),
        )
        .distinct()
    )
    return [(r, c, pk, t, code) for r, c, pk, t, code in rows]


def _new_rows(session: Session, scope: Scope) -> list[Row]:
    """The same rows of the new events; first, whether they name a registered product of a class with a rule at
    all (one query over the new events' codes)."""
    rules = scope.config.licence_rules
    gtin = func.substr(EventEpc.value, len(GTIN_PREFIX) + 1, 14)
    present = session.scalars(
        select(Product.class_id)
        .join(EventEpc, Product.gtin == gtin)
        .where(scope.new_events(EventEpc.event_pk), EventEpc.value.startswith(GTIN_PREFIX))
        .distinct()
    )
    if not any(for_class(rules, class_id) for class_id in present):
        return []
    return _all_rows(session, rules, scope)


def _licences(session: Session, parties: list[str]) -> dict[str, list[tuple[str, date, date | None]]]:
    found: dict[str, list[tuple[str, date, date | None]]] = defaultdict(list)
    for start in range(0, len(parties), CHUNK):
        for party, kind, valid_from, valid_to in session.execute(
            select(Licence.party_id, Licence.licence_type, Licence.valid_from, Licence.valid_to).where(
                Licence.party_id.in_(parties[start : start + CHUNK])
            )
        ):
            found[party].append((kind, valid_from, valid_to))
    return found


def _valid(start: date, end: date | None, day: date) -> bool:
    return start <= day and (end is None or day <= end)


RULE = RiskRule(
    id="licence_missing",
    severity="medium",
    name_zh="无证或证照过期",
    name_en="licence missing or expired",
    explanation_zh="主体记录了需要许可证的产品类别的事件，但在事件日期没有有效的相应许可证（未办证或已过期）。",
    explanation_en="A party recorded events of a product class that needs a licence, without a valid licence of "
    "that kind on the event's date (none, or expired).",
    timed=False,
    find=find,
)
