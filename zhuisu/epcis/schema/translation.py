"""Translation of jsonschema-rs errors against the GS1 EPCIS 2.0 JSON Schema into problems a user can act on.

Each raw error becomes a :class:`Raw` problem: an RFC 6901 pointer, a stable code and a short English
statement of what was expected. ``anyOf`` errors, useless as such, are explained from what the schema
definition stands for: a CBV vocabulary (bare word or URI, see ``cbv.py``), the event's "what" dimension, the
ilmd/action rule.
"""

import re
from collections.abc import Iterable
from typing import Any, NamedTuple

import jsonschema_rs
from jsonschema_rs import ValidationErrorKind as Kind

from zhuisu.epcis import cbv
from zhuisu.epcis.schema import loader

DATE_TIME_EXPECTED = "an RFC 3339 date-time with a time zone offset, e.g. 2023-06-01T08:30:00+08:00"
OFFSET_EXPECTED = "a time zone offset from -14:00 to +14:00, e.g. +08:00"
URI_EXPECTED = "an absolute URI, e.g. urn:epc:id:sgtin:0614141.107346.2017"
CONTEXT_EXPECTED = "an @context that includes https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
ACTIONS = ("OBSERVE", "ADD", "DELETE")

_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.\-]*:")
_GS1_VOC_RE = re.compile(r"^https?://(?:www\.)?gs1\.org/voc/")

_REQUIRED_EXPECTED = {
    "action": "one of " + ", ".join(ACTIONS),
    "eventTime": DATE_TIME_EXPECTED,
    "declarationTime": DATE_TIME_EXPECTED,
    "creationDate": DATE_TIME_EXPECTED,
    "eventTimeZoneOffset": OFFSET_EXPECTED,
    "schemaVersion": "a version number such as 2.0",
    "bizTransactionList": "a non-empty list of business transactions",
    "sensorReport": "a non-empty list of sensor reports",
    "epcisBody": "an epcisBody with an eventList",
    "eventList": "a list of events",
    "queryName": "the name of the query",
    "queryResults": "an object with queryName and resultsBody",
    "resultsBody": "an object with an eventList",
    "type": "a type",
    "sourceList/type": "a CBV source/destination type or an absolute URI",
    "destinationList/type": "a CBV source/destination type or an absolute URI",
    "sensorReport/type": "a GS1 sensor measurement type or an absolute URI",
    "/type": "EPCISDocument",
}
_URI_FIELDS = frozenset({"id", "parentID", "epcClass", "source", "destination", "bizTransaction", "transformationID"})
#: Definitions whose value is a URI, or a list: what is expected when it is neither.
_URI_OR_LIST = {
    "@context": "string (a context URI), object or array",
    "certificationInfo": "string (a URI) or array of URIs",
}
_PATTERN_EXPECTED = {
    "uom": "a UN/CEFACT Rec. 20 unit code of 2 or 3 upper-case letters or digits, e.g. KGM",
    "schemaVersion": "a version number such as 2.0",
    "hexBinaryValue": "hexadecimal digits",
}

#: Per event type: the properties that can carry its "what" dimension, and what is expected when none does.
_WHAT: dict[str, tuple[tuple[str, ...], str]] = {
    "ObjectEvent": (
        ("epcList", "quantityList", "sensorElementList"),
        "epcList, a non-empty quantityList, or sensorElementList with readPoint",
    ),
    "AggregationEvent": (
        ("childEPCs", "childQuantityList"),
        "a non-empty childEPCs or childQuantityList (unless action is DELETE)",
    ),
    "AssociationEvent": (
        ("childEPCs", "childQuantityList"),
        "a non-empty childEPCs or childQuantityList (unless action is DELETE)",
    ),
    "TransactionEvent": (
        ("epcList", "quantityList"),
        "epcList or a non-empty quantityList (unless action is DELETE)",
    ),
    "TransformationEvent": (
        ("inputEPCList", "inputQuantityList", "outputEPCList", "outputQuantityList"),
        "inputs and outputs (inputEPCList/inputQuantityList and outputEPCList/outputQuantityList), "
        "or a transformationID with at least one of them",
    ),
}


class Raw(NamedTuple):
    """A translated problem, before it is attached to an event index."""

    pointer: str
    code: str
    expected: str


def pointer_token(token: str | int) -> str:
    """One reference token of an RFC 6901 JSON pointer."""
    token = str(token)
    return token.replace("~", "~0").replace("/", "~1") if "~" in token or "/" in token else token


def translate(validator: jsonschema_rs.Validator, instance: Any, base: str) -> list[Raw]:
    """The problems of ``instance`` (an event or a document), their pointers under ``base``."""
    raws: list[Raw] = []
    structural: list[jsonschema_rs.ValidationError] = []
    for error in validator.iter_errors(instance):
        if not error.instance_path and error.schema_path[:1] == ["allOf"] and isinstance(error.kind, Kind.AnyOf):
            structural.append(error)
        else:
            raws += _specific(error, base)
    explained = bool(raws)
    for error in structural:
        raws += _structural(error, instance, base, explained)
    if not raws and structural:
        raws.append(Raw(base, "invalid_value", "an event conforming to the EPCIS 2.0 JSON Schema"))
    return raws


def _pointer(base: str, path: Iterable[str | int]) -> str:
    return base + "".join("/" + pointer_token(token) for token in path)


def _structural(error: jsonschema_rs.ValidationError, event: Any, base: str, explained: bool) -> list[Raw]:
    """An event-level ``anyOf`` of its type's definition: the "what" dimension, or ilmd only with ADD."""
    event_type = event.get("type") if isinstance(event, dict) else None
    if event_type not in _WHAT:
        return []
    if event_type == "ObjectEvent" and error.schema_path[1] == 3:
        if event.get("action") in ACTIONS and "ilmd" in event:
            return [Raw(base + "/ilmd", "ilmd_not_allowed", "ilmd only when action is ADD")]
        return []
    keys, expected = _WHAT[event_type]
    if explained and any(key in event for key in keys):
        return []  # a list is there but malformed: its own errors say how
    return [Raw(base, "missing_what", expected)]


def _specific(error: jsonschema_rs.ValidationError, base: str) -> list[Raw]:
    kind = error.kind
    path = error.instance_path
    pointer = _pointer(base, path)
    names = [token for token in path if isinstance(token, str)]
    field = str(path[-1]) if path else ""
    if isinstance(kind, Kind.Required):
        if kind.property == "@context":
            return [Raw(pointer + "/@context", "missing_context", CONTEXT_EXPECTED)]
        return [Raw(pointer + "/" + pointer_token(kind.property), "required", _required(kind.property, names))]
    if isinstance(kind, Kind.PropertyNames):
        name = str(kind.error.instance)
        return [Raw(pointer + "/" + pointer_token(name), "unknown_property", _property_expected(name, kind.error))]
    if isinstance(kind, Kind.AdditionalProperties):
        allowed = ", ".join(_schema_node(error.schema_path[:-1]).get("properties", {}))
        return [
            Raw(pointer + "/" + pointer_token(name), "unknown_property", f"one of {allowed}")
            for name in kind.unexpected
        ]
    if isinstance(kind, Kind.Type):
        return [Raw(pointer, "invalid_type", " or ".join(kind.types))]
    if isinstance(kind, Kind.Enum):
        options = "one of " + ", ".join(str(option) for option in kind.options)
        return [Raw(pointer, "unknown_action" if field == "action" else "invalid_value", options)]
    if isinstance(kind, Kind.Format):
        if kind.format == "date-time":
            return [Raw(pointer, "invalid_datetime", DATE_TIME_EXPECTED)]
        return [Raw(pointer, "invalid_uri", URI_EXPECTED)]
    if isinstance(kind, Kind.Pattern):
        if field == "eventTimeZoneOffset":
            return [Raw(pointer, "invalid_timezone_offset", OFFSET_EXPECTED)]
        return [Raw(pointer, "invalid_value", _PATTERN_EXPECTED.get(field, f"a value matching {kind.pattern}"))]
    if isinstance(kind, Kind.MinItems):
        return [Raw(pointer, "too_few_items", f"at least {kind.limit} item{'' if kind.limit == 1 else 's'}")]
    if isinstance(kind, Kind.UniqueItems):
        return [Raw(pointer, "duplicate_items", "no repeated items")]
    if isinstance(kind, Kind.AnyOf):
        return _any_of(error, kind, base, pointer)
    return [Raw(pointer, "invalid_value", error.message)]


def _required(prop: str, names: list[str]) -> str:
    if prop in _URI_FIELDS:
        return URI_EXPECTED
    if prop == "type":
        parent = names[-1] if names else ""
        return _REQUIRED_EXPECTED.get(f"{parent}/type", _REQUIRED_EXPECTED["type"])
    return _REQUIRED_EXPECTED.get(prop, f"a value for {prop}")


def _schema_node(schema_path: list[str | int]) -> Any:
    """The (patched) schema node at an absolute ``schema_path``; ``{}`` if the path is relative or unknown."""
    if len(schema_path) < 2 or schema_path[0] != "definitions":
        return {}
    node: Any = loader.definition(str(schema_path[1]))
    for token in schema_path[2:]:
        try:
            node = node[token]
        except (KeyError, IndexError, TypeError):
            return {}
    return node


def _enum_options(error: jsonschema_rs.ValidationError) -> list[str]:
    """Every enum option under an ``anyOf`` error: the standard names a ``propertyNames`` allows."""
    if isinstance(error.kind, Kind.Enum):
        return [str(option) for option in error.kind.options]
    if isinstance(error.kind, Kind.AnyOf):
        return [option for branch in error.kind.context for inner in branch for option in _enum_options(inner)]
    return []


def _property_expected(name: str, error: jsonschema_rs.ValidationError) -> str:
    close = cbv.closest(frozenset(_enum_options(error)), name)
    standard = f"a standard property (did you mean {close}?)" if close else "a standard property"
    return f"{standard} or an extension named with a declared prefix, e.g. example:myField"


def _any_of(error: jsonschema_rs.ValidationError, kind: Kind.AnyOf, base: str, pointer: str) -> list[Raw]:
    definition = str(error.schema_path[1]) if error.schema_path[:1] == ["definitions"] else ""
    value = error.instance
    if definition in cbv.BY_SCHEMA_DEFINITION:
        return [_vocabulary(cbv.BY_SCHEMA_DEFINITION[definition], value, pointer)]
    if definition == "persistentDisposition":
        if not isinstance(value, dict):
            return []  # its own type error says it
        return [Raw(pointer + "/set", "required", "set or unset, a non-empty list of dispositions")]
    if definition in _URI_OR_LIST and not isinstance(value, list):
        if isinstance(value, str):
            return [Raw(pointer, "invalid_uri", URI_EXPECTED)]
        return [Raw(pointer, "invalid_type", _URI_OR_LIST[definition])]
    # Otherwise the alternative that got furthest into the value explains best (e.g. the array alternative of
    # @context, for an array with one bad item).
    branches = [branch for branch in kind.context if branch]
    if not branches:
        return [Raw(pointer, "invalid_value", error.message)]
    best = min(branches, key=lambda branch: (-max(len(inner.instance_path) for inner in branch), len(branch)))
    return [raw for inner in best for raw in _specific(inner, base)]


def _vocabulary(vocabulary: cbv.Vocabulary, value: Any, pointer: str) -> Raw:
    """Why a value is not acceptable for a standard vocabulary: a bare word must be in it, else a URI."""
    if not isinstance(value, str):
        return Raw(pointer, "invalid_type", "string")
    word = vocabulary.bare_word(value)
    if word is not None:
        return Raw(pointer, "cbv_bare_word_required", f"the bare word {word}")
    verdict = vocabulary.classify(value)
    if verdict is cbv.Verdict.NON_JSON_FORM:
        return Raw(
            pointer,
            "cbv_bare_word_required",
            f"a bare word of {vocabulary.title}, not a urn:epcglobal:cbv URI",
        )
    if _GS1_VOC_RE.match(value):
        return Raw(pointer, "invalid_value", f"a bare word of {vocabulary.title}, or a URI outside gs1.org/voc")
    if _SCHEME_RE.match(value):
        return Raw(pointer, "invalid_uri", URI_EXPECTED)
    suggestion = vocabulary.suggest(value)
    hint = f" (did you mean {suggestion}?)" if suggestion else ""
    return Raw(pointer, "unknown_cbv_value", f"{vocabulary.title}{hint} or an absolute URI")
