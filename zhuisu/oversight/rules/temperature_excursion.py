"""``temperature_excursion``: a thing's temperature readings (``sensorElementList`` reports of type
``gs1:Temperature`` — any form ending in ``Temperature`` — ``value``, ``minValue``, ``maxValue``, ``meanValue``, in
``CEL`` (default), ``FAH`` or ``KEL``), in time order across every event and logger naming it, leave its class's
range (the class of the product the code names, else the recorder's; the catalog's ``temperature`` and the node's
``risk_temperature_ranges``: ``sectors.coldchain.readings.allowed_range``; a class without a range is not checked).

One alert per excursion — from the first reading outside the range until the next reading back inside
(``sectors.coldchain.readings.excursions``) — with its minutes outside and its peak in the detail and facts. The
things whose readings make the same excursion (one logger with a pallet of items) share its alert. An excursion is
identified by its first reading outside (its event and time), so a rescan, or a later import adding its end, adds to
the same alert. An excursion shorter than ``risk_temperature_tolerance_minutes`` (per class) is no alert, unless no
reading has shown the thing back inside yet (open: its length is not known). The recorder of its first reading
outside answers for it.
"""

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhuisu.kit.i18n import pair
from zhuisu.kit.time import BEIJING
from zhuisu.models import Event, EventEpc
from zhuisu.oversight.rules.base import Hit, RiskRule, Scope, classes_of_codes, party_classes
from zhuisu.sectors.coldchain import service as coldchain_service
from zhuisu.sectors.coldchain.readings import Excursion, distance, excursions, readings_of


def _has_sensors(session: Session) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return Event.body.op("?")("sensorElementList")
    return func.json_type(Event.body, "$.sensorElementList").is_not(None)


def _codes(session: Session, scope: Scope) -> list[str]:
    """The codes whose readings may have changed: every code a sensor event names (full scan), else those the new
    events with temperature readings name."""
    if scope.full:
        sensed = select(Event.id).where(_has_sensors(session))
        return sorted(set(session.scalars(select(EventEpc.value).where(EventEpc.event_pk.in_(sensed)))))
    return scope.new_codes(lambda e: "sensorElementList" in e.body and bool(readings_of(e.body)))


@dataclass
class _Found:
    excursion: Excursion
    class_id: str | None
    allowed: tuple[float, float]
    recorder: str
    codes: set[str] = field(default_factory=set)


def find(session: Session, scope: Scope) -> list[Hit]:
    codes = _codes(session, scope)
    if not codes:
        return []
    per_code = coldchain_service.thing_readings(session, codes)
    policy = coldchain_service.policy(session, scope.config.temperature_ranges)
    classes = classes_of_codes(session, per_code)
    recorders = party_classes(session, {e.recorder_id for _, events in per_code.values() for e in events.values()})
    found: dict[str, _Found] = {}
    for code, (values, events) in sorted(per_code.items()):
        for excursion in _excursions(values, classes.get(code), events, recorders, policy):
            start = events[excursion.refs[0]]
            class_id = classes.get(code) or recorders.get(start.recorder_id)
            allowed = policy.range(class_id)
            if allowed is None:
                continue
            key = f"{start.event_id}\n{excursion.start.isoformat()}"
            known = found.get(key)
            if known is None:
                known = found[key] = _Found(excursion, class_id, allowed, start.recorder_id)
            elif excursion.minutes > known.excursion.minutes:
                known.excursion.end, known.excursion.open = excursion.end, excursion.open
            known.excursion.refs = list(dict.fromkeys([*known.excursion.refs, *excursion.refs]))
            if distance(excursion.peak, allowed) > distance(known.excursion.peak, allowed):
                known.excursion.peak = excursion.peak
            known.codes.add(code)
    return [_hit(key, f) for key, f in found.items()]


def _excursions(
    values: list[Any],
    code_class: str | None,
    events: dict[int, Event],
    recorders: dict[str, str | None],
    policy: coldchain_service.Policy,
) -> list[Excursion]:
    class_id = code_class or recorders.get(events[values[0].ref].recorder_id)
    allowed = policy.range(class_id)
    if allowed is None:
        return []
    tolerance = policy.tolerance(class_id)
    return [e for e in excursions(values, allowed) if e.open or e.minutes >= tolerance]


def _hit(key: str, found: _Found) -> Hit:
    e, (low, high) = found.excursion, found.allowed
    start = e.start.astimezone(BEIJING)
    still_zh, still_en = pair(", not back in range yet") if e.open else ("", "")
    return Hit(
        key=key,
        events=tuple(e.refs),
        codes=tuple(sorted(found.codes)),
        party_id=found.recorder,
        class_id=found.class_id,
        detail_zh=f"{start:%Y-%m-%d %H:%M} 起温度超出 {found.class_id} 类允许范围 {low:g}～{high:g}°C 共 "
        f"{e.minutes:g} 分钟，峰值 {e.peak:g}°C{still_zh}",
        detail_en=f"from {start:%Y-%m-%d %H:%M} (Beijing) the temperature was outside the {found.class_id} range "
        f"{low:g} to {high:g} °C for {e.minutes:g} min, peak {e.peak:g} °C{still_en}",
        facts={
            "start": e.start.isoformat(),
            "end": e.end.isoformat(),
            "minutes": e.minutes,
            "peak": e.peak,
            "worst": e.peak,
            "range": [low, high],
            "readings": e.readings,
            "open": e.open,
        },
    )


RULE = RiskRule(
    id="temperature_excursion",
    severity="medium",
    name_zh="温度超标",
    name_en="temperature excursion",
    explanation_zh="温度记录超出该类产品允许的储运温度范围（冷链断链）：每次超标一条预警，注明超标时长和峰值。",
    explanation_en="The temperature readings left the range allowed for the product's class (a broken cold chain): "
    "one alert per excursion, with its minutes outside and its peak.",
    timed=False,
    find=find,
)
