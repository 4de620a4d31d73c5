"""The lifecycle of special equipment as EPCIS events: zhuisu's vocabulary extension and the state it derives.

Each step is an ObjectEvent naming the equipment in its ``epcList`` (the 18-character 特种设备代码 as
``https://zhuisu.cn/code/{code}``, or a GIAI/GRAI), with a bizStep from CBV 2.0 where one fits and from
``https://zhuisu.cn/voc/bizstep/`` where none does (docs/equipment.md):

==========================  ===========================================  ====================================
step                        bizStep                                      what it carries
==========================  ===========================================  ====================================
安装告知 installation notice  ``installing`` (CBV)                          BTT ``…/BTT-installation_notice``
使用登记 registration        ``zs`` ``registering``                        ``zs:equipment`` (master data)
检验 inspection              ``inspecting`` (CBV)                          BTT ``testres``, ``zs:result``,
                                                                          ``zs:nextInspectionDue``
维保 maintenance             ``zs`` ``maintaining``
停用 suspension              ``zs`` ``suspending``
启用 resumption              ``zs`` ``resuming``
报废 scrapping               ``decommissioning`` (CBV)
去功能化 de-functioning       ``destroying`` (CBV)                          (by an inspection body)
注销 deregistration          ``zs`` ``deregistering``
充装 filling (cylinders)      ``zs`` ``filling``
==========================  ===========================================  ====================================

``zs:`` is ``https://zhuisu.cn/ns/epcis/``. ``zs:equipment`` (on installation and registration; the latest wins,
key by key) holds the master data: ``type``, ``model``, ``manufacturer``, ``address``, ``region`` (GB/T 2260),
``userUnit`` and ``maintenanceUnit`` (a party's id, 统一社会信用代码 or GLN), ``registrationCertificate``,
``designLifeYears``, and ``class`` (a ``special_equipment.*`` catalog class, when the code does not tell it).

This module is pure: ``fold`` takes one piece of equipment's events in time order and returns its state.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from zhuisu.catalog.elements import member
from zhuisu.catalog.rules import for_class
from zhuisu.codes import special_equipment_code
from zhuisu.epcis.identifiers import cbv_short
from zhuisu.kit.i18n import pair
from zhuisu.kit.time import BEIJING, parse_iso

ZS_NS = "https://zhuisu.cn/ns/epcis/"
ZS_STEP = "https://zhuisu.cn/voc/bizstep/"
#: How events name an 18-character 特种设备代码 (the URL form ``codes.recognize`` reads; kept as the canonical code).
CODE_URL = special_equipment_code.URL_PREFIX

INSTALLING = "installing"
REGISTERING = ZS_STEP + "registering"
INSPECTING = "inspecting"
MAINTAINING = ZS_STEP + "maintaining"
SUSPENDING = ZS_STEP + "suspending"
RESUMING = ZS_STEP + "resuming"
SCRAPPING = "decommissioning"
DEFUNCTIONING = "destroying"
DEREGISTERING = ZS_STEP + "deregistering"
FILLING = ZS_STEP + "filling"

#: Each lifecycle bizStep (as ``cbv_short`` gives it) and its names.
STEPS: dict[str, tuple[str, str]] = {
    INSTALLING: pair("installation notice"),
    REGISTERING: pair("registration"),
    INSPECTING: pair("inspection"),
    MAINTAINING: pair("maintenance"),
    SUSPENDING: pair("suspension"),
    RESUMING: pair("resumption"),
    SCRAPPING: pair("scrapping"),
    DEFUNCTIONING: pair("de-functioning"),
    DEREGISTERING: pair("deregistration"),
    FILLING: pair("filling"),
}
#: The states, in both languages; the terminal ones end the equipment's service for good.
STATUSES: dict[str, tuple[str, str]] = {
    "installed": pair("installed, not registered"),
    "in_service": pair("in service"),
    "suspended": pair("suspended"),
    "scrapped": pair("scrapped"),
    "defunctioned": pair("made unusable"),
    "deregistered": pair("deregistered"),
}
TERMINAL = ("scrapped", "defunctioned", "deregistered")
#: Inspection conclusions as events write them, to the three the register keeps.
RESULTS: dict[str, str] = {
    "合格": "pass",
    "pass": "pass",
    "passed": "pass",
    "允许使用": "pass",
    "复检合格": "pass",
    "基本合格": "conditional",
    "conditional": "conditional",
    "不合格": "fail",
    "fail": "fail",
    "failed": "fail",
}
RESULT_NAMES: dict[str, tuple[str, str]] = {
    "pass": pair("passed"),
    "conditional": pair("passed with conditions"),
    "fail": pair("failed"),
}
#: The class an 18-character code tells by its variety (TSG 08 annex): 3xxx elevators, 23xx gas cylinders.
_CLASS_BY_VARIETY = (("23", "special_equipment.gas_cylinder"), ("3", "special_equipment.elevator"))
MASTER_KEYS = (
    "type",
    "model",
    "manufacturer",
    "address",
    "region",
    "userUnit",
    "maintenanceUnit",
    "registrationCertificate",
    "designLifeYears",
    "class",
)


@dataclass(frozen=True)
class Intervals:
    """How often equipment of a class is inspected (months) and maintained (days; absent: no maintenance rule)."""

    inspection_months: Mapping[str, int]
    maintenance_days: Mapping[str, int]

    def inspection(self, class_id: str) -> int:
        return int(for_class(self.inspection_months, class_id) or 12)

    def maintenance(self, class_id: str) -> int | None:
        found = for_class(self.maintenance_days, class_id)
        return int(found) if found is not None else None


@dataclass(frozen=True)
class Step:
    """One lifecycle event of the equipment, as the fold reads it."""

    pk: int
    time: datetime
    step: str
    recorder_id: str
    master: dict[str, Any] = field(default_factory=dict)
    result: str | None = None
    report: str | None = None
    next_due: date | None = None


@dataclass(frozen=True)
class State:
    """What the equipment's events say it is now."""

    code: str
    class_id: str
    master: dict[str, Any]
    status: str
    installed_at: datetime | None = None
    #: Who recorded its first event (the installer, or the user unit registering it): where it is when the master
    #: data names no region and no user unit known here.
    installed_by_id: str | None = None
    registered_at: datetime | None = None
    status_since: datetime | None = None
    last_inspection_at: datetime | None = None
    last_inspection_result: str | None = None
    last_inspection_by_id: str | None = None
    last_inspection_report: str | None = None
    next_inspection_due: date | None = None
    last_maintenance_at: datetime | None = None
    last_maintenance_by_id: str | None = None
    next_maintenance_due: date | None = None
    last_filled_at: datetime | None = None
    last_filled_by_id: str | None = None
    fills: int = 0
    events: int = 0
    last_event_pk: int | None = None

    @property
    def registered(self) -> bool:
        return self.registered_at is not None


def class_of(code: str, master: Mapping[str, Any]) -> str:
    """The equipment's class: ``zs:equipment.class`` when it names one, else what its code's variety tells.

    >>> class_of(CODE_URL + "311011001201800123", {}), class_of("231037001201900007", {}), class_of("x", {})
    ('special_equipment.elevator', 'special_equipment.gas_cylinder', 'special_equipment')
    """
    named = master.get("class")
    if isinstance(named, str) and named.startswith("special_equipment"):
        return named
    code = code.removeprefix(CODE_URL)
    if special_equipment_code.is_valid(code):
        for prefix, class_id in _CLASS_BY_VARIETY:
            if code.startswith(prefix):
                return class_id
    return "special_equipment"


def keys_of(text: str, canonical: str) -> list[str]:
    """The register keys a scanned or typed code may be under: its canonical form, and for a bare 18-character
    特种设备代码 the URL form events name it by.

    >>> keys_of("3110 11001 2018 00123", "3110 11001 2018 00123")
    ['3110 11001 2018 00123', 'https://zhuisu.cn/code/311011001201800123']
    >>> keys_of("https://zhuisu.cn/code/311011001201800123", "311011001201800123")[1]
    'https://zhuisu.cn/code/311011001201800123'

    """
    keys = [canonical]
    for candidate in (text.strip(), canonical):
        if special_equipment_code.is_valid(candidate):
            keys.append(CODE_URL + special_equipment_code.compact(candidate))
            break
    return keys


def may_be_equipment(canonical: str) -> bool:
    """Whether a canonical code could name registered equipment (so that the product page asks the register):
    a 特种设备代码 (bare or as its URL), a GIAI or a GRAI.

    >>> [may_be_equipment(c) for c in ("311011001201800123", "https://id.gs1.org/8004/0614141E1", "urn:x:1")]
    [True, True, False]
    """
    return (
        canonical.startswith(CODE_URL)
        or canonical.startswith(("https://id.gs1.org/8004/", "https://id.gs1.org/8003/"))
        or ("/" not in canonical and special_equipment_code.is_valid(canonical))  # no check on every page read
    )


def extension(event: Mapping[str, Any], local: str, bound: Mapping[str, str]) -> Any:
    """The value of the ``zs:`` extension member ``local`` of an event, whatever prefix the document bound to
    zhuisu's namespace (``zs`` when it bound none).

    >>> extension({"zs:result": "合格"}, "result", {}), extension({"x:result": 1}, "result", {"x": ZS_NS})
    ('合格', 1)
    """
    return member(event, ZS_NS + local, {"zs": ZS_NS, **bound})


def step_of(pk: int, recorder_id: str, event: Mapping[str, Any], bound: Mapping[str, str]) -> Step | None:
    """The lifecycle step an event records, or None when its bizStep is none of them."""
    step = cbv_short(event.get("bizStep"))
    if step not in STEPS:
        return None
    raw = extension(event, "equipment", bound)
    master = {k: raw[k] for k in MASTER_KEYS if isinstance(raw, dict) and raw.get(k) not in (None, "")}
    result = extension(event, "result", bound)
    due = extension(event, "nextInspectionDue", bound)
    report = next(
        (
            str(t.get("bizTransaction"))
            for t in event.get("bizTransactionList") or ()
            if isinstance(t, dict)
            and cbv_short(t.get("type")) in ("testres", "https://zhuisu.cn/voc/BTT-inspection_report")
        ),
        None,
    )
    return Step(
        pk=pk,
        time=parse_iso(str(event["eventTime"])),
        step=step,
        recorder_id=recorder_id,
        master=master,
        result=RESULTS.get(str(result).strip().lower() if isinstance(result, str) else "", None)
        if result is not None
        else None,
        report=report,
        next_due=_date(due),
    )


def _date(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def beijing_day(moment: datetime) -> date:
    return moment.astimezone(BEIJING).date()


def add_months(day: date, months: int) -> date:
    """``day`` plus whole months, the last day of a shorter month when the day does not exist.

    >>> add_months(date(2026, 1, 31), 1), add_months(date(2026, 12, 5), 12)
    (datetime.date(2026, 2, 28), datetime.date(2027, 12, 5))
    """
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for last in (31, 30, 29, 28):
        try:
            return day.replace(year=year, month=month, day=min(day.day, last))
        except ValueError:
            continue
    raise ValueError(day)  # pragma: no cover - some day of every month exists


def fold(code: str, steps: Iterable[Step], intervals: Intervals, state: State | None = None) -> State | None:
    """The state ``steps`` (one piece of equipment's lifecycle events, in time order) leave it in, from ``state``
    (None: from nothing). None when no step registers or installs it."""
    for s in steps:
        state = _apply(code, state, s, intervals)
    return state


def _apply(code: str, state: State | None, s: Step, intervals: Intervals) -> State | None:
    if state is None:
        if s.step not in (INSTALLING, REGISTERING):
            return None  # events of equipment never installed nor registered here found nothing
        master = dict(s.master)
        state = State(
            code,
            class_of(code, master),
            master,
            "installed",
            installed_at=s.time,
            installed_by_id=s.recorder_id or None,
            status_since=s.time,
        )
    # the master data comes from installation notices and registrations (by the user unit once registered:
    # interlocks.by_responsible_unit), never from a visit or a filling
    master = {**state.master, **s.master} if s.step in (INSTALLING, REGISTERING) else state.master
    state = replace(state, master=master, class_id=class_of(code, master), events=state.events + 1, last_event_pk=s.pk)
    terminal = state.status in TERMINAL
    if s.step == REGISTERING:
        due = state.next_inspection_due or add_months(beijing_day(s.time), intervals.inspection(state.class_id))
        state = replace(state, registered_at=state.registered_at or s.time, next_inspection_due=due)
        if not terminal and state.status == "installed":
            state = replace(state, status="in_service", status_since=s.time)
        state = _maintenance_due(state, state.last_maintenance_at or s.time, intervals)
    elif s.step == INSPECTING:
        due = s.next_due or add_months(beijing_day(s.time), intervals.inspection(state.class_id))
        state = replace(
            state,
            last_inspection_at=s.time,
            last_inspection_result=s.result,
            last_inspection_by_id=s.recorder_id,
            last_inspection_report=s.report,
            next_inspection_due=due,
        )
    elif s.step == MAINTAINING:
        state = _maintenance_due(
            replace(state, last_maintenance_at=s.time, last_maintenance_by_id=s.recorder_id), s.time, intervals
        )
    elif s.step == FILLING:
        state = replace(state, last_filled_at=s.time, last_filled_by_id=s.recorder_id, fills=state.fills + 1)
    elif s.step == SUSPENDING and not terminal:
        state = replace(state, status="suspended", status_since=s.time)
    elif s.step == RESUMING and state.status == "suspended":
        state = replace(state, status="in_service" if state.registered else "installed", status_since=s.time)
    elif s.step == SCRAPPING and state.status not in ("defunctioned", "deregistered"):
        state = replace(state, status="scrapped", status_since=s.time)
    elif s.step == DEFUNCTIONING and state.status != "deregistered":
        state = replace(state, status="defunctioned", status_since=s.time)
    elif s.step == DEREGISTERING:
        state = replace(state, status="deregistered", status_since=s.time)
    return state


def _maintenance_due(state: State, since: datetime, intervals: Intervals) -> State:
    days = intervals.maintenance(state.class_id)
    if days is None or not state.registered:
        return replace(state, next_maintenance_due=None)
    return replace(state, next_maintenance_due=beijing_day(since) + timedelta(days=days))


@dataclass(frozen=True)
class Condition:
    """Where the equipment stands on a day: its status, and whether its inspection or maintenance is overdue or
    due within the warning window."""

    status: str
    inspection_overdue: bool
    inspection_due_soon: bool
    maintenance_overdue: bool
    maintenance_due_soon: bool
    inspection_failed: bool

    @property
    def key(self) -> str:
        """One word for lists and the public page: the terminal or suspended status, else ``overdue``,
        ``due``, ``in_service`` (or ``installed``)."""
        if self.status in (*TERMINAL, "suspended"):
            return self.status
        if self.inspection_overdue or self.maintenance_overdue or self.inspection_failed:
            return "overdue"
        if self.inspection_due_soon or self.maintenance_due_soon:
            return "due"
        return self.status


CONDITIONS: dict[str, tuple[str, str]] = {
    **STATUSES,
    "overdue": pair("overdue or failed inspection: not to be used"),
    "due": pair("due soon"),
}


def condition(
    status: str,
    next_inspection_due: date | None,
    next_maintenance_due: date | None,
    last_result: str | None,
    today: date,
    warn_days: int,
) -> Condition:
    """The equipment's condition on ``today`` (Beijing), warning ``warn_days`` ahead.

    >>> condition("in_service", date(2026, 12, 1), None, "pass", date(2026, 12, 5), 30).key
    'overdue'
    >>> condition("in_service", date(2026, 12, 20), date(2026, 12, 6), "pass", date(2026, 12, 5), 30).key
    'due'
    >>> condition("scrapped", date(2026, 12, 1), None, "pass", date(2026, 12, 5), 30).key
    'scrapped'
    """
    live = status in ("in_service", "installed")
    soon = today + timedelta(days=warn_days)
    return Condition(
        status=status,
        inspection_overdue=live and next_inspection_due is not None and next_inspection_due < today,
        inspection_due_soon=live and next_inspection_due is not None and today <= next_inspection_due <= soon,
        maintenance_overdue=live and next_maintenance_due is not None and next_maintenance_due < today,
        maintenance_due_soon=live
        and next_maintenance_due is not None
        and today <= next_maintenance_due <= today + timedelta(days=min(warn_days, 3)),
        inspection_failed=live and last_result == "fail",
    )
