"""The parts of the EPCIS 2.0 query language checked on the stored event itself (EPCIS 2.0 §8.2.7.1).

The indexed parameters (times, types, bizStep, EPCs …) become SQL (``repository``); the rest — extension fields
(``EQ_ns:field``, ``EQ_INNER_…``, ``EQ_ILMD_…``, ``EXISTS_…``, error-declaration and sensor fields), business
transactions, sources and destinations by type, quantities and sensor values compared with units — are
predicates over the event as captured, with the ``@context`` it was captured under, so that ``ns:field`` names
the same IRI as the event's own prefixes do. Pure: no database.
"""

import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from zhuisu.codes.canonical import canonical_id
from zhuisu.epcis.identifiers import cbv_short
from zhuisu.epcis.xml.names import TEXT
from zhuisu.kit.time import parse_iso

Event = Mapping[str, Any]
Check = Callable[[Event, Mapping[str, str]], bool]

#: Unit → (base unit, factor, offset): value_in_base = value * factor + offset (UN/ECE Rec. 20 codes).
UNITS: dict[str, tuple[str, Decimal, Decimal]] = {
    "CEL": ("KEL", Decimal(1), Decimal("273.15")),
    "KEL": ("KEL", Decimal(1), Decimal(0)),
    "FAH": ("KEL", Decimal(5) / Decimal(9), Decimal("255.3722222222222222222222222")),
    "KGM": ("KGM", Decimal(1), Decimal(0)),
    "GRM": ("KGM", Decimal("0.001"), Decimal(0)),
    "MGM": ("KGM", Decimal("0.000001"), Decimal(0)),
    "TNE": ("KGM", Decimal(1000), Decimal(0)),
    "LBR": ("KGM", Decimal("0.45359237"), Decimal(0)),
    "MTR": ("MTR", Decimal(1), Decimal(0)),
    "CMT": ("MTR", Decimal("0.01"), Decimal(0)),
    "MMT": ("MTR", Decimal("0.001"), Decimal(0)),
    "KMT": ("MTR", Decimal(1000), Decimal(0)),
    "LTR": ("LTR", Decimal(1), Decimal(0)),
    "MLT": ("LTR", Decimal("0.001"), Decimal(0)),
    "MTQ": ("LTR", Decimal(1000), Decimal(0)),
    "PAL": ("PAL", Decimal(1), Decimal(0)),
    "KPA": ("PAL", Decimal(1000), Decimal(0)),
    "BAR": ("PAL", Decimal(100000), Decimal(0)),
    "P1": ("P1", Decimal(1), Decimal(0)),
    "A93": ("A93", Decimal(1), Decimal(0)),
}
_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "EQ": lambda a, b: a == b,
    "GT": lambda a, b: a > b,
    "GE": lambda a, b: a >= b,
    "LT": lambda a, b: a < b,
    "LE": lambda a, b: a <= b,
}
_STANDARD_PREFIXES = {
    "cbvmda": "urn:epcglobal:cbv:mda:",
    "gs1": "https://gs1.org/voc/",
    "cbv": "https://ref.gs1.org/cbv/",
    "epcis": "https://ref.gs1.org/epcis/",
}
_ID_FIELDS = frozenset({"deviceID", "deviceMetadata", "rawData", "dataProcessingMethod", "bizRules"})
_CURIE = re.compile(r"^([A-Za-z][\w.-]*):(\w[\w.-]*)$")


@dataclass(frozen=True)
class Predicate:
    """One query parameter checked on the event: ``name`` and ``values`` are what the client sent."""

    name: str
    values: tuple[str, ...]
    check: Check

    def __call__(self, event: Event, prefixes: Mapping[str, str]) -> bool:
        return self.check(event, prefixes)


def prefixes_of(context: Any) -> dict[str, str]:
    """Prefix → IRI of a JSON-LD ``@context`` (inline objects only; remote contexts are never fetched)."""
    out = dict(_STANDARD_PREFIXES)
    for item in context if isinstance(context, list) else [context]:
        if isinstance(item, Mapping):
            out.update({k: v for k, v in item.items() if isinstance(v, str)})
    return out


def expand(key: str, prefixes: Mapping[str, str]) -> str:
    match = _CURIE.match(key)
    if match and match.group(1) in prefixes:
        return prefixes[match.group(1)] + match.group(2)
    return key


def number(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        return Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None


def comparable(value: Any, against: str) -> tuple[Any, Any] | None:
    """The pair to compare: numbers when both are numbers, date-times when both are, else trimmed strings."""
    a, b = number(value), number(against)
    if a is not None and b is not None:
        return a, b
    if isinstance(value, str) and "T" in value and "T" in against:
        try:
            return parse_iso(value), parse_iso(against)
        except ValueError:
            pass
    if isinstance(value, Mapping | list):
        return None
    text = "true" if value is True else "false" if value is False else str(value).strip()
    return text, against.strip()


def compare(op: str, value: Any, wanted: tuple[str, ...]) -> bool:
    """Whether ``value`` (or any item of a list) stands in relation ``op`` to any of ``wanted``.

    An extension element read from XML with attributes is an object whose own text is its ``#text``: that text is
    its value (its attributes are inner fields).
    """
    items = [
        item[TEXT] if isinstance(item, Mapping) and TEXT in item else item
        for item in (value if isinstance(value, list) else [value])
    ]
    for item in items:
        for w in wanted:
            pair = comparable(item, w)
            if pair is not None and _safe(op, *pair):
                return True
    return False


def _safe(op: str, a: Any, b: Any) -> bool:
    try:
        return _OPS[op](a, b)
    except TypeError:
        return False


def _field_values(obj: Any, key: str, prefixes: Mapping[str, str], *, inner: bool) -> Iterator[Any]:
    """The values of extension field ``key`` in ``obj``: its own members, or (``inner``) any nested member."""
    if not isinstance(obj, Mapping):
        return
    target = expand(key, prefixes)
    for k, v in obj.items():
        if inner:
            for child in v if isinstance(v, list) else [v]:
                if isinstance(child, Mapping):
                    yield from _field_values(child, key, prefixes, inner=False)
                    yield from _field_values(child, key, prefixes, inner=True)
        elif expand(k, prefixes) == target:
            yield v


def field_check(
    op: str, where: Callable[[Event], list[Any]], key: str, values: tuple[str, ...], *, inner: bool
) -> Check:
    """EQ/GT/… or EXISTS (``op == "EXISTS"``) on an extension field of the objects ``where`` selects."""

    def check(event: Event, prefixes: Mapping[str, str]) -> bool:
        found = [v for obj in where(event) for v in _field_values(obj, key, prefixes, inner=inner)]
        if op == "EXISTS":
            return bool(found)
        return any(compare(op, v, values) for v in found)

    return check


def top(event: Event) -> list[Any]:
    return [event]


def ilmd(event: Event) -> list[Any]:
    return [event.get("ilmd") or {}]


def error_declaration(event: Event) -> list[Any]:
    return [event.get("errorDeclaration") or {}]


def location(field: str) -> Callable[[Event], list[Any]]:
    return lambda event: [event.get(field) or {}]


def sensor_elements(event: Event) -> list[Any]:
    return list(event.get("sensorElementList") or [])


def sensor_metadata(event: Event) -> list[Any]:
    return [s.get("sensorMetadata") or {} for s in sensor_elements(event) if isinstance(s, Mapping)]


def sensor_reports(event: Event) -> list[Any]:
    return [r for s in sensor_elements(event) if isinstance(s, Mapping) for r in s.get("sensorReport") or []]


def typed_list(list_name: str, member: str, wanted_type: str, values: tuple[str, ...]) -> Check:
    """EQ_bizTransaction_{type} / EQ_source_{type} / EQ_destination_{type}."""
    kind = cbv_short(wanted_type)
    targets = {canonical_id(v) for v in values}

    def check(event: Event, prefixes: Mapping[str, str]) -> bool:
        return any(
            cbv_short(item.get("type")) == kind and canonical_id(str(item.get(member, ""))) in targets
            for item in event.get(list_name) or []
            if isinstance(item, Mapping)
        )

    return check


def quantities(event: Event) -> Iterator[Mapping[str, Any]]:
    for name in ("quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList"):
        yield from (q for q in event.get(name) or [] if isinstance(q, Mapping))


def in_unit(value: Any, unit: str | None, wanted_unit: str | None) -> Decimal | None:
    """``value`` in ``unit`` converted to ``wanted_unit`` (same dimension), None when it cannot be."""
    amount = number(value)
    if amount is None or unit == wanted_unit:
        return amount
    if unit is None or wanted_unit is None or unit not in UNITS or wanted_unit not in UNITS:
        return None
    base, factor, offset = UNITS[unit]
    wanted_base, wanted_factor, wanted_offset = UNITS[wanted_unit]
    if base != wanted_base:
        return None
    return (amount * factor + offset - wanted_offset) / wanted_factor


def quantity_check(op: str, unit: str | None, values: tuple[str, ...]) -> Check:
    """EQ/GT/GE/LT/LE_quantity[_{uom}] over every quantity element (converted to ``uom`` when one is named)."""
    wanted = [number(v) for v in values]

    def check(event: Event, prefixes: Mapping[str, str]) -> bool:
        for q in quantities(event):
            amount = in_unit(q.get("quantity"), q.get("uom"), unit) if unit else number(q.get("quantity"))
            if amount is not None and any(w is not None and _safe(op, amount, w) for w in wanted):
                return True
        return False

    return check


def sensor_value_check(op: str, field: str, unit: str, values: tuple[str, ...]) -> Check:
    """EQ_value_{uom}, GE_minValue_{uom} …: a sensor report's value in the named unit (converted when needed)."""
    wanted = [number(v) for v in values]

    def check(event: Event, prefixes: Mapping[str, str]) -> bool:
        for report in sensor_reports(event):
            amount = in_unit(report.get(field), report.get("uom"), unit)
            if amount is not None and any(w is not None and _safe(op, amount, w) for w in wanted):
                return True
        return False

    return check


def sensor_field_check(op: str, field: str, values: tuple[str, ...], *, metadata: bool) -> Check:
    """Sensor metadata/report fields: times (GE_time …), EQ_type, EQ_deviceID, EQ_booleanValue, percRank …"""
    normalised = tuple(_sensor_value(field, v) for v in values)

    def check(event: Event, prefixes: Mapping[str, str]) -> bool:
        objects = sensor_metadata(event) + sensor_reports(event) if metadata else sensor_reports(event)
        return any(
            field in obj and compare(op, _sensor_value(field, obj[field]), normalised)
            for obj in objects
            if isinstance(obj, Mapping)
        )

    return check


def _sensor_value(field: str, value: Any) -> Any:
    if field == "type" and isinstance(value, str):
        return value.removeprefix("gs1:").removeprefix("https://gs1.org/voc/")
    if field in _ID_FIELDS and isinstance(value, str):
        return canonical_id(value)
    if field == "booleanValue":
        return str(value).lower() if isinstance(value, str) else ("true" if value else "false")
    return value


def event_field_check(values: tuple[str, ...], read: Callable[[Event], list[Any]]) -> Check:
    """EQ on standard values an event holds (persistent dispositions, transformationID, error reason …)."""
    wanted = set(values)
    return lambda event, prefixes: any(v in wanted for v in read(event))


def time_check(op: str, read: Callable[[Event], Any], at: datetime) -> Check:
    def check(event: Event, prefixes: Mapping[str, str]) -> bool:
        value = read(event)
        if not isinstance(value, str):
            return False
        try:
            return _safe(op, parse_iso(value), at)
        except ValueError:
            return False

    return check
