"""The GS1 EPCIS 2.0 JSON Schema (draft-07), with zhuisu's deviations, compiled by jsonschema-rs.

``EPCIS-JSON-Schema.json`` here is GS1's file, unmodified (see ``SOURCE.md``). The deviations are applied in
memory when the validators are first needed (never at import time):

1. ``persistentDisposition`` is allowed on all five event types. The JSON Schema allows it only on ObjectEvent
   and TransformationEvent, but the EPCIS 2.0 standard text and its XSD allow it on AggregationEvent,
   TransactionEvent and AssociationEvent too.
2. A sensor report's ``type`` may be any URI. The schema's list of measurement types lacks newer GS1 Web
   Vocabulary types (e.g. ``gs1:EffectiveDoseRate``) and refuses ``https://gs1.org/voc/…`` URIs; a bare word
   must still be one of the listed types.
3. ``readPoint``, ``bizLocation`` and ``epcisBody`` accept only their standard properties plus extensions
   named by a URI or compact IRI (``example:myField``), as events do; the schema lets any property through
   there.
4. A sensor report's ``type`` is optional, as the EPCIS 2.0 XSD (``SensorReportType``: ``type`` use="optional")
   has it; the JSON Schema requires it, so the same report would be accepted in XML and refused in JSON-LD, and
   GS1's own examples carry reports without it (a report of an ``exception``, or of a ``component``).
5. Formats are checked (``validate_formats=True``; jsonschema-rs leaves them off for draft-07 by default). The
   schema uses two: ``uri`` (jsonschema-rs's RFC 3986 check) and ``date-time``, for which a stricter checker
   replaces the built-in RFC 3339 one: the ``xsd:dateTimeStamp`` form the JSON-LD context declares (upper-case
   ``T`` and ``Z``, an offset within ±14:00, no leap second), and only values Python's ``datetime`` can
   represent.

Every regex pattern of the schema compiles in jsonschema-rs, including the two negative lookaheads of
``vocab-other-uri`` and ``vocab-nonGS1WebVoc-uri``: patterns go to ``fancy-regex``, which supports lookaround.
"""

import json
import re
from datetime import datetime
from functools import cache
from importlib import resources
from typing import Any

import jsonschema_rs

_PACKAGE = "zhuisu.epcis.schema"

#: The five standard event types, each validated against the schema definition of the same name.
EVENT_TYPES = (
    "ObjectEvent",
    "AggregationEvent",
    "TransactionEvent",
    "TransformationEvent",
    "AssociationEvent",
)

_DATE_TIME_RE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-](?:(?:0\d|1[0-3]):[0-5]\d|14:00))$")


def is_date_time(value: str) -> bool:
    """``xsd:dateTimeStamp`` in RFC 3339 form, representable by Python's ``datetime``.

    >>> is_date_time("2005-04-03T20:33:31.116-06:00"), is_date_time("2023-13-45T10:00:00Z")
    (True, False)
    >>> is_date_time("2023-01-05T10:00:00"), is_date_time("2016-12-31T23:59:60Z")
    (False, False)
    """
    if not _DATE_TIME_RE.match(value):
        return False
    try:
        datetime.fromisoformat(value)
    except ValueError:
        return False
    return True


def read_json(name: str) -> Any:
    """A JSON file shipped in this package (the schema or a JSON-LD context)."""
    return json.loads(resources.files(_PACKAGE).joinpath(name).read_text(encoding="utf-8"))


def _extension_names(*names: str) -> dict[str, Any]:
    """``propertyNames`` for an object: its standard properties, or an extension named by a URI."""
    return {"anyOf": [{"type": "string", "enum": list(names)}, {"$ref": "#/definitions/vocab-uri"}]}


def patched_schema() -> dict[str, Any]:
    """GS1's schema with the deviations listed in the module docstring."""
    schema = read_json("EPCIS-JSON-Schema.json")
    defs: dict[str, Any] = schema["definitions"]
    for event_type in ("AggregationEvent", "TransactionEvent", "AssociationEvent"):
        body = defs[event_type]["allOf"][1]
        body["properties"]["persistentDisposition"] = {"$ref": "#/definitions/persistentDisposition"}
        body["propertyNames"]["anyOf"][1]["enum"].append("persistentDisposition")
    defs["measurementType"]["anyOf"][0] = {"$ref": "#/definitions/uri"}
    defs["sensorReport"].pop("required", None)
    defs["readPoint"]["propertyNames"] = _extension_names("id")
    defs["bizLocation"]["propertyNames"] = _extension_names("id")
    defs["epcisDocument"]["properties"]["epcisBody"]["propertyNames"] = _extension_names("eventList")
    # Events are validated one by one against the definition of their type (fast, and with precise errors);
    # the documents' own definitions then only check that the event list is an array.
    defs["eventList"] = {"type": "array"}
    return schema


@cache
def _schema() -> dict[str, Any]:
    return patched_schema()


@cache
def _validators() -> jsonschema_rs.ValidatorMap:
    return jsonschema_rs.validator_map_for(
        _schema(), validate_formats=True, formats={"date-time": is_date_time}, offline=True
    )


def definition(name: str) -> dict[str, Any]:
    """One definition of the patched schema, shared: read it, never change it."""
    definitions: dict[str, Any] = _schema()["definitions"]
    return definitions.get(name, {})


def validator(definition: str) -> jsonschema_rs.Validator:
    """The validator of one schema definition (an event type, ``epcisDocument``, …), compiled on first use."""
    return _validators()[f"#/definitions/{definition}"]
