"""Interlocks: checks at capture of the state an event's things are in, derived from their earlier events — a gas
cylinder filled after it was scrapped, a controlled chemical sold to a buyer without a valid purchase permit.

A catalog rule names the interlocks an event of its class and bizStep must pass (``"interlocks": ["in_service"]``,
next to ``elements`` and ``licences``); the sectors (``zhuisu.sectors.equipment``, ``zhuisu.sectors.hazardous``)
define them. ``check_events`` is a step of capture's ``BEFORE_STORE``, after the catalog's own check (whose
classification of the batch it reuses): an event that fails an interlock of a rule that refuses is rejected with
``interlock_failed``, naming the event, the rule, the interlock and why; under a rule (or class) that flags, it is
stored and ``record_flags`` (a ``WRITE_PATH`` step) writes an ``EventFlag`` whose elements are
``interlock:<name>`` and whose ``detail`` says why — the ``interlock`` risk rule turns each into an alert.

Events a child node reports meet no interlock here: the node that recorded them checked them against the state it
holds (this node may hold only part of it).

An interlock is a function of the session and the subjects (the events of the batch one of its rules applies to)
returning the failures; it reads state with a few batched queries and never writes.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from zhuisu.catalog import enforcement
from zhuisu.catalog.elements import prefixes
from zhuisu.codes.canonical import canonical_id
from zhuisu.epcis.identifiers import cbv_short
from zhuisu.epcis.reports import EventError
from zhuisu.events.stored import StoredEvent
from zhuisu.models import EventFlag, Party
from zhuisu.sectors.checks import MEMO_KEY, Failure, Interlock, Subject
from zhuisu.sectors.equipment import interlocks as equipment_interlocks
from zhuisu.sectors.equipment import service as equipment_service
from zhuisu.sectors.equipment.lifecycle import CODE_URL
from zhuisu.sectors.hazardous import interlocks as hazardous_interlocks

SESSION_KEY = "zhuisu.sectors.pending_flags"


@dataclass(frozen=True)
class Definition:
    """An interlock: its name in both languages and its check."""

    name_zh: str
    name_en: str
    check: Interlock


def registry() -> dict[str, Definition]:
    """Every interlock, by the name catalog rules use."""
    found: dict[str, Definition] = {}
    for module in (equipment_interlocks, hazardous_interlocks):
        for name, (name_zh, name_en, check) in module.INTERLOCKS.items():
            found[name] = Definition(name_zh, name_en, check)
    return found


def check_events(
    session: Session, events: Sequence[tuple[int, dict[str, Any]]], context: Any, recorder_id: str | None = None
) -> dict[int, list[EventError]]:
    """Capture's BEFORE_STORE check: the errors of the events a refusing rule's interlock rejects, by index."""
    session.info[SESSION_KEY] = {}
    session.info[MEMO_KEY] = {}
    if not events:
        return {}
    classified = enforcement.classify(session, events)
    registered = _registered_classes(session, events, classified)
    bound = prefixes(context)
    wanted: dict[str, list[Subject]] = {}
    known = registry()
    for index, event in events:
        found = classified[index]
        step = cbv_short(event.get("bizStep"))
        for class_id in found.classes or registered.get(index, []):
            for rule in found.catalog.rules_for(class_id, str(event.get("type")), step):
                for name in rule.interlocks:
                    subject = Subject(
                        index, event, found.day, class_id, rule, found.catalog, recorder_id, events, bound
                    )
                    wanted.setdefault(name, []).append(subject)
    if not wanted:
        return {}
    recorder = session.get(Party, recorder_id) if recorder_id else None
    if recorder is not None and recorder.actor == "node":
        return {}
    refused: dict[int, list[EventError]] = {}
    pending: dict[int, tuple[dict[str, Any], list[tuple[str, Failure]]]] = {}
    for name, subjects in sorted(wanted.items()):
        definition = known.get(name)
        if definition is None:
            for s in subjects:
                refused.setdefault(s.index, []).append(_unknown(s, name))
            continue
        for failure in definition.check(session, subjects):
            s = failure.subject
            if s.catalog.mode_of(s.rule, s.class_id) == "refuse":
                refused.setdefault(s.index, []).append(_error(name, definition, failure))
            else:
                pending.setdefault(id(s.event), (s.event, []))[1].append((name, failure))
    session.info[SESSION_KEY] = {key: entry for key, entry in pending.items() if _index_of(entry) not in refused}
    return refused


def _registered_classes(
    session: Session, events: Sequence[tuple[int, dict[str, Any]]], classified: dict[int, enforcement.Classified]
) -> dict[int, list[str]]:
    """The classes of the events the catalog could not classify but that name registered equipment (a GIAI on an
    elevator tells no class by itself): the register's, so its rules and interlocks apply to them too."""
    unclassified = {
        index: [canonical_id(e) for e in event.get("epcList") or () if isinstance(e, str) and _may_be_equipment(e)]
        for index, event in events
        if not classified[index].classes
    }
    codes = sorted({c for found in unclassified.values() for c in found})
    if not codes:
        return {}
    known = equipment_service.classes_of(session, codes)
    return {
        index: sorted({known[c] for c in found if c in known})
        for index, found in unclassified.items()
        if any(c in known for c in found)
    }


def _may_be_equipment(epc: str) -> bool:
    """An identifier that may name registered equipment the catalog cannot classify: a GIAI or GRAI (URN or Digital
    Link) or a 特种设备代码's URL — a cheap test on the text, before the canonical form and the register's probe."""
    return epc.startswith(("urn:epc:id:giai:", "urn:epc:id:grai:", CODE_URL)) or "/8004/" in epc or "/8003/" in epc


def _index_of(entry: tuple[dict[str, Any], list[tuple[str, Failure]]]) -> int:
    return entry[1][0][1].subject.index


def _error(name: str, definition: Definition, failure: Failure) -> EventError:
    s = failure.subject
    cls = s.catalog.classes[s.class_id]
    return EventError(
        pointer=f"/epcisBody/eventList/{s.index}",
        code="interlock_failed",
        expected=f"{name}: {failure.expected}",
        message_zh=f"第 {s.index} 个事件（{cls.name}）未通过「{definition.name_zh}」检查：{failure.reason_zh}"
        f"（规则 {s.rule.id}：{s.rule.name}；目录 {s.rule.release}）",
        message_en=f"event {s.index} ({cls.name_en}) fails the check '{definition.name_en}': {failure.reason_en} "
        f"(rule {s.rule.id}: {s.rule.name_en}; catalog {s.rule.release})",
    )


def _unknown(s: Subject, name: str) -> EventError:
    return EventError(
        pointer=f"/epcisBody/eventList/{s.index}",
        code="interlock_failed",
        expected=f"an interlock this node knows ({', '.join(sorted(registry()))})",
        message_zh=f"第 {s.index} 个事件：规则 {s.rule.id}（目录 {s.rule.release}）要求的检查「{name}」本节点没有",
        message_en=f"event {s.index}: rule {s.rule.id} (catalog {s.rule.release}) names the check '{name}', "
        "which this node does not have",
    )


def record_flags(session: Session, stored: Sequence[StoredEvent]) -> None:
    """A step of capture's write path: one EventFlag per interlock a flagged, accepted event failed."""
    pending: dict[int, tuple[dict[str, Any], list[tuple[str, Failure]]]] = session.info.pop(SESSION_KEY, {})
    if not pending:
        return
    rows: list[dict[str, Any]] = []
    for s in stored:
        entry = pending.get(id(s.event))
        if entry is None or entry[0] is not s.event:
            continue
        for name, failure in entry[1]:
            subject = failure.subject
            rows.append(
                {
                    "event_pk": s.pk,
                    "recorder_id": s.recorder_id,
                    "class_id": subject.class_id,
                    "rule_id": subject.rule.id,
                    "release": subject.rule.release,
                    "elements": [f"interlock:{name}"],
                    "detail": {"zh": failure.reason_zh, "en": failure.reason_en, **failure.facts},
                }
            )
    if rows:
        session.execute(insert(EventFlag), rows)
