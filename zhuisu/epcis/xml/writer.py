"""EPCIS 2.0 JSON-LD → EPCIS 2.0 XML: documents, query results and single events.

The inverse of ``reader``: elements in the order of ``EPCglobal-epcis-2_0.xsd``, CBV bare words written as their
URNs (``shipping`` → ``urn:epcglobal:cbv:bizstep:shipping``), extensions (``prefix:name`` keys, prefixes taken
from the document's ``@context``) as namespaced elements after the standard ones; the keys a user extension
element's object lists under ``#attributes`` as its XML attributes and its ``#text`` as its text (the mapping is
described in ``reader``). Reading the output back gives the same event dicts, and so the same event hashes.
"""

from collections.abc import Mapping, Sequence
from typing import Any

from lxml import etree

from zhuisu.epcis.xml import names

_HEAD = ("eventTime", "recordTime", "eventTimeZoneOffset", "eventID", "errorDeclaration", "certificationInfo")
_WHERE = ("bizStep", "disposition", "readPoint", "bizLocation")
_TAIL = ("sourceList", "destinationList", "sensorElementList", "persistentDisposition")
_ORDER: dict[str, tuple[str, ...]] = {
    "ObjectEvent": ("epcList", "action", *_WHERE, "bizTransactionList", "quantityList", *_TAIL, "ilmd"),
    "AggregationEvent": ("parentID", "childEPCs", "action", *_WHERE, "bizTransactionList", "childQuantityList", *_TAIL),
    "TransactionEvent": (
        "bizTransactionList", "parentID", "epcList", "action", *_WHERE, "quantityList", *_TAIL,
    ),
    "TransformationEvent": (
        "inputEPCList", "inputQuantityList", "outputEPCList", "outputQuantityList", "transformationID",
        *_WHERE, "bizTransactionList", *_TAIL, "ilmd",
    ),
    "AssociationEvent": (
        "parentID", "childEPCs", "childQuantityList", "action", *_WHERE, "bizTransactionList", *_TAIL,
    ),
}  # fmt: skip
_STANDARD = frozenset({"type", "@context", *_HEAD, *(f for order in _ORDER.values() for f in order)})
_CBV_URN = {
    "bizStep": "urn:epcglobal:cbv:bizstep:",
    "disposition": "urn:epcglobal:cbv:disp:",
    "bizTransaction": "urn:epcglobal:cbv:btt:",
    "source": "urn:epcglobal:cbv:sdt:",
    "destination": "urn:epcglobal:cbv:sdt:",
    "reason": "urn:epcglobal:cbv:er:",
}
_TYPED_LISTS = {"bizTransactionList": "bizTransaction", "sourceList": "source", "destinationList": "destination"}


class Namespaces:
    """Prefix → namespace of a JSON-LD document, for turning ``prefix:name`` keys into XML names."""

    def __init__(self, context: Any) -> None:
        self.by_prefix: dict[str, str] = dict(names.STANDARD_PREFIXES)
        for entry in context if isinstance(context, list) else [context]:
            if isinstance(entry, Mapping):
                self.by_prefix.update({k: v for k, v in entry.items() if isinstance(v, str) and not k.startswith("@")})
        self.used: dict[str, str] = {}

    def qname(self, key: str) -> str:
        """The Clark name ``{namespace}local`` of a JSON-LD key (a bare key stays unqualified)."""
        if key.startswith(("http://", "https://", "urn:")):
            cut = max(key.rfind("/"), key.rfind("#"), key.rfind(":")) + 1
            namespace, local = key[:cut], key[cut:]
            prefix = next((p for p, ns in self.by_prefix.items() if ns == namespace), None)
            if prefix is None:
                prefix = f"ns{len(self.used) + 1}"
                self.by_prefix[prefix] = namespace
            self.used[prefix] = namespace
            return f"{{{namespace}}}{local}"
        prefix, sep, local = key.partition(":")
        if sep and prefix in self.by_prefix:
            self.used[prefix] = self.by_prefix[prefix]
            return f"{{{self.by_prefix[prefix]}}}{local}"
        return key.replace(":", "_")


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _cbv(field: str, value: str) -> str:
    prefix = _CBV_URN.get(field)
    if prefix and value and ":" not in value:
        return prefix + value
    return value


def _sub(parent: Any, tag: str, text: Any = None) -> Any:
    element = etree.SubElement(parent, tag)
    if text is not None:
        element.text = _text(text)
    return element


def write_extension(parent: Any, key: str, value: Any, ns: Namespaces) -> None:
    """An extension member as XML: text, nested elements, or one element per list item."""
    if key.startswith("@"):
        return
    if isinstance(value, list):
        for item in value:
            write_extension(parent, key, item, ns)
        return
    element = etree.SubElement(parent, ns.qname(key))
    if isinstance(value, Mapping):
        _fill(element, value, ns)
    elif value is not None:
        element.text = _text(value)


def _fill(element: Any, value: Mapping[str, Any], ns: Namespaces) -> None:
    """An extension object as the attributes, text and child elements of ``element``."""
    if "@value" in value:
        element.text = _text(value["@value"])
    else:
        attributes = _write_attributes(element, value, ns)
        if names.TEXT in value:
            element.text = _text(value[names.TEXT])
        for child_key, child_value in value.items():
            if child_key in attributes:
                # An attribute and child elements of the same name: the attribute is the list's first item.
                for item in child_value[1:] if isinstance(child_value, list) else ():
                    write_extension(element, child_key, item, ns)
            elif child_key not in (names.TEXT, names.ATTRIBUTES):
                write_extension(element, child_key, child_value, ns)


def _write_attributes(element: Any, value: Mapping[str, Any], ns: Namespaces) -> list[str]:
    """Set the XML attributes a user extension object lists under ``#attributes``, in order; returns their keys."""
    listed = value.get(names.ATTRIBUTES)
    keys = [k for k in listed if isinstance(k, str) and k in value] if isinstance(listed, list) else []
    for key in keys:
        item = value[key]
        item = item[0] if isinstance(item, list) and item else item
        if item is not None and not isinstance(item, Mapping | list):
            element.set(ns.qname(key), _text(item))
    return keys


def write_event(parent: Any, event: Mapping[str, Any], ns: Namespaces) -> Any:
    """One JSON-LD event as an XML event element appended to ``parent`` (an ``EventList``)."""
    kind = str(event.get("type", "ObjectEvent"))
    element = etree.SubElement(parent, kind)
    for field in (*_HEAD, *_ORDER.get(kind, ())):
        if field in event and event[field] is not None:
            _write_field(element, field, event[field], ns)
    for key, value in event.items():
        if key not in _STANDARD:
            write_extension(element, key, value, ns)
    return element


def _write_field(element: Any, field: str, value: Any, ns: Namespaces) -> None:
    if field in ("epcList", "childEPCs", "inputEPCList", "outputEPCList"):
        holder = _sub(element, field)
        for epc in value:
            _sub(holder, "epc", epc)
    elif field.endswith("uantityList"):
        holder = _sub(element, field)
        for q in value:
            _quantity(_sub(holder, "quantityElement"), q)
    elif field in ("readPoint", "bizLocation"):
        _location(_sub(element, field), value, ns)
    elif field in _TYPED_LISTS:
        holder = _sub(element, field)
        item_name = _TYPED_LISTS[field]
        for item in value:
            child = _sub(holder, item_name, item.get(item_name, ""))
            if item.get("type"):
                child.set("type", _cbv(item_name, item["type"]))
    elif field == "ilmd":
        holder = _sub(element, field)
        for key, item in value.items():
            write_extension(holder, key, item, ns)
    elif field == "sensorElementList":
        holder = _sub(element, field)
        for sensor in value:
            _sensor_element(_sub(holder, "sensorElement"), sensor, ns)
    elif field == "persistentDisposition":
        holder = _sub(element, field)
        for key in ("unset", "set"):
            for item in value.get(key) or ():
                _sub(holder, key, _cbv("disposition", item))
    elif field == "errorDeclaration":
        _error_declaration(_sub(element, field), value, ns)
    elif field == "certificationInfo" and isinstance(value, list):
        for item in value:
            _sub(element, field, item)
    else:
        _sub(element, field, _cbv(field, _text(value)))


def _quantity(element: Any, q: Mapping[str, Any]) -> None:
    _sub(element, "epcClass", q.get("epcClass", ""))
    if "quantity" in q:
        _sub(element, "quantity", q["quantity"])
    if "uom" in q:
        _sub(element, "uom", q["uom"])


def _location(element: Any, value: Mapping[str, Any], ns: Namespaces) -> None:
    _sub(element, "id", value.get("id", ""))
    for key, item in value.items():
        if key != "id":
            write_extension(element, key, item, ns)


def _error_declaration(element: Any, value: Mapping[str, Any], ns: Namespaces) -> None:
    _sub(element, "declarationTime", value.get("declarationTime", ""))
    if "reason" in value:
        _sub(element, "reason", _cbv("reason", value["reason"]))
    if "correctiveEventIDs" in value:
        holder = _sub(element, "correctiveEventIDs")
        for item in value["correctiveEventIDs"]:
            _sub(holder, "correctiveEventID", item)
    for key, item in value.items():
        if key not in ("declarationTime", "reason", "correctiveEventIDs"):
            write_extension(element, key, item, ns)


def _sensor_element(element: Any, sensor: Mapping[str, Any], ns: Namespaces) -> None:
    if "sensorMetadata" in sensor:
        _sensor_attributes(_sub(element, "sensorMetadata"), sensor["sensorMetadata"], ns)
    for report in sensor.get("sensorReport") or ():
        _sensor_attributes(_sub(element, "sensorReport"), report, ns)
    for key, item in sensor.items():
        if key not in ("sensorMetadata", "sensorReport"):
            write_extension(element, key, item, ns)


def _sensor_attributes(element: Any, values: Mapping[str, Any], ns: Namespaces) -> None:
    for key, value in values.items():
        if isinstance(value, Mapping | list):
            write_extension(element, key, value, ns)
            continue
        text = _text(value)
        if key == "type" and ":" not in text:
            ns.used["gs1"] = names.STANDARD_PREFIXES["gs1"]
            text = "gs1:" + text
        elif key == "type" and text.partition(":")[0] in ns.by_prefix:
            ns.used[text.partition(":")[0]] = ns.by_prefix[text.partition(":")[0]]
        element.set(ns.qname(key) if ":" in key else key, text)


def _vocabularies(parent: Any, vocabularies: Sequence[Mapping[str, Any]], ns: Namespaces) -> None:
    holder = _sub(parent, "VocabularyList")
    for vocabulary in vocabularies:
        v = _sub(holder, "Vocabulary")
        v.set("type", str(vocabulary.get("type", "")))
        elements = _sub(v, "VocabularyElementList")
        for item in vocabulary.get("vocabularyElementList") or ():
            e = _sub(elements, "VocabularyElement")
            e.set("id", str(item.get("id", "")))
            for attribute in item.get("attributes") or ():
                a = etree.SubElement(e, "attribute", id=str(attribute.get("id", "")))
                value = attribute.get("attribute")
                if isinstance(value, Mapping):
                    _fill(a, value, ns)
                elif value is not None:
                    a.text = _text(value)
            if item.get("children"):
                children = _sub(e, "children")
                for child_id in item["children"]:
                    _sub(children, "id", child_id)


def _root(tag: str, namespace: str, prefix: str, document: Mapping[str, Any]) -> Any:
    root = etree.Element(f"{{{namespace}}}{tag}", nsmap={prefix: namespace})
    root.set("schemaVersion", "2.0")
    root.set("creationDate", str(document.get("creationDate") or "1970-01-01T00:00:00Z"))
    return root


def _finish(root: Any, ns: Namespaces) -> bytes:
    nsmap = {**(root.nsmap or {}), **{p: n for p, n in ns.used.items() if p not in (root.nsmap or {})}}
    wrapped = etree.Element(root.tag, nsmap=nsmap, attrib=dict(root.attrib))
    wrapped.extend(list(root))
    etree.cleanup_namespaces(wrapped, top_nsmap=nsmap, keep_ns_prefixes=list(ns.used))
    return bytes(etree.tostring(wrapped, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def write_document(document: Mapping[str, Any]) -> bytes:
    """A JSON-LD ``EPCISDocument`` (or ``EPCISQueryDocument``) as EPCIS 2.0 XML bytes."""
    ns = Namespaces(document.get("@context"))
    body = document.get("epcisBody") or {}
    if document.get("type") == "EPCISQueryDocument":
        results = body.get("queryResults") or {}
        events = (results.get("resultsBody") or {}).get("eventList") or []
        return query_document(
            str(results.get("queryName", "")), events, document.get("@context"),
            subscription_id=results.get("subscriptionID"), creation_date=document.get("creationDate"),
        )  # fmt: skip
    root = _root("EPCISDocument", names.EPCIS_2, "epcis", document)
    master = (document.get("epcisHeader") or {}).get("epcisMasterData")
    if master:
        header = _sub(root, "EPCISHeader")
        _vocabularies(_sub(_sub(header, "extension"), "EPCISMasterData"), master.get("vocabularyList") or [], ns)
    event_list = _sub(_sub(root, "EPCISBody"), "EventList")
    for event in body.get("eventList") or ():
        write_event(event_list, event, ns)
    return _finish(root, ns)


def query_document(
    query_name: str,
    events: Sequence[Mapping[str, Any]],
    context: Any,
    *,
    subscription_id: str | None = None,
    creation_date: str | None = None,
) -> bytes:
    """Query results as an EPCIS 2.0 XML ``EPCISQueryDocument``."""
    ns = Namespaces(context)
    root = _root("EPCISQueryDocument", names.QUERY_2, "epcisq", {"creationDate": creation_date})
    results = etree.SubElement(_sub(root, "EPCISBody"), f"{{{names.QUERY_2}}}QueryResults")
    _sub(results, "queryName", query_name)
    if subscription_id:
        _sub(results, "subscriptionID", subscription_id)
    event_list = _sub(_sub(results, "resultsBody"), "EventList")
    for event in events:
        event_ns = Namespaces(event["@context"]) if "@context" in event else ns
        write_event(event_list, event, event_ns)
        ns.used.update(event_ns.used)
    return _finish(root, ns)
