"""The EPCIS Event Hash ID of GS1 CBV 2.0 (``ni:///sha-256;…?ver=CBV2.0``, RFC 6920) of EPCIS 2.0 events.

The pre-hash string concatenates the event's data, canonicalised, without separators, as specified with the
reference implementation (github.com/RalphTro/epcis-event-hash-generator, commit 5d2f1c3) and its vectors:

* ``eventType``, then eventTime, eventTimeZoneOffset, certificationInfo, epcList, parentID, inputEPCList,
  childEPCs, quantityList, childQuantityList, inputQuantityList, outputEPCList, outputQuantityList, action,
  transformationID, bizStep, disposition, persistentDisposition, readPoint, bizLocation and sensorElementList,
  in this order, as ``key=value``; list items and repeated values are sorted by their rendered strings;
* then bizTransactionList, sourceList, destinationList, ilmd and the user extensions, rendered the same way,
  sorted by their rendered strings (so destinationList precedes sourceList, as the vectors require);
* eventID, recordTime, errorDeclaration (a corrective event keeps the hash of the event it corrects) and
  comments are left out;
* a user extension is ``{namespace}localName`` (prefixes and terms expanded with the document's and the
  event's ``@context``), then ``=value`` or its sorted children; keys that a standard element (readPoint,
  sensorReport, …) does not define are appended, sorted, after the element's standard fields;
* an XML attribute is one of its element's children (the reference reads XML so); of the keys the XML reader
  adds to keep attributes (``zhuisu.epcis.xml.reader``), ``#text`` is the element's own ``=value`` (the reference's
  JSON reader has it so) and ``#attributes`` is left out;
* values are trimmed; timestamps are in UTC with ``Z`` and milliseconds (the 4th decimal rounds half up);
  numbers have no trailing zeros and no exponent; bare CBV words and ``urn:epcglobal:cbv:…`` values become
  ``https://ref.gs1.org/cbv/…`` URIs (sensor measurement types ``https://gs1.org/voc/…``); CURIEs are
  expanded; EPC URNs and Digital Link URIs become constrained canonical Digital Link URIs
  (``https://id.gs1.org``, no query string, only the most fine-grained key qualifier).

Where the reference implementation errs, the stated rules win: booleans are ``true``/``false`` (not ``True``),
numbers keep all their digits (no float rounding), stringValue and hexBinaryValue are not read as numbers, and
keys a sensorReport does not define stay in that report (not repeated as a second sensorElementList).
"""

import hashlib
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

import orjson

from zhuisu.codes import epc_urn
from zhuisu.epcis.xml.names import ATTRIBUTES, TEXT

Context = str | Mapping[str, Any] | Sequence[str | Mapping[str, Any]] | None
_Ns = Mapping[str, str]
_Canon = Callable[[Any, _Ns], str]
_Render = Callable[[str, Any, _Ns], str]
_Fields = tuple[tuple[str, _Render], ...]

CBV_VERSION = "CBV2.0"
_CBV = "https://ref.gs1.org/cbv/"
_GS1_VOC = "https://gs1.org/voc/"
# The prefixes of the EPCIS 2.0 JSON-LD context (https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld).
_STANDARD_PREFIXES: dict[str, str] = {
    "epcis": "https://ref.gs1.org/epcis/",
    "cbv": _CBV,
    "cbvmda": "urn:epcglobal:cbv:mda:",
    "gs1": _GS1_VOC,
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcterms": "http://purl.org/dc/terms/",
}
_CBV_URN_VOCABULARIES = {"bizstep": "BizStep-", "disp": "Disp-", "btt": "BTT-", "sdt": "SDT-", "er": "ER-"}
_IGNORED = frozenset({"rdfs:comment", "comment"})
_NOT_CHILDREN = _IGNORED | {TEXT, ATTRIBUTES}
_EVENT_IGNORED = _IGNORED | {"type", "eventID", "recordTime", "errorDeclaration", "@context"}
_HALF_MILLISECOND = timedelta(microseconds=500)
#: The JSON of the last document ``@context`` expanded, and its prefixes (never changed once stored: callers get
#: it read-only), as one tuple replaced whole; a racing thread at worst expands a context again.
_LAST_CONTEXT: list[tuple[bytes, _Ns]] = [(b"", _STANDARD_PREFIXES)]
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")

# GS1 Digital Link short names of primary keys and qualifiers.
_DL_ALIASES = {
    "gtin": "01", "itip": "8006", "cpid": "8010", "gln": "414", "party": "417", "gsrnp": "8017",
    "gsrn": "8018", "gcn": "255", "sscc": "00", "gdti": "253", "ginc": "401", "gsin": "402",
    "grai": "8003", "giai": "8004", "cpv": "22", "lot": "10", "ser": "21",
}  # fmt: skip
# Primary key AI -> the syntax of its value, its qualifiers from the most to the least fine-grained.
_DL_KEYS: dict[str, tuple[re.Pattern[str], tuple[str, ...]]] = {
    ai: (re.compile(syntax), qualifiers)
    for ai, syntax, qualifiers in (
        ("00", r"\d{18}", ()),
        ("01", r"\d{8}|\d{12,14}", ("21", "235", "10")),
        ("253", r"\d{13}.{0,17}", ()),
        ("255", r"\d{13,25}", ()),
        ("401", r"\d{4}.{0,26}", ()),
        ("402", r"\d{17}", ()),
        ("414", r"\d{13}", ("254",)),
        ("417", r"\d{13}", ()),
        ("8003", r"\d{14}.{0,16}", ()),
        ("8004", r"\d{4}.{0,26}", ()),
        ("8006", r"\d{18}", ("21", "10")),
        ("8010", r"\d{4}[0-9A-Z#/-]{0,26}", ("8011",)),
        ("8017", r"\d{18}", ()),
        ("8018", r"\d{18}", ()),
    )
}
_DL_HINT = re.compile("/(?:" + "|".join([*_DL_KEYS, *(a for a, ai in _DL_ALIASES.items() if ai in _DL_KEYS)]) + ")/")


def event_hash(event: Mapping[str, Any], context: Context = None) -> str:
    """The EPCIS Event Hash ID: ``ni:///sha-256;{hex digest of the pre-hash string}?ver=CBV2.0``.

    The reference implementation's vector ``epcisDocWithSingleEvent``:

    >>> event_hash({
    ...     "type": "ObjectEvent", "action": "OBSERVE", "bizStep": "shipping", "disposition": "in_transit",
    ...     "epcList": ["urn:epc:id:sgtin:0614141.107346.2017", "urn:epc:id:sgtin:0614141.107346.2018"],
    ...     "eventTime": "2022-02-16T20:33:31.116000-06:00", "eventTimeZoneOffset": "-06:00",
    ...     "readPoint": {"id": "urn:epc:id:sgln:0614141.07346.1234"},
    ...     "bizTransactionList": [{"type": "po", "bizTransaction": "http://transaction.acme.com/po/12345678"}],
    ... })
    'ni:///sha-256;ffa491b16867e34a7791a8d5389d826afc24e63a121026b6a4004ace38631b4b?ver=CBV2.0'
    """
    digest = hashlib.sha256(prehash(event, context).encode()).hexdigest()
    return f"ni:///sha-256;{digest}?ver={CBV_VERSION}"


def prehash(event: Mapping[str, Any], context: Context = None) -> str:
    """The canonical pre-hash string of one event in the EPCIS 2.0 JSON-LD binding.

    ``context`` is the document's ``@context``; an ``@context`` inside the event applies too. Raises
    ``TypeError`` when the event is not a mapping, ``ValueError`` when it has no ``type``.

    >>> prehash({"type": "ObjectEvent", "action": "ADD", "epcList": ["urn:epc:id:sscc:4012345.0000000333"]})
    'eventType=ObjectEventepcListepc=https://id.gs1.org/00/040123450000003338action=ADD'
    >>> prehash({"type": "ObjectEvent", "eventTime": "2020-03-04T11:00:30.1415+01:00", "example:lot": "1.50"},
    ...         {"example": "https://ex.com/"})
    'eventType=ObjectEventeventTime=2020-03-04T10:00:30.142Z{https://ex.com/}lot=1.5'
    """
    if not isinstance(event, Mapping):
        raise TypeError(f"an EPCIS event is a JSON object, got {type(event).__name__}")
    event_type = event.get("type")
    if not isinstance(event_type, str) or not event_type.strip():
        raise ValueError("the event has no 'type' (ObjectEvent, AggregationEvent, …)")
    ns = _namespaces(context, event.get("@context"))
    head = ["eventType=" + event_type.strip()]
    for name, render in _EVENT_FIELDS:
        value = event.get(name)
        if value is not None and (text := render(name, value, ns)):
            head.append(text)
    tail: list[str] = []
    for key, value in event.items():
        if key in _EVENT_KNOWN:
            continue
        tail_render = _TAIL_FIELDS.get(key)
        if tail_render is None:
            tail.extend(_extension(key, value, ns))
        elif text := tail_render(key, value, ns):
            tail.append(text)
    tail.sort()
    return "".join(head) + "".join(tail)


def _namespaces(context: Any, event_context: Any) -> _Ns:
    if (context is None or isinstance(context, str)) and (event_context is None or isinstance(event_context, str)):
        return _STANDARD_PREFIXES
    key = _context_key(context) if event_context is None else None
    if key is not None:
        # Every event of a document shares its @context: compare it with the last one expanded, as exact JSON
        # (key order matters: a term may use a prefix defined before it), rather than expand it per event.
        last, known = _LAST_CONTEXT[0]
        if key == last:
            return known
    ns = dict(_STANDARD_PREFIXES)
    for item in (context, event_context):
        _add_context(ns, item)
    if key is not None:
        _LAST_CONTEXT[0] = (key, ns)
    return ns


def _context_key(context: Any) -> bytes | None:
    try:
        return orjson.dumps(context)
    except orjson.JSONEncodeError:
        return None


def _add_context(ns: dict[str, str], context: Any) -> None:
    """Add the prefixes and terms of a JSON-LD context (string, object or list of them); later ones win."""
    if isinstance(context, list | tuple):
        for item in context:
            _add_context(ns, item)
    elif isinstance(context, Mapping):
        for term, definition in context.items():
            iri = definition.get("@id") if isinstance(definition, Mapping) else definition
            if isinstance(term, str) and not term.startswith("@") and isinstance(iri, str) and ":" in iri:
                prefix, _, rest = iri.partition(":")
                ns[term] = ns[prefix] + rest if prefix in ns and not rest.startswith("//") else iri


def _expand_key(key: str, ns: _Ns) -> str:
    """``example:name`` → ``{https://ns.example.com/}name``; a term or an absolute IRI is split likewise."""
    prefix, colon, local = key.partition(":")
    if colon:
        iri = ns.get(prefix)
        if iri is not None and not local.startswith("//"):
            return "{" + iri + "}" + local
        return _split_iri(key) if local.startswith("//") or prefix == "urn" else key
    iri = ns.get(key)
    return _split_iri(iri) if iri is not None and iri[-1] not in "/#:" else key


def _split_iri(iri: str) -> str:
    cut = max(iri.rfind("/"), iri.rfind("#"), iri.rfind(":") if iri.startswith("urn:") else -1)
    return "{" + iri[: cut + 1] + "}" + iri[cut + 1 :]


def _is_mapping(value: Any) -> bool:
    return type(value) is dict or isinstance(value, Mapping)  # the ABC check is slow, and JSON gives dicts


def _extension(key: str, value: Any, ns: _Ns) -> list[str]:
    """A user extension (or ilmd): ``{ns}name=value`` or ``{ns}name`` + its sorted children, per list item."""
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [text for item in value for text in _extension(key, item, ns)]
    name = _expand_key(key, ns)
    if _is_mapping(value):
        children = [text for k, v in value.items() if k not in _NOT_CHILDREN for text in _extension(k, v, ns)]
        children.sort()
        own = _value(value[TEXT], ns) if TEXT in value else ""
        return [(f"{name}={own}" if own else name) + "".join(children)]
    text = _value(value, ns)
    return [f"{name}={text}" if text else name]


def _value(value: Any, ns: _Ns) -> str:
    if isinstance(value, str):
        return _canonical_text(value.strip(), ns)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _canonical_text(repr(value), ns)
    return "" if value is None else _canonical_text(str(value).strip(), ns)


def _canonical_text(text: str, ns: _Ns) -> str:
    if not text:
        return text
    if text[0] in "0123456789+-." and _NUMBER.fullmatch(text):
        return _number(text)
    if text.startswith(("urn:", "http://", "https://")):
        return _canonical_uri(text)
    prefix, colon, rest = text.partition(":")
    iri = ns.get(prefix) if colon else None
    return text if iri is None or rest.startswith("//") else _canonical_uri(iri + rest)


def _canonical_uri(uri: str) -> str:
    # Locations, parties and business transactions recur from event to event; long values are not kept.
    return _cached_uri(uri) if len(uri) <= 256 else _convert_uri(uri)


def _convert_uri(uri: str) -> str:
    if uri.startswith("urn:epc:"):
        try:
            return epc_urn.to_digital_link(uri)
        except epc_urn.InvalidEpcUrn:
            return uri
    if uri.startswith("urn:epcglobal:cbv:"):
        vocabulary, _, word = uri[18:].partition(":")
        term = _CBV_URN_VOCABULARIES.get(vocabulary)
        return _CBV + term + word if term and word else uri
    if uri.startswith(("http://", "https://")) and _DL_HINT.search(uri):
        return _digital_link(uri) or uri
    return uri


_cached_uri = lru_cache(maxsize=16384)(_convert_uri)


def _number(text: str) -> str:
    """A decimal numeral without "+", leading or trailing zeros, or exponent; exact (no float rounding)."""
    if text.isdigit():
        return text.lstrip("0") or "0"
    if "e" in text or "E" in text:
        number = Decimal(text)
        if abs(number.adjusted()) > 64:  # no 10**9999 expansions from a hostile document
            return str(number)
        text = format(number, "f")
    whole, _, fraction = text.lstrip("+-").partition(".")
    fraction = fraction.rstrip("0")
    digits = (whole.lstrip("0") or "0") + ("." + fraction if fraction else "")
    return "-" + digits if text[0] == "-" and digits != "0" else digits


def _digital_link(uri: str) -> str | None:
    path = uri.partition("://")[2].partition("?")[0].partition("#")[0]
    segments = [segment for segment in path.split("/")[1:] if segment]
    for index, segment in enumerate(segments[:-1]):
        ai = _DL_ALIASES.get(segment, segment)
        if ai in _DL_KEYS and (link := _constrained_link(ai, segments[index + 1 :])):
            return link
    return None


def _constrained_link(ai: str, segments: list[str]) -> str | None:
    """The canonical link of a primary key and its most fine-grained qualifier, or None if malformed."""
    syntax, qualifier_order = _DL_KEYS[ai]
    key = unquote(segments[0])
    if len(segments) % 2 == 0 or not syntax.fullmatch(key):
        return None
    if ai == "01":
        key = key.zfill(14)
    link = f"https://id.gs1.org/{ai}/{epc_urn.percent_encode(key)}"
    qualifiers = {_DL_ALIASES.get(q, q): v for q, v in zip(segments[1::2], segments[2::2], strict=True)}
    for qualifier in qualifier_order:
        if qualifier in qualifiers:
            return f"{link}/{qualifier}/{epc_urn.percent_encode(unquote(qualifiers[qualifier]))}"
    return link


def _timestamp(value: Any, ns: _Ns) -> str:
    return _utc_text(value.strip() if isinstance(value, str) else _value(value, ns))


@lru_cache(maxsize=4096)  # event times recur from event to event of a document
def _utc_text(text: str) -> str:
    try:
        moment = datetime.fromisoformat(text)
        if moment.tzinfo is None:  # not an xsd:dateTimeStamp: read as UTC, so that the hash is deterministic
            moment = moment.replace(tzinfo=UTC)
        # +0.5 ms, then truncation to milliseconds: the 4th decimal rounds half up.
        moment = moment.astimezone(UTC) + _HALF_MILLISECOND
    except (ValueError, OverflowError):
        return text
    return moment.isoformat()[:23] + "Z" if moment.microsecond else moment.isoformat()[:19] + ".000Z"


def _vocabulary(namespace: str) -> _Canon:
    """A CBV vocabulary field: a bare word (no colon) is a term of ``namespace``."""

    def canon(value: Any, ns: _Ns) -> str:
        text = value.strip() if isinstance(value, str) else ""
        return namespace + text if text and ":" not in text else _value(value, ns)

    return canon


def _plain(value: Any, ns: _Ns) -> str:
    return value.strip() if isinstance(value, str) else _value(value, ns)


def _hex_binary(value: Any, ns: _Ns) -> str:
    return _plain(value, ns).upper()


def _boolean(value: Any, ns: _Ns) -> str:
    text = _plain(value, ns)
    return {"1": "true", "0": "false"}.get(text, text)


def _leaf(canon: _Canon) -> _Render:
    """A field holding one value, or several: ``key=value`` each, sorted."""

    def render(key: str, value: Any, ns: _Ns) -> str:
        if not isinstance(value, list | tuple):
            text = canon(value, ns)
            return f"{key}={text}" if text else ""
        items = [f"{key}={text}" for item in value if item is not None and (text := canon(item, ns))]
        return "".join(sorted(items))

    return render


def _nested(*fields: tuple[str, _Render]) -> _Render:
    """A field holding an object (or several): ``key`` + its fields in order + its other keys, sorted."""
    known = frozenset(name for name, _ in fields) | _IGNORED

    def render(key: str, value: Any, ns: _Ns) -> str:
        items: list[str] = []
        for item in value if isinstance(value, list | tuple) else (value,):
            if not _is_mapping(item):
                items.extend(_extension(key, item, ns))
            elif body := _body(item, fields, known, ns):
                items.append(key + body)
        return "".join(sorted(items) if len(items) > 1 else items)

    return render


def _listed(label: str, *fields: tuple[str, _Render]) -> _Render:
    """A list field: ``key`` once, then each item as ``label`` + its fields (or ``label=value``), sorted."""
    known = frozenset(name for name, _ in fields) | _IGNORED

    def render(key: str, value: Any, ns: _Ns) -> str:
        items: list[str] = []
        for item in value if isinstance(value, list | tuple) else (value,):
            if _is_mapping(item):
                body = _body(item, fields, known, ns)
            else:
                body = "=" + text if item is not None and (text := _value(item, ns)) else ""
            if body:
                items.append(label + body)
        return key + "".join(sorted(items)) if items else ""

    return render


def _body(item: Mapping[str, Any], fields: _Fields, known: frozenset[str], ns: _Ns) -> str:
    parts: list[str] = []
    for name, render in fields:
        value = item.get(name)
        if value is not None and (text := render(name, value, ns)):
            parts.append(text)
    others = [text for key, value in item.items() if key not in known for text in _extension(key, value, ns)]
    others.sort()
    return "".join(parts) + "".join(others)


_VALUE = _leaf(_value)
_TIME = _leaf(_timestamp)
_DISPOSITION = _leaf(_vocabulary(_CBV + "Disp-"))
_SOURCE_DESTINATION_TYPE = _leaf(_vocabulary(_CBV + "SDT-"))
_EPCS = _listed("epc")
_QUANTITIES = _listed("quantityElement", ("epcClass", _VALUE), ("quantity", _VALUE), ("uom", _VALUE))
_SENSOR_METADATA = _nested(
    ("time", _TIME), ("startTime", _TIME), ("endTime", _TIME), ("deviceID", _VALUE),
    ("deviceMetadata", _VALUE), ("rawData", _VALUE), ("dataProcessingMethod", _VALUE), ("bizRules", _VALUE),
)  # fmt: skip
_SENSOR_REPORT = _nested(
    ("type", _leaf(_vocabulary(_GS1_VOC))), ("exception", _leaf(_vocabulary(_GS1_VOC))),
    ("deviceID", _VALUE), ("deviceMetadata", _VALUE), ("rawData", _VALUE), ("dataProcessingMethod", _VALUE),
    ("time", _TIME), ("microorganism", _VALUE), ("chemicalSubstance", _VALUE), ("value", _VALUE),
    ("component", _leaf(_vocabulary(_CBV + "Comp-"))), ("stringValue", _leaf(_plain)),
    ("booleanValue", _leaf(_boolean)), ("hexBinaryValue", _leaf(_hex_binary)), ("uriValue", _VALUE),
    ("minValue", _VALUE), ("maxValue", _VALUE), ("meanValue", _VALUE), ("sDev", _VALUE),
    ("percRank", _VALUE), ("percValue", _VALUE), ("uom", _VALUE), ("coordinateReferenceSystem", _VALUE),
)  # fmt: skip
_EVENT_FIELDS: _Fields = (
    ("eventTime", _TIME), ("eventTimeZoneOffset", _VALUE), ("certificationInfo", _VALUE),
    ("epcList", _EPCS), ("parentID", _VALUE), ("inputEPCList", _EPCS), ("childEPCs", _EPCS),
    ("quantityList", _QUANTITIES), ("childQuantityList", _QUANTITIES), ("inputQuantityList", _QUANTITIES),
    ("outputEPCList", _EPCS), ("outputQuantityList", _QUANTITIES),
    ("action", _VALUE), ("transformationID", _VALUE),
    ("bizStep", _leaf(_vocabulary(_CBV + "BizStep-"))), ("disposition", _DISPOSITION),
    ("persistentDisposition", _nested(("set", _DISPOSITION), ("unset", _DISPOSITION))),
    ("readPoint", _nested(("id", _VALUE))), ("bizLocation", _nested(("id", _VALUE))),
    ("sensorElementList", _listed(
        "sensorElement", ("sensorMetadata", _SENSOR_METADATA), ("sensorReport", _SENSOR_REPORT))),
)  # fmt: skip
# Rendered like the fields above, but sorted together with the user extensions.
_TAIL_FIELDS: dict[str, _Render] = {
    "bizTransactionList": _listed("", ("type", _leaf(_vocabulary(_CBV + "BTT-"))), ("bizTransaction", _VALUE)),
    "sourceList": _listed("", ("type", _SOURCE_DESTINATION_TYPE), ("source", _VALUE)),
    "destinationList": _listed("", ("type", _SOURCE_DESTINATION_TYPE), ("destination", _VALUE)),
}
_EVENT_KNOWN = frozenset(name for name, _ in _EVENT_FIELDS) | _EVENT_IGNORED
