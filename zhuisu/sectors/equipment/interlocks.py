"""The special equipment sector's interlocks (``zhuisu.sectors.interlocks``), by the name catalog rules use.

- ``equipment_registered``: every piece of equipment the event names (its epcList) is registered here (使用登记:
  a registration event this node holds) — a cylinder this node never registered cannot be filled here.
- ``equipment_in_service``: none of them is scrapped (报废), made unusable (去功能化), deregistered (注销) or
  suspended (停用).
- ``inspection_current``: none is past its next periodic inspection on the event's date (Beijing), nor failed
  its last one.
- ``filled_by_its_user_unit``: a cylinder is filled by the unit it is registered to (TSG 23: 充装单位充装本单位自有
  并办理使用登记的气瓶).
- ``by_responsible_unit``: once registered, its registration, suspension, resumption, scrapping and deregistration
  are its user unit's to record, its maintenance its maintenance unit's (or the regulator's whose jurisdiction and
  mandate cover it, or the admin's).
- ``by_inspection_body``: the recorder is an inspection body (``parties.actor`` ``inspector``).
- ``cylinder_defunctioned_by_inspection_body``: a gas cylinder is made unusable (去功能化) by an inspection body
  (other equipment may be dismantled by others).

The state is the register's (``sector_equipment``: all stored events folded) with the batch's own earlier
lifecycle events folded on top, so a document that scraps a cylinder and then fills it is refused too.
"""

from collections.abc import Sequence
from dataclasses import fields
from datetime import date, datetime

from sqlalchemy.orm import Session

from zhuisu.auth.roles import supervises
from zhuisu.codes.canonical import canonical_id
from zhuisu.db.engine import node_settings
from zhuisu.epcis.identifiers import cbv_short
from zhuisu.kit.i18n import pair
from zhuisu.models import Equipment, Party
from zhuisu.parties import service as parties_service
from zhuisu.sectors.checks import Failure, Interlock, Subject, batch_memo
from zhuisu.sectors.equipment import repository, service
from zhuisu.sectors.equipment.lifecycle import (
    CODE_URL,
    DEFUNCTIONING,
    DEREGISTERING,
    INSTALLING,
    MAINTAINING,
    REGISTERING,
    RESUMING,
    SCRAPPING,
    STATUSES,
    SUSPENDING,
    State,
    Step,
    beijing_day,
    fold,
    step_of,
)


def _codes(subject: Subject) -> list[str]:
    return list(dict.fromkeys(canonical_id(e) for e in subject.event.get("epcList") or () if isinstance(e, str)))


def _label(code: str) -> str:
    return code.removeprefix(CODE_URL)


def _state_of(row: Equipment) -> State:
    return State(**{f.name: getattr(row, f.name) for f in fields(State)})


def _latest(row: Equipment) -> datetime | None:
    """The time of the latest lifecycle event the register row reflects."""
    moments: list[datetime | None] = [row.installed_at, row.registered_at, row.status_since]
    moments += [row.last_inspection_at, row.last_maintenance_at, row.last_filled_at]
    times = [t for t in moments if t is not None]
    return max(times) if times else None


def _states(session: Session, subjects: Sequence[Subject]) -> dict[int, dict[str, State | None]]:
    """``_read_states``, read once per batch for the several interlocks one rule names over the same subjects (a
    filling's four)."""
    memo = batch_memo(session)
    key = ("equipment_states", tuple(s.index for s in subjects))
    if key not in memo:
        memo[key] = _read_states(session, subjects)
    found: dict[int, dict[str, State | None]] = memo[key]
    return found


def _read_states(session: Session, subjects: Sequence[Subject]) -> dict[int, dict[str, State | None]]:
    """For each subject (by index), the state of each piece of equipment it names as of the subject's time: the
    register's row (every stored event folded), or — for an event dated before what the row reflects (recorded
    late, or sent again) — the stored events before it folded anew; then the batch's own earlier events on top."""
    codes = sorted({c for s in subjects for c in _codes(s)})
    rows = repository.registered(session, codes)
    spans = service.intervals(node_settings(session))
    batch: dict[str, list[tuple[int, Step]]] = {}
    if subjects:
        first = subjects[0]
        for index, event in first.batch:
            step = step_of(-1 - index, first.recorder_id or "", event, first.bound)
            if step is None:
                continue
            for code in dict.fromkeys(canonical_id(e) for e in event.get("epcList") or () if isinstance(e, str)):
                if code in codes:
                    batch.setdefault(code, []).append((index, step))
    mine = {s.index: step_of(-1 - s.index, s.recorder_id or "", s.event, s.bound) for s in subjects}
    late = sorted(
        {
            code
            for s in subjects
            if (step := mine[s.index]) is not None
            for code in _codes(s)
            if code in rows and (latest := _latest(rows[code])) is not None and step.time <= latest
        }
    )
    history = service.lifecycle_steps(session, late) if late else {}
    out: dict[int, dict[str, State | None]] = {}
    for s in subjects:
        own = mine[s.index]
        states: dict[str, State | None] = {}
        for code in _codes(s):
            earlier = [
                step
                for index, step in sorted(batch.get(code, ()), key=lambda x: (x[1].time, x[0]))
                if index != s.index and own is not None and (step.time, index) < (own.time, s.index)
            ]
            if code in history and own is not None:
                stored = [step for step in history[code] if step.time < own.time]
                states[code] = fold(code, sorted(stored + earlier, key=lambda x: x.time), spans)
                continue
            start = _state_of(rows[code]) if code in rows else None
            states[code] = fold(code, earlier, spans, start) if earlier else start
        out[s.index] = states
    return out


def registered(session: Session, subjects: Sequence[Subject]) -> list[Failure]:
    found = _states(session, subjects)
    failures: list[Failure] = []
    for s in subjects:
        if not found[s.index]:
            failures.append(
                Failure(
                    s,
                    expected="the event's epcList names the equipment by its code",
                    reason_zh="事件的 epcList 没有列出设备代码",
                    reason_en="the event's epcList names no equipment code",
                )
            )
            continue
        missing = [code for code, state in found[s.index].items() if state is None or not state.registered]
        if missing:
            labels = "、".join(_label(c) for c in missing)
            failures.append(
                Failure(
                    s,
                    expected="equipment registered (使用登记) on this node",
                    reason_zh=f"设备 {labels} 未在本节点办理使用登记",
                    reason_en=f"equipment {', '.join(_label(c) for c in missing)} is not registered on this node",
                    facts={"codes": missing},
                )
            )
    return failures


def in_service(session: Session, subjects: Sequence[Subject]) -> list[Failure]:
    found = _states(session, subjects)
    failures: list[Failure] = []
    for s in subjects:
        for code, state in found[s.index].items():
            if state is None or state.status in ("in_service", "installed"):
                continue
            zh, en = STATUSES[state.status]
            since = beijing_day(state.status_since).isoformat() if state.status_since else "?"
            failures.append(
                Failure(
                    s,
                    expected="equipment in service (not scrapped, made unusable, deregistered or suspended)",
                    reason_zh=f"设备 {_label(code)} {zh}（{since}）",
                    reason_en=f"equipment {_label(code)} is {en} (since {since})",
                    facts={"code": code, "status": state.status, "since": since},
                )
            )
            break
    return failures


def inspection_current(session: Session, subjects: Sequence[Subject]) -> list[Failure]:
    found = _states(session, subjects)
    failures: list[Failure] = []
    for s in subjects:
        for code, state in found[s.index].items():
            if state is None:
                continue
            due: date | None = state.next_inspection_due
            if due is not None and due < s.day:
                failures.append(
                    Failure(
                        s,
                        expected="equipment within its periodic inspection period",
                        reason_zh=f"设备 {_label(code)} 的定期检验已于 {due.isoformat()} 到期",
                        reason_en=f"equipment {_label(code)} was due for its periodic inspection on {due.isoformat()}",
                        facts={"code": code, "next_inspection_due": due.isoformat()},
                    )
                )
                break
            if state.last_inspection_result == "fail":
                day = beijing_day(state.last_inspection_at).isoformat() if state.last_inspection_at else "?"
                failures.append(
                    Failure(
                        s,
                        expected="equipment whose last inspection passed",
                        reason_zh=f"设备 {_label(code)} 最近一次检验（{day}）结论为不合格",
                        reason_en=f"equipment {_label(code)} failed its last inspection ({day})",
                        facts={"code": code, "last_inspection": day},
                    )
                )
                break
    return failures


def filled_by_its_user_unit(session: Session, subjects: Sequence[Subject]) -> list[Failure]:
    """TSG 23: a filling unit fills the cylinders it owns and registered (自有产权、办理使用登记的气瓶)."""
    found = _states(session, subjects)
    units: dict[str, Party | None] = {}
    failures: list[Failure] = []
    for s in subjects:
        for code, state in found[s.index].items():
            named = state.master.get("userUnit") if state is not None else None
            if not isinstance(named, str) or not named:
                continue
            if named not in units:
                units[named] = parties_service.find_party_by_identifier(session, named)
            unit = units[named]
            if unit is not None and unit.id == s.recorder_id:
                continue
            owner = unit.name if unit is not None else named
            failures.append(
                Failure(
                    s,
                    expected="the cylinder's user unit (使用登记 holder) as the filler",
                    reason_zh=f"气瓶 {_label(code)} 的使用登记单位是 {owner}，充装单位只能充装本单位登记的气瓶",
                    reason_en=f"cylinder {_label(code)} is registered to {owner}; "
                    "a filler fills only the cylinders it registered",
                    facts={"code": code, "user_unit": unit.id if unit is not None else named},
                )
            )
            break
    return failures


#: Steps only the equipment's user unit records once it is registered (or a regulator, or the admin); maintenance
#: is its maintenance unit's (the user unit's when it names none).
_USER_UNIT_STEPS = {
    INSTALLING: pair("installation"),
    REGISTERING: pair("a change of registration"),
    SUSPENDING: pair("suspension"),
    RESUMING: pair("resumption"),
    SCRAPPING: pair("scrapping"),
    DEFUNCTIONING: pair("dismantling or de-functioning"),
    DEREGISTERING: pair("deregistration"),
}


def by_responsible_unit(session: Session, subjects: Sequence[Subject]) -> list[Failure]:
    """Once registered, a piece of equipment's registration, suspension, resumption, scrapping and deregistration
    are recorded by its user unit (使用单位), its maintenance by its maintenance unit (维保单位) — or by a regulator
    or the admin — so that nobody else can take it out of service, change its units, or record a visit that never
    happened."""
    found = _states(session, subjects)
    units: dict[str, Party | None] = {}

    def unit(named: object) -> Party | None:
        if not isinstance(named, str) or not named:
            return None
        if named not in units:
            units[named] = parties_service.find_party_by_identifier(session, named)
        return units[named]

    failures: list[Failure] = []
    for s in subjects:
        recorder = session.get(Party, s.recorder_id) if s.recorder_id else None
        step = cbv_short(s.event.get("bizStep"))
        if recorder is not None and (
            recorder.actor == "admin" or (step == DEFUNCTIONING and recorder.actor == "inspector")
        ):
            continue  # an inspection body makes scrapped equipment unusable (去功能化)
        for code, state in found[s.index].items():
            if state is None or not state.registered:
                continue  # not registered yet: whoever installs or registers it
            user = unit(state.master.get("userUnit"))
            region = state.master.get("region") or (user.region if user is not None else None)
            if recorder is not None and supervises(recorder, str(region) if region else None, state.class_id):
                continue  # the regulator of its district and class
            if step == MAINTAINING:
                keeper = unit(state.master.get("maintenanceUnit")) or user
                if keeper is None or keeper.id == s.recorder_id:
                    continue
                zh, en = (
                    f"设备 {_label(code)} 的维保单位是 {keeper.name}，维保记录须由该维保单位记录",
                    (f"equipment {_label(code)} is maintained by {keeper.name}; its maintenance is theirs to record"),
                )
                expected = "the equipment's maintenance unit (or a regulator) as the recorder"
            else:
                if user is None or user.id == s.recorder_id:
                    continue
                what_zh, what_en = _USER_UNIT_STEPS.get(str(step), pair("a change"))
                zh = f"设备 {_label(code)} 的使用单位是 {user.name}，{what_zh}须由使用单位或监管部门记录"
                en = f"equipment {_label(code)} is registered to {user.name}; {what_en} is theirs or a regulator's"
                expected = "the equipment's user unit (or a regulator) as the recorder"
            failures.append(
                Failure(
                    s, expected=expected, reason_zh=zh, reason_en=en, facts={"code": code, "recorder": s.recorder_id}
                )
            )
            break
    return failures


def by_inspection_body(session: Session, subjects: Sequence[Subject]) -> list[Failure]:
    failures: list[Failure] = []
    for s in subjects:
        failures += _not_an_inspection_body(session, s)
    return failures


def cylinder_defunctioned_by_inspection_body(session: Session, subjects: Sequence[Subject]) -> list[Failure]:
    """去功能化 of a gas cylinder is an inspection body's (TSG 23); other equipment may be dismantled by others."""
    found = _states(session, subjects)
    failures: list[Failure] = []
    for s in subjects:
        if any(
            state is not None and state.class_id == "special_equipment.gas_cylinder"
            for state in found[s.index].values()
        ):
            failures += _not_an_inspection_body(session, s)
    return failures


def _not_an_inspection_body(session: Session, s: Subject) -> list[Failure]:
    recorder = session.get(Party, s.recorder_id) if s.recorder_id else None
    if recorder is not None and recorder.actor in ("inspector", "admin"):
        return []
    name = recorder.name if recorder is not None else "?"
    return [
        Failure(
            s,
            expected="an inspection body (parties.actor inspector) as the recorder",
            reason_zh=f"记录者 {name} 不是特种设备检验机构",
            reason_en=f"the recorder {name} is not an inspection body",
            facts={"recorder": s.recorder_id},
        )
    ]


INTERLOCKS: dict[str, tuple[str, str, Interlock]] = {
    "equipment_registered": (*pair("equipment registered here"), registered),
    "equipment_in_service": (*pair("equipment in service"), in_service),
    "inspection_current": (*pair("periodic inspection current"), inspection_current),
    "filled_by_its_user_unit": (*pair("the filler's own registered cylinder"), filled_by_its_user_unit),
    "by_responsible_unit": (*pair("recorded by the responsible unit"), by_responsible_unit),
    "by_inspection_body": (*pair("recorded by an inspection body"), by_inspection_body),
    "cylinder_defunctioned_by_inspection_body": (
        *pair("cylinders made unusable by an inspection body"),
        cylinder_defunctioned_by_inspection_body,
    ),
}
