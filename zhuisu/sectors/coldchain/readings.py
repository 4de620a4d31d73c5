"""Temperature readings as EPCIS 2.0 events carry them, the range a product class allows, and the excursions: pure
functions shared by the risk rule (``oversight.rules.temperature_excursion``), the import and the product page.

**Readings.** Every ``sensorReport`` of a type ending in ``Temperature`` (``gs1:Temperature``, ``Temperature``, the
full IRI) gives a reading per numeric member (``value``, ``minValue``, ``maxValue``, ``meanValue``), converted to °C
from its ``uom`` (``CEL`` by default, ``FAH``, ``KEL``), at the report's ``time``, else its element's
``sensorMetadata`` ``time``, else ``endTime``, else ``startTime``, else the event's ``eventTime``.

**The range** of a catalog class (``allowed_range``): the nearest of the catalog's ranges (a class's ``temperature``,
inherited by the classes under it) and the node's ``risk_temperature_ranges`` (class → [min, max]; ``*`` for every
class). The nearer one wins — the one given for the class itself, else for its nearest ancestor; at the same level
the node's setting wins (it overrides the catalog). No range: not checked.

**Excursions** (``excursions``), over readings in time order (across events and loggers): an excursion starts at a
reading outside the range and lasts until the next reading back inside (a step rule: each reading is taken to hold
until the next one, no interpolation between them — a logger records at fixed intervals, and the product is counted
outside until a reading shows it back). Its minutes are from its first reading outside to that reading back inside;
an excursion no reading has ended yet is *open* and counted to its last reading outside. Its peak is the reading
farthest outside the range.
"""

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from zhuisu.kit.time import parse_iso

Range = tuple[float, float]
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


@dataclass(frozen=True)
class Reading:
    """One temperature: when, °C, the device, and the event it came from (``ref``: its pk or eventID)."""

    time: datetime
    celsius: float
    ref: Any
    device: str | None = None


def _time(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        return parse_iso(value)
    except ValueError:
        return None


def is_temperature(report: Any) -> bool:
    return isinstance(report, dict) and str(report.get("type", "")).endswith("Temperature")


def readings_of(body: dict[str, Any], ref: Any = None) -> list[Reading]:
    """The temperature readings of one event (see the module docstring), in the order it gives them."""
    found: list[Reading] = []
    event_time = _time(body.get("eventTime"))
    for element in body.get("sensorElementList") or ():
        if not isinstance(element, dict):
            continue
        found_meta = element.get("sensorMetadata")
        meta: dict[str, Any] = found_meta if isinstance(found_meta, dict) else {}
        meta_time = _time(meta.get("time")) or _time(meta.get("endTime")) or _time(meta.get("startTime"))
        for report in element.get("sensorReport") or ():
            if not is_temperature(report):
                continue
            when = _time(report.get("time")) or meta_time or event_time
            device = report.get("deviceID") or meta.get("deviceID")
            if when is None:
                continue
            for name in _FIELDS:
                value = report.get(name)
                if isinstance(value, int | float) and not isinstance(value, bool):
                    found.append(Reading(when, celsius(value, report.get("uom")), ref, device))
    return found


def in_order(readings: Iterable[Reading]) -> list[Reading]:
    """By time; readings at the same time keep the order they came in (events in pk order)."""
    return sorted(readings, key=lambda r: r.time)


# ranges


def _nearest(table: Mapping[str, Range], class_id: str | None) -> tuple[int, Range] | None:
    parts = (class_id or "").split(".")
    while parts and parts[0]:
        key = ".".join(parts)
        if key in table:
            return len(parts), table[key]
        parts.pop()
    return (0, table["*"]) if "*" in table else None


def allowed_range(
    class_id: str | None, *, catalog: Mapping[str, Range], overrides: Mapping[str, Range]
) -> Range | None:
    """The range of ``class_id`` (see the module docstring): the nearer of the catalog's and the node's; at the
    same level the node's.

    >>> catalog = {"food.dairy": (0.0, 6.0), "edible_agri.meat": (-25.0, 4.0)}
    >>> allowed_range("food.dairy.yogurt", catalog=catalog, overrides={"food": (0.0, 25.0)})
    (0.0, 6.0)
    >>> allowed_range("food.dairy", catalog=catalog, overrides={"food.dairy": (2.0, 8.0)})
    (2.0, 8.0)
    >>> allowed_range("food.rice", catalog=catalog, overrides={}), allowed_range(
    ...     "drug", catalog={}, overrides={"*": (1, 2)})
    (None, (1, 2))
    """
    from_catalog, from_node = _nearest(catalog, class_id), _nearest(overrides, class_id)
    if from_node is not None and (from_catalog is None or from_node[0] >= from_catalog[0]):
        return from_node[1]
    return from_catalog[1] if from_catalog else None


def outside(value: float, allowed: Range) -> bool:
    return value < allowed[0] or value > allowed[1]


def distance(value: float, allowed: Range) -> float:
    """How far outside the range (0 inside)."""
    return max(allowed[0] - value, value - allowed[1], 0.0)


# excursions


@dataclass
class Excursion:
    """One stretch outside the range: from ``start`` (its first reading outside) to ``end`` (the reading back
    inside; for an open one, its last reading outside)."""

    start: datetime
    end: datetime
    peak: float
    refs: list[Any] = field(default_factory=list)
    readings: int = 0
    open: bool = True

    @property
    def minutes(self) -> float:
        return round((self.end - self.start).total_seconds() / 60, 2)

    def to_json(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "minutes": self.minutes,
            "peak": self.peak,
            "readings": self.readings,
            "open": self.open,
        }


def _add_ref(refs: list[Any], ref: Any) -> None:
    if ref not in refs:
        refs.append(ref)


def excursions(readings: Sequence[Reading], allowed: Range) -> list[Excursion]:
    """The excursions of ``readings`` (in time order: ``in_order``) outside ``allowed``, oldest first.

    >>> from datetime import timedelta, timezone
    >>> t0 = datetime(2026, 12, 1, tzinfo=timezone.utc)
    >>> series = [Reading(t0 + timedelta(minutes=10 * n), c, n) for n, c in enumerate([3, 7, 9.5, 4, 5, 8])]
    >>> [(e.minutes, e.peak, e.refs, e.open) for e in excursions(series, (0.0, 6.0))]
    [(20.0, 9.5, [1, 2, 3], False), (0.0, 8, [5], True)]
    """
    found: list[Excursion] = []
    current: Excursion | None = None
    for reading in readings:
        if outside(reading.celsius, allowed):
            if current is None:
                current = Excursion(start=reading.time, end=reading.time, peak=reading.celsius)
                found.append(current)
            if distance(reading.celsius, allowed) > distance(current.peak, allowed):
                current.peak = reading.celsius
            current.end = reading.time
            current.readings += 1
            _add_ref(current.refs, reading.ref)
        elif current is not None:
            current.end, current.open = reading.time, False
            _add_ref(current.refs, reading.ref)
            current = None
    return found


def minutes_outside(readings: Sequence[Reading], allowed: Range) -> list[float]:
    """Per reading (in time order), the minutes it counts outside the range: until the next reading when it is
    outside, else 0 (their sum is the excursions' minutes)."""
    out = []
    for n, reading in enumerate(readings):
        following = readings[n + 1] if n + 1 < len(readings) else None
        if following is None or not outside(reading.celsius, allowed):
            out.append(0.0)
        else:
            out.append((following.time - reading.time).total_seconds() / 60)
    return out
