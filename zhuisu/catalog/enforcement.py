"""The catalog's data-element rules at capture: classify each event, check its elements, refuse or flag.

An event's class comes from, in order: the registered products its identifiers name (a GTIN in an EPC URN or
GS1 Digital Link, or a product code such as the 7-digit 药品标识码 of a drug trace code); else a code scheme that
by itself tells the class (a 药品追溯码 is a drug); else the party registered at its read point or business
location (a location GLN or a party's GLN), or named as its source or destination. The rules of the catalog in
effect on the event's date (Beijing time) then apply: a missing element refuses the event with a message naming
it, or, where the class or rule is configured to flag, the event is stored and an ``EventFlag`` records what
is missing for the regulator.

A rule may also name licence types (``catalog.licensing``): the recorder must hold one, valid, confirmed and
covering the class, else ``licence_missing`` (refused) or a flag, per the rule's mode. Events a child node
reports (its party's role is ``node``) meet the element rules but not the licence rules: their recorders and
licences are at the node that recorded them, which checked them.

``check_events`` is registered in ``zhuisu.capture.service.BEFORE_STORE`` and ``record_flags`` in
``WRITE_PATH``; the first hands the second its findings through ``session.info`` (same transaction).
"""

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from zhuisu.catalog import licensing, repository
from zhuisu.catalog import service as catalog_service
from zhuisu.catalog.elements import carries, identifiers, prefixes, scheme_of
from zhuisu.catalog.rules import Catalog, Element, Mode, Release, Rule, effective_releases
from zhuisu.codes.canonical import canonical_id
from zhuisu.epcis.identifiers import cbv_short
from zhuisu.epcis.reports import EventError
from zhuisu.events.stored import StoredEvent
from zhuisu.kit.time import BEIJING, parse_iso
from zhuisu.models import EventFlag, Party

SESSION_KEY = "zhuisu.catalog.pending_flags"
#: The batch's events as ``check_events`` classified them (index → ``Classified``), for later checks of the same
#: batch (``zhuisu.sectors.interlocks``) in the same transaction.
CLASSES_KEY = "zhuisu.catalog.classified"
_DL = "https://id.gs1.org/"
_GTIN_RE = re.compile(r"^https://id\.gs1\.org/01/(\d{14})")
_GLN_RE = re.compile(r"^https://id\.gs1\.org/(?:414|417)/(\d{13})")


@dataclass(frozen=True)
class Violation:
    rule: Rule
    class_id: str
    missing: tuple[Element, ...]
    mode: Mode
    #: The licence types of a licence rule the recorder lacks.
    licences: tuple[str, ...] = ()


@dataclass(frozen=True)
class Classified:
    """One event of a batch: the catalog in effect on its date (Beijing time), that date, and its classes."""

    catalog: Catalog
    day: date
    classes: list[str]


@dataclass
class _Facts:
    gtins: list[str] = field(default_factory=list)
    codes: list[tuple[str, str]] = field(default_factory=list)
    schemes: list[str] = field(default_factory=list)
    glns: list[str] = field(default_factory=list)


def _facts(event: dict[str, Any]) -> _Facts:
    facts = _Facts()
    for value in identifiers(event):
        gtin = _GTIN_RE.match(value if value.startswith(_DL) else canonical_id(value))
        if gtin:
            facts.gtins.append(gtin.group(1))
            continue
        scheme, code, parts = scheme_of(value)
        if scheme not in ("gs1", "unknown"):
            facts.schemes.append(scheme)
            facts.codes.append((scheme, code))
            if isinstance(parts.get("product_code"), str):
                facts.codes.append((scheme, parts["product_code"]))
    places = [p.get("id") for p in (event.get("readPoint"), event.get("bizLocation")) if isinstance(p, dict)]
    places += [s.get("source") for s in event.get("sourceList") or () if isinstance(s, dict)]
    places += [d.get("destination") for d in event.get("destinationList") or () if isinstance(d, dict)]
    facts.glns = [gln for place in places if isinstance(place, str) and (gln := _place_gln(place))]
    return facts


@lru_cache(maxsize=4096)  # the same sites and parties recur from event to event
def _place_gln(value: str) -> str | None:
    gln = _GLN_RE.match(value if value.startswith(_DL) else canonical_id(value))
    return gln.group(1) if gln else None


@dataclass
class _Lookup:
    by_gtin: dict[str, str]
    by_code: dict[tuple[str, str], str]
    by_gln: dict[str, str]


def _lookup(session: Session, facts: list[_Facts]) -> _Lookup:
    gtins = sorted({g for f in facts for g in f.gtins})
    codes = sorted({c for f in facts for _, c in f.codes})
    glns = sorted({g for f in facts for g in f.glns})
    return _Lookup(
        repository.classes_by_gtin(session, gtins) if gtins else {},
        repository.classes_by_code(session, codes) if codes else {},
        repository.party_classes_by_gln(session, glns) if glns else {},
    )


def event_classes(catalog: Catalog, facts: _Facts, found: _Lookup) -> list[str]:
    """The catalog classes of one event, from the most specific evidence available."""
    scheme_classes = catalog.scheme_classes
    tiers = [
        [found.by_gtin.get(g) for g in facts.gtins] + [found.by_code.get(c) for c in facts.codes],
        [scheme_classes.get(s) for s in facts.schemes],
        [found.by_gln.get(g) for g in facts.glns],
    ]
    for tier in tiers:
        known = sorted({c for c in tier if c is not None and c in catalog.classes})
        if known:
            return known
    return []


def violations(catalog: Catalog, event: dict[str, Any], classes: list[str], bound: dict[str, str]) -> list[Violation]:
    """The rules ``event`` breaks for each of its classes, with the elements it lacks."""
    out: list[Violation] = []
    seen: set[tuple[str, str]] = set()
    biz_step = cbv_short(event.get("bizStep"))
    for class_id in classes:
        for rule in catalog.rules_for(class_id, str(event.get("type")), biz_step):
            elements = [catalog.elements[key] for key in rule.elements]
            missing = tuple(e for e in elements if not carries(event, e.any_of, bound))
            if missing and (rule.id, class_id) not in seen:
                seen.add((rule.id, class_id))
                out.append(Violation(rule, class_id, missing, catalog.mode_of(rule, class_id)))
    return out


def event_date(event: dict[str, Any]) -> date:
    return parse_iso(str(event["eventTime"])).astimezone(BEIJING).date()


class _Catalogs:
    """The catalog in effect on each date a batch of events needs (releases read once per batch)."""

    def __init__(self, releases: list[Release]) -> None:
        self.releases = releases
        self.by_date: dict[date, Catalog] = {}

    def on(self, day: date) -> Catalog:
        if day not in self.by_date:
            self.by_date[day] = catalog_service.compose_cached(effective_releases(self.releases, day))
        return self.by_date[day]


def check_events(
    session: Session, events: Sequence[tuple[int, dict[str, Any]]], context: Any, recorder_id: str | None = None
) -> dict[int, list[EventError]]:
    """Capture's BEFORE_STORE check: the errors of the events a refusing rule rejects, by index (``recorder_id``:
    the party the events are credited to, whose licences the licence rules look at)."""
    session.info[SESSION_KEY] = {}
    classified: dict[int, Classified] = {}
    session.info[CLASSES_KEY] = (_batch_key(events), classified)
    if not events:
        return {}
    catalogs = _Catalogs(catalog_service.all_releases(session))
    bound = prefixes(context)
    facts = [_facts(event) for _, event in events]
    found = _lookup(session, facts)
    refused: dict[int, list[EventError]] = {}
    pending: dict[int, tuple[dict[str, Any], list[Violation]]] = {}
    held = licensing.RecorderLicences(session, recorder_id)
    # A child node's events: their recorders' licences are held (and were checked) at the node that recorded them.
    recorder = session.get(Party, recorder_id) if recorder_id else None
    licences_here = recorder is None or recorder.actor != "node"
    days: dict[str, date] = {}  # events of a batch share their times: convert each once
    for (index, event), event_facts in zip(events, facts, strict=True):
        when = str(event["eventTime"])
        day = days.get(when)
        if day is None:
            day = days[when] = event_date(event)
        catalog = catalogs.on(day)
        classes = event_classes(catalog, event_facts, found)
        classified[index] = Classified(catalog, day, classes)
        broken = violations(catalog, event, classes, bound) if classes else []
        unlicensed = _unlicensed(catalog, event, classes, day, held) if classes and licences_here else []
        refusing = [v for v in broken if v.mode == "refuse"]
        refusing_licence = [(v, found) for v, found in unlicensed if v.mode == "refuse"]
        if refusing or refusing_licence:
            refused[index] = [_error(index, catalog, v, element) for v in refusing for element in v.missing]
            refused[index] += [_licence_error(index, catalog, found) for _, found in refusing_licence]
            continue
        broken += [v for v, _ in unlicensed]
        if broken:
            pending[id(event)] = (event, broken)
    session.info[SESSION_KEY] = pending
    return refused


def classify(session: Session, events: Sequence[tuple[int, dict[str, Any]]]) -> dict[int, Classified]:
    """The batch's events classified: as ``check_events`` left them in this transaction, else read now."""
    key, done = session.info.get(CLASSES_KEY) or ((), {})
    if key == _batch_key(events):
        return dict(done)
    catalogs = _Catalogs(catalog_service.all_releases(session))
    facts = [_facts(event) for _, event in events]
    found = _lookup(session, facts)
    out: dict[int, Classified] = {}
    for (index, event), event_facts in zip(events, facts, strict=True):
        day = event_date(event)
        catalog = catalogs.on(day)
        out[index] = Classified(catalog, day, event_classes(catalog, event_facts, found))
    return out


def _batch_key(events: Sequence[tuple[int, dict[str, Any]]]) -> tuple[tuple[int, int], ...]:
    """What tells this batch from another of the same session: its indexes and event objects."""
    return tuple((index, id(event)) for index, event in events)


def _unlicensed(
    catalog: Catalog, event: dict[str, Any], classes: list[str], day: date, held: licensing.RecorderLicences
) -> list[tuple[Violation, licensing.Lacking]]:
    found = licensing.lacking(catalog, classes, str(event.get("type")), cbv_short(event.get("bizStep")), day, held)
    return [(Violation(f.rule, f.class_id, (), catalog.mode_of(f.rule, f.class_id), f.rule.licences), f) for f in found]


def _licence_error(index: int, catalog: Catalog, found: licensing.Lacking) -> EventError:
    cls = catalog.classes[found.class_id]
    return licensing.error(index, cls.name, cls.name_en, found)


def _error(index: int, catalog: Catalog, v: Violation, element: Element) -> EventError:
    cls = catalog.classes[v.class_id]
    return EventError(
        pointer=f"/epcisBody/eventList/{index}",
        code="missing_data_element",
        expected=f"{element.key}: {element.name_en}",
        message_zh=f"第 {index} 个事件（{cls.name}）缺少必填数据元素「{element.name}」"
        f"（规则 {v.rule.id}：{v.rule.name}；目录 {v.rule.release}）",
        message_en=f"event {index} ({cls.name_en}) lacks the required data element '{element.name_en}' "
        f"(rule {v.rule.id}: {v.rule.name_en}; catalog {v.rule.release})",
    )


def record_flags(session: Session, stored: Sequence[StoredEvent]) -> None:
    """A step of capture's write path (``WRITE_PATH``): one EventFlag per flagging rule an accepted event breaks."""
    pending: dict[int, tuple[dict[str, Any], list[Violation]]] = session.info.pop(SESSION_KEY, {})
    rows: list[dict[str, Any]] = []
    for s in stored:
        entry = pending.get(id(s.event))
        if entry is None or entry[0] is not s.event:
            continue
        rows += [
            {
                "event_pk": s.pk,
                "recorder_id": s.recorder_id,
                "class_id": v.class_id,
                "rule_id": v.rule.id,
                "release": v.rule.release,
                "elements": [e.key for e in v.missing] + [f"licence:{t}" for t in v.licences],
            }
            for v in entry[1]
        ]
    if rows:
        session.execute(insert(EventFlag), rows)


def reporting(session: Session, events: Sequence[dict[str, Any]]) -> list[tuple[bool, tuple[str, ...]]]:
    """For each event, whether a child node reports it to its parent and which top-level members it withholds, by
    its classes' catalog rules on its date (``upward``, ``withhold``): reported unless every class says ``none``
    (an event of no class is reported), withholding what any of its classes withholds."""
    if not events:
        return []
    catalogs = _Catalogs(catalog_service.all_releases(session))
    facts = [_facts(event) for event in events]
    found = _lookup(session, facts)
    out: list[tuple[bool, tuple[str, ...]]] = []
    for event, event_facts in zip(events, facts, strict=True):
        catalog = catalogs.on(event_date(event))
        classes = [catalog.classes[c] for c in event_classes(catalog, event_facts, found)]
        upward = not classes or any(c.upward != "none" for c in classes)
        out.append((upward, tuple(sorted({w for c in classes for w in c.withhold}))))
    return out
