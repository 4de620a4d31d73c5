"""Parameters of the EPCIS 2.0 query language beyond the indexed ones: names → predicates (``predicates``).

Covers the fixed parameters of ``query-schema.json`` that are checked on the event body and all its pattern
parameters: ``EQ_bizTransaction_{type}``, ``EQ_source_{type}``, ``EQ_destination_{type}``; ``EQ|GT|GE|LT|LE_`` and
``EXISTS_`` on extension fields (``ns:field``) at the top level, ``INNER_`` (nested), ``ILMD_``,
``ERROR_DECLARATION_``, ``readPoint_`` / ``bizLocation_``, ``SENSORELEMENT_`` / ``SENSORMETADATA_`` /
``SENSORREPORT_``; quantities (``GT_quantity``, ``GE_quantity_KGM``) and sensor values with units
(``GE_value_CEL``, ``LT_maxValue_FAH`` — converted between units of one dimension). A name none of these
patterns fits is refused with a QueryParameterException naming it.
"""

import re
from collections.abc import Callable
from datetime import datetime

from zhuisu.codes.canonical import canonical_id
from zhuisu.epcis.identifiers import cbv_short
from zhuisu.epcis.query import predicates as p
from zhuisu.errors import QueryParameterInvalid
from zhuisu.kit.i18n import pair
from zhuisu.kit.time import parse_iso

_FIELD = r"([a-z][a-zA-Z0-9]*:\w+)"
_UOM = r"([A-Z0-9]{2,4})"
_OP = r"(EQ|GT|GE|LT|LE)"
_SCOPES: dict[str, Callable[[p.Event], list[object]]] = {
    "": p.top,
    "ILMD_": p.ilmd,
    "ERROR_DECLARATION_": p.error_declaration,
    "readPoint_": p.location("readPoint"),
    "bizLocation_": p.location("bizLocation"),
    "SENSORELEMENT_": p.sensor_elements,
    "SENSORMETADATA_": p.sensor_metadata,
    "SENSORREPORT_": p.sensor_reports,
}
_SCOPE_RE = "|".join(re.escape(s) for s in _SCOPES if s)
_EXTENSION = re.compile(rf"^(EQ|GT|GE|LT|LE|EXISTS)_(INNER_)?((?:{_SCOPE_RE})?){_FIELD}$")
_TYPED = re.compile(r"^EQ_(bizTransaction|source|destination)_([a-z][a-zA-Z0-9_]+)$")
_QUANTITY = re.compile(rf"^{_OP}_quantity(?:_{_UOM})?$")
_SENSOR_VALUE = re.compile(rf"^{_OP}_(value|minValue|maxValue|meanValue|sDev|percValue)_{_UOM}$")
_SENSOR_TIME = re.compile(r"^(GE|LT)_(time|startTime|endTime)$")
_PERC_RANK = re.compile(r"^(GE|LT|GT|LE)_percRank$")
_SENSOR_EQ = (
    "EQ_type", "EQ_deviceID", "EQ_dataProcessingMethod", "EQ_microorganism", "EQ_chemicalSubstance",
    "EQ_bizRules", "EQ_stringValue", "EQ_booleanValue", "EQ_hexBinaryValue", "EQ_uriValue",
)  # fmt: skip
_TYPED_MEMBERS = {"bizTransaction": "bizTransactionList", "source": "sourceList", "destination": "destinationList"}


def bad(name: str, value: str, expected_zh: str, expected_en: str) -> QueryParameterInvalid:
    return QueryParameterInvalid(
        f"查询参数 {name} 的值 {value!r} 无效，应为{expected_zh}",
        message_en=f"query parameter {name}={value!r} is invalid: expected {expected_en}",
        parameter=name,
    )


def unknown(name: str) -> QueryParameterInvalid:
    return QueryParameterInvalid(
        f"不支持的查询参数 {name}", message_en=f"unknown query parameter {name}", parameter=name
    )


def predicate(name: str, values: list[str]) -> p.Predicate | None:
    """The predicate for parameter ``name`` (values already split), or None when the name is not one of these."""
    given = tuple(values)
    check = _fixed(name, given) or _pattern(name, given)
    return None if check is None else p.Predicate(name, given, check)


def _numbers(name: str, values: tuple[str, ...]) -> None:
    for v in values:
        if p.number(v) is None:
            raise bad(name, v, *pair("a number"))


def _time(name: str, values: tuple[str, ...]) -> datetime:
    try:
        return parse_iso(values[-1])
    except (ValueError, IndexError):
        raise bad(name, values[-1] if values else "", *pair("an ISO 8601 date-time")) from None


def _fixed(name: str, values: tuple[str, ...]) -> p.Check | None:
    if name in ("EQ_persistentDisposition_set", "EQ_persistentDisposition_unset"):
        key = name.rsplit("_", 1)[1]
        wanted = tuple(cbv_short(v) or v for v in values)
        return p.event_field_check(
            wanted, lambda e: [cbv_short(d) for d in (e.get("persistentDisposition") or {}).get(key, [])]
        )
    if name == "EQ_transformationID":
        wanted = tuple(canonical_id(v) for v in values)
        return p.event_field_check(wanted, lambda e: [canonical_id(str(e.get("transformationID", "")))])
    if name == "EQ_errorReason":
        wanted = tuple(cbv_short(v) or v for v in values)
        return p.event_field_check(wanted, lambda e: [cbv_short((e.get("errorDeclaration") or {}).get("reason"))])
    if name == "EQ_correctiveEventID":
        return p.event_field_check(values, _corrective_ids)
    # query-schema.json spells it GE_errorDeclaration_Time; the REST binding's OpenAPI GE_errorDeclarationTime.
    if name in (
        "GE_errorDeclaration_Time",
        "LT_errorDeclaration_Time",
        "GE_errorDeclarationTime",
        "LT_errorDeclarationTime",
    ):
        at = _time(name, values)
        return p.time_check(name[:2], lambda e: (e.get("errorDeclaration") or {}).get("declarationTime"), at)
    if name == "EXISTS_sensorElementList":
        return lambda e, prefixes: bool(e.get("sensorElementList"))
    if name in _SENSOR_EQ:
        return p.sensor_field_check("EQ", name[3:], values, metadata=name != "EQ_type" and "Value" not in name)
    if match := _SENSOR_TIME.match(name):
        _time(name, values)
        return p.sensor_field_check(match.group(1), match.group(2), values[-1:], metadata=True)
    if match := _PERC_RANK.match(name):
        _numbers(name, values)
        return p.sensor_field_check(match.group(1), "percRank", values, metadata=False)
    return None


def _pattern(name: str, values: tuple[str, ...]) -> p.Check | None:
    if match := _TYPED.match(name):
        member = match.group(1)
        return p.typed_list(_TYPED_MEMBERS[member], member, match.group(2), values)
    if match := _QUANTITY.match(name):
        _numbers(name, values)
        return p.quantity_check(match.group(1), match.group(2), values)
    if match := _SENSOR_VALUE.match(name):
        _numbers(name, values)
        return p.sensor_value_check(match.group(1), match.group(2), match.group(3), values)
    if match := _EXTENSION.match(name):
        op, inner, scope, field = match.groups()
        if op != "EQ" and op != "EXISTS":
            _comparable(name, values)
        return p.field_check(op, _SCOPES[scope], field, values, inner=bool(inner))
    return None


def _comparable(name: str, values: tuple[str, ...]) -> None:
    for v in values:
        if p.number(v) is None:
            try:
                parse_iso(v)
            except ValueError:
                raise bad(name, v, *pair("a number or a date-time")) from None


def _corrective_ids(event: p.Event) -> list[str]:
    return list((event.get("errorDeclaration") or {}).get("correctiveEventIDs") or ())
