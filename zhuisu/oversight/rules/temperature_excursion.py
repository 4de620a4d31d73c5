"""``temperature_excursion``: an event's sensor reports (``sensorElementList``) give a temperature outside its
class's range (``risk_temperature_ranges``, °C; the class of a product the event names, else the recorder's; a
class without a range is not checked). Reports of type ``gs1:Temperature`` (any form ending in ``Temperature``),
their ``value``, ``minValue``, ``maxValue`` and ``meanValue``, in ``CEL`` (default), ``FAH`` or ``KEL``. One alert
per event; its recorder answers for it.
"""

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhuisu.catalog.rules import for_class
from zhuisu.epcis.identifiers import named_codes
from zhuisu.models import Event
from zhuisu.oversight.rules.base import Hit, RiskRule, Scope, classes_of_codes, party_classes

_FIELDS = ("value", "minValue", "maxValue", "meanValue")


def celsius(value: float, uom: str | None) -> float:
    """A temperature in °C.

    >>> celsius(41, "FAH"), celsius(278.15, "KEL"), celsius(4, None)
    (5.0, 5.0, 4.0)
    """
    if uom == "FAH":
        return round((value - 32) * 5 / 9, 6)
    if uom == "KEL":
        return round(value - 273.15, 6)
    return float(value)


def temperatures(body: dict[str, Any]) -> list[float]:
    """Every temperature an event's sensor reports give, in °C."""
    found: list[float] = []
    for element in body.get("sensorElementList") or ():
        for report in (element.get("sensorReport") or ()) if isinstance(element, dict) else ():
            if not isinstance(report, dict) or not str(report.get("type", "")).endswith("Temperature"):
                continue
            for name in _FIELDS:
                value = report.get(name)
                if isinstance(value, int | float) and not isinstance(value, bool):
                    found.append(celsius(value, report.get("uom")))
    return found


def find(session: Session, scope: Scope) -> list[Hit]:
    ranges = scope.config.temperature_ranges
    if not ranges:
        return []
    if scope.full:
        if session.get_bind().dialect.name == "postgresql":
            has_sensors = Event.body.op("?")("sensorElementList")
        else:
            has_sensors = func.json_type(Event.body, "$.sensorElementList").is_not(None)
        stored = session.execute(select(Event.id, Event.recorder_id, Event.body).where(has_sensors).order_by(Event.id))
        found = [(pk, recorder, body) for pk, recorder, body in stored]
    else:  # the new events are in hand
        found = [(e.pk, e.recorder_id, e.body) for e in scope.new if "sensorElementList" in e.body]
    rows = [(pk, recorder, body, readings) for pk, recorder, body in found if (readings := temperatures(body))]
    if not rows:
        return []
    classes = classes_of_codes(session, {c for _, _, body, _ in rows for c in named_codes(body)})
    recorders = party_classes(session, {r for _, r, _, _ in rows})
    hits = []
    for pk, recorder, body, readings in rows:
        codes = named_codes(body)
        class_id = next((classes[c] for c in codes if c in classes), None) or recorders.get(recorder)
        allowed = for_class(ranges, class_id)
        if allowed is None:
            continue
        low, high = allowed
        outside = [r for r in readings if r < low or r > high]
        if not outside:
            continue
        worst = max(outside, key=lambda r: max(low - r, r - high))
        hits.append(
            Hit(
                key=str(pk),
                events=(pk,),
                codes=tuple(sorted(codes)),
                party_id=recorder,
                class_id=class_id,
                detail_zh=f"温度 {worst:g}°C 超出 {class_id} 类允许范围 {low:g}～{high:g}°C",
                detail_en=f"temperature {worst:g} °C outside the {class_id} range {low:g} to {high:g} °C",
                facts={"worst": worst, "range": [low, high], "readings": len(readings)},
            )
        )
    return hits


RULE = RiskRule(
    id="temperature_excursion",
    severity="medium",
    name_zh="温度超标",
    name_en="temperature excursion",
    explanation_zh="传感器记录的温度超出该类产品允许的储运温度范围（冷链断链）。",
    explanation_en="A sensor reported a temperature outside the range allowed for the product's class (a broken "
    "cold chain).",
    timed=False,
    find=find,
)
