"""EPCIS XML (1.2 and 2.0) → EPCIS 2.0 JSON-LD, so XML documents are captured, hashed and stored like JSON-LD.

Follows the XML ↔ JSON-LD mapping of EPCIS 2.0 (§9.3 XML binding, §9.4 JSON-LD binding): the same event read
from either binding gives the same dict and so the same CBV 2.0 event hash. Handles ``EPCISDocument``,
``EPCISQueryDocument`` and ``EPCISMasterDataDocument`` roots (the standard business document header is read
past; its EPCIS master data becomes ``epcisHeader.epcisMasterData``). EPCIS 1.2 specifics are folded in:
``extension`` / ``baseExtension`` wrappers disappear, a ``QuantityEvent`` becomes an ``ObjectEvent`` with a
``quantityList`` (as EPCIS 2.0 §7.4.8 recommends). Reading is lenient where real documents are: element order,
namespace prefixes, the namespace of the root, surrounding whitespace. Entities and DTDs are never resolved.

XML attributes are data too (the XSD's ``anyAttribute`` on events, ilmd, readPoint, errorDeclaration, sensor
elements; anything on a user extension element), and are kept:

* An attribute becomes a key of its element's JSON object, ``prefix:localName`` (bare when unqualified), its value
  a string. This is the mapping of GS1's own examples: ``<sensorReport … example:cv="123"/>`` of
  ``XML/WithExtension/TransformationEvent.xml`` is ``"example:cv": "123"`` in ``JSON/WithSensorData/
  SensorDataExample6.jsonld`` (github.com/gs1/EPCIS). It is also how the reference event hash implementation
  reads XML (github.com/RalphTro/epcis-event-hash-generator, ``xml_to_py``: every attribute is a child
  ``(name, value)`` of its element), so an attribute counts in the CBV 2.0 event hash as ``{namespace}name=value``
  among its element's children, the same whichever binding carried the event.
* JSON cannot tell an attribute from a child element, and neither the standard nor GS1's converters
  (openepcis-document-converter reads extension elements' children and text only) say how to keep the difference.
  So the object of a *user extension element* that has attributes lists their keys under ``"#attributes"`` (in
  document order); its text, when it also has attributes or child elements, is under ``"#text"`` — the key the
  reference hash implementation's JSON reader takes as an element's text (``json_to_py``). Both are ignored by
  JSON-LD processing (they are not IRIs) and by the event hash (``#text`` is the element's ``=value``, as the
  reference has it), and the XML writer turns them back into attributes and text: XML → JSON-LD → XML keeps every
  attribute's namespace, local name and value.
* On an EPCIS standard element (an event, readPoint, ilmd …) the JSON Schema admits only URI keys, so there is no
  ``#attributes`` list: an attribute there is a ``prefix:localName`` key like an extension element (what GS1 does
  for sensorReport), kept and hashed, and written back to XML as an element.
"""

import re
from collections.abc import Iterator
from functools import cache
from typing import Any

from lxml import etree

from zhuisu.epcis import limits
from zhuisu.epcis.identifiers import cbv_short
from zhuisu.epcis.schema import loader
from zhuisu.epcis.xml import names
from zhuisu.epcis.xml.errors import InvalidXml

_EVENT_TYPES = ("ObjectEvent", "AggregationEvent", "TransactionEvent", "TransformationEvent", "AssociationEvent")
_TEXT = frozenset(
    {"eventTime", "recordTime", "eventTimeZoneOffset", "eventID", "action", "bizStep", "disposition",
     "parentID", "transformationID"}
)  # fmt: skip
_CBV_FIELDS = frozenset({"bizStep", "disposition"})
_EPC_LISTS = frozenset({"epcList", "childEPCs", "inputEPCList", "outputEPCList"})
_QTY_LISTS = frozenset({"quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList"})
_TYPED_LISTS = {"bizTransactionList": "bizTransaction", "sourceList": "source", "destinationList": "destination"}
_NUMERIC_ATTRS = frozenset(
    {"value", "minValue", "maxValue", "meanValue", "sDev", "percRank", "percValue"}
)  # fmt: skip
_WRAPPERS = frozenset({"extension", "baseExtension"})
_INTEGER = re.compile(r"^[+-]?\d+$")
_PARSER = etree.XMLParser(
    resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True, remove_comments=True, remove_pis=True
)


def parse(data: bytes) -> Any:
    """The root element of an XML document. Raises InvalidXml for text that is not well-formed XML."""
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise InvalidXml(f"请求体不是有效的 XML：{exc}", message_en=f"the body is not well-formed XML: {exc}") from None
    if root is None:
        raise InvalidXml("XML 文档为空", message_en="the XML document is empty")
    docinfo = root.getroottree().docinfo
    dtd = docinfo.internalDTD
    declares = dtd is not None and (any(True for _ in dtd.iterentities()) or any(True for _ in dtd.iterelements()))
    if declares or docinfo.system_url or docinfo.public_id:
        # As defusedxml: DTD content has no place in an EPCIS document and is how entity attacks arrive (XXE,
        # billion laughs). A bare ``<!DOCTYPE EPCISDocument>``, as some GS1 examples carry, declares nothing.
        raise InvalidXml(
            "XML 文档的 DOCTYPE 不得含 DTD 内容或外部 DTD",
            message_en="the XML document's DOCTYPE must not carry DTD content or name an external DTD",
        )
    _check_depth(root)
    return root


def _check_depth(root: Any) -> None:
    """Raises InvalidXml for elements nested deeper than ``limits.MAX_DEPTH`` (the reader recurses over them)."""
    depth = 0
    for event, element in etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        if depth > limits.MAX_DEPTH:
            path = root.getroottree().getpath(element)
            raise InvalidXml(
                f"XML 文档嵌套超过 {limits.MAX_DEPTH} 层（{path}）",
                message_en=f"the XML document is nested more than {limits.MAX_DEPTH} levels deep (at {path})",
                pointer=path,
            )


def read_document(data: bytes | Any) -> dict[str, Any]:
    """An EPCIS XML document (bytes or parsed root) as an EPCIS 2.0 JSON-LD document dict."""
    root = parse(bytes(data)) if isinstance(data, bytes | bytearray) else data
    kind = local(root)
    if kind not in ("EPCISDocument", "EPCISQueryDocument", "EPCISMasterDataDocument"):
        raise InvalidXml(
            f"根元素应为 EPCISDocument、EPCISQueryDocument 或 EPCISMasterDataDocument，收到 {kind}",
            message_en=f"the root element must be EPCISDocument, EPCISQueryDocument or EPCISMasterDataDocument, "
            f"got {kind}",
        )
    prefixes = names.Prefixes()
    doc: dict[str, Any] = {"@context": []}
    doc["type"] = "EPCISQueryDocument" if kind == "EPCISQueryDocument" else "EPCISDocument"
    doc["schemaVersion"] = "2.0"
    if root.get("creationDate"):
        doc["creationDate"] = root.get("creationDate").strip()
    header = _header(root, prefixes)
    if header:
        doc["epcisHeader"] = header
    body = _child(root, "EPCISBody")
    if kind == "EPCISMasterDataDocument":
        vocabularies = _vocabularies(_find(body, "VocabularyList"), prefixes)
        doc.setdefault("epcisHeader", {})["epcisMasterData"] = {"vocabularyList": vocabularies}
        doc["epcisBody"] = {"eventList": []}
    elif kind == "EPCISQueryDocument":
        doc["epcisBody"] = {"queryResults": _query_results(_find(body, "QueryResults"), prefixes)}
    else:
        doc["epcisBody"] = {"eventList": read_events(_child(body, "EventList"), prefixes)}
    doc["@context"] = prefixes.context()
    return doc


def local(element: Any) -> str:
    return str(etree.QName(element).localname)


def _namespace(element: Any) -> str | None:
    ns = etree.QName(element).namespace
    return str(ns) if ns else None


def _elements(parent: Any) -> Iterator[Any]:
    """The element children of ``parent``, with EPCIS ``extension``/``baseExtension`` wrappers flattened."""
    if parent is None:
        return
    for child in parent:
        if not isinstance(child.tag, str):
            continue
        if local(child) in _WRAPPERS and names.is_epcis(_namespace(child)):
            yield from _elements(child)
        else:
            yield child


def _child(parent: Any, name: str) -> Any:
    if parent is None:
        return None
    return next((c for c in _elements(parent) if local(c) == name and names.is_epcis(_namespace(c))), None)


def _find(parent: Any, name: str) -> Any:
    """The first EPCIS descendant called ``name`` (whatever wraps it)."""
    if parent is None:
        return None
    return next(
        (e for e in parent.iter() if isinstance(e.tag, str) and local(e) == name and names.is_epcis(_namespace(e))),
        None,
    )


def _text(element: Any) -> str:
    return (element.text or "").strip()


def read_events(event_list: Any, prefixes: names.Prefixes) -> list[dict[str, Any]]:
    """The events of an XML ``EventList`` element, in document order."""
    events: list[dict[str, Any]] = []
    for element in _elements(event_list):
        kind = local(element)
        if kind in _EVENT_TYPES or kind == "QuantityEvent":
            events.append(read_event(element, prefixes))
        elif not names.is_epcis(_namespace(element)):
            raise InvalidXml(f"不支持的事件类型 {element.tag}", message_en=f"unsupported event type {element.tag}")
    return events


def read_event(element: Any, prefixes: names.Prefixes) -> dict[str, Any]:
    """One XML event element as a JSON-LD event dict."""
    kind = local(element)
    event: dict[str, Any] = {"type": "ObjectEvent" if kind == "QuantityEvent" else kind}
    quantity_event: dict[str, Any] = {}
    for child in _elements(element):
        name = local(child)
        if not names.is_epcis(_namespace(child)):
            _put(event, extension_key(child, prefixes), extension_value(child, prefixes))
        elif kind == "QuantityEvent" and name in ("epcClass", "quantity"):
            quantity_event[name] = _text(child) if name == "epcClass" else _number(_text(child))
        else:
            _standard_field(event, name, child, prefixes)
    if quantity_event:
        event.setdefault("action", "OBSERVE")
        event["quantityList"] = [quantity_event]
    _put_attributes(event, element, prefixes)
    return event


def _standard_field(event: dict[str, Any], name: str, child: Any, prefixes: names.Prefixes) -> None:
    if name in _CBV_FIELDS:
        event[name] = _cbv(_text(child))
    elif name in _TEXT:
        event[name] = _text(child)
    elif name == "certificationInfo":
        _put(event, name, _text(child))
    elif name in _EPC_LISTS:
        event[name] = [_text(e) for e in _elements(child) if local(e) == "epc"]
    elif name in _QTY_LISTS:
        event[name] = [_quantity(q) for q in _elements(child) if local(q) == "quantityElement"]
    elif name in ("readPoint", "bizLocation"):
        event[name] = _location(child, prefixes)
    elif name in _TYPED_LISTS:
        event[name] = [_typed(e, _TYPED_LISTS[name]) for e in _elements(child) if local(e) == _TYPED_LISTS[name]]
    elif name == "ilmd":
        event[name] = _extension_children(child, prefixes)
    elif name == "sensorElementList":
        event[name] = [_sensor_element(e, prefixes) for e in _elements(child) if local(e) == "sensorElement"]
    elif name == "persistentDisposition":
        event[name] = _persistent_disposition(child)
    elif name == "errorDeclaration":
        event[name] = _error_declaration(child, prefixes)
    else:
        raise InvalidXml(
            f"事件 {event['type']} 中有未知元素 <{name}>", message_en=f"unknown element <{name}> in {event['type']}"
        )


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    """Set ``key``; a repeated key becomes a list of its values, in document order."""
    if key not in target:
        target[key] = value
    elif isinstance(target[key], list):
        target[key].append(value)
    else:
        target[key] = [target[key], value]


def _cbv(value: str) -> str:
    """A standard CBV value as the bare word the JSON-LD binding requires (URN and web URI forms)."""
    return cbv_short(value) or value


def _number(text: str) -> int | float:
    try:
        return int(text) if _INTEGER.match(text) else float(text)
    except ValueError:
        raise InvalidXml(f"{text!r} 不是数字", message_en=f"{text!r} is not a number") from None


def _quantity(element: Any) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for child in _elements(element):
        name = local(child)
        if name == "quantity":
            if _text(child):
                out[name] = _number(_text(child))
        elif name in ("epcClass", "uom"):
            out[name] = _text(child)
    return out


def _location(element: Any, prefixes: names.Prefixes) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for child in _elements(element):
        if local(child) == "id" and names.is_epcis(_namespace(child)):
            out["id"] = _text(child)
        else:
            _put(out, extension_key(child, prefixes), extension_value(child, prefixes))
    _put_attributes(out, element, prefixes)
    return out


def _typed(element: Any, key: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if element.get("type"):
        out["type"] = _cbv(element.get("type").strip())
    out[key] = _text(element)
    return out


def _persistent_disposition(element: Any) -> dict[str, Any]:
    out: dict[str, list[str]] = {}
    for child in _elements(element):
        if local(child) in ("set", "unset"):
            out.setdefault(local(child), []).append(_cbv(_text(child)))
    return out


def _error_declaration(element: Any, prefixes: names.Prefixes) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for child in _elements(element):
        name = local(child)
        if not names.is_epcis(_namespace(child)):
            _put(out, extension_key(child, prefixes), extension_value(child, prefixes))
        elif name == "correctiveEventIDs":
            out[name] = [_text(c) for c in _elements(child) if local(c) == "correctiveEventID"]
        else:
            out[name] = _cbv(_text(child)) if name == "reason" else _text(child)
    _put_attributes(out, element, prefixes)
    return out


def _sensor_element(element: Any, prefixes: names.Prefixes) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for child in _elements(element):
        name = local(child)
        if not names.is_epcis(_namespace(child)):
            _put(out, extension_key(child, prefixes), extension_value(child, prefixes))
        elif name == "sensorMetadata":
            out[name] = _sensor_attributes(child, prefixes)
        elif name == "sensorReport":
            out.setdefault(name, []).append(_sensor_attributes(child, prefixes))
    _put_attributes(out, element, prefixes)
    return out


def _sensor_attributes(element: Any, prefixes: names.Prefixes) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for raw_name, raw_value in element.attrib.items():
        qname = etree.QName(raw_name)
        value = raw_value.strip()
        if qname.namespace:
            if qname.namespace == names.XSI:
                continue
            out[f"{prefixes.prefix(qname.namespace, _prefix_of(element, qname.namespace))}:{qname.localname}"] = value
        elif qname.localname in _NUMERIC_ATTRS:
            out[qname.localname] = _number(value)
        elif qname.localname == "booleanValue":
            out[qname.localname] = value.lower() in ("true", "1")
        elif qname.localname == "type":
            out["type"] = _measurement_type(element, value, prefixes)
        else:
            out[qname.localname] = value
    for child in _elements(element):
        _put(out, extension_key(child, prefixes), extension_value(child, prefixes))
    if _text(element) and "stringValue" not in out:
        out["stringValue"] = _text(element)
    return out


def _prefix_of(element: Any, namespace: str) -> str | None:
    return next((p for p, ns in (element.nsmap or {}).items() if ns == namespace and p), None)


def _measurement_type(element: Any, value: str, prefixes: names.Prefixes) -> str:
    """A sensor report type: a bare word for the GS1 types the JSON-LD context names, else a CURIE or URI.

    A CURIE's prefix is declared in the XML (``xmlns:example``); it is carried into the ``@context``.
    """
    prefix, sep, rest = value.partition(":")
    if not sep or rest.startswith("//"):
        return value
    if prefix == "gs1" or (element.nsmap or {}).get(prefix) == names.STANDARD_PREFIXES["gs1"]:
        return rest if rest in _measurement_types() else f"gs1:{rest}"
    namespace = (element.nsmap or {}).get(prefix)
    if namespace is None:
        return value
    return f"{prefixes.prefix(namespace, prefix)}:{rest}"


@cache
def _measurement_types() -> frozenset[str]:
    words = loader.definition("measurementType")["anyOf"][1]["enum"]
    return frozenset(words) | {"ALARM_CONDITION", "ERROR_CONDITION"}


def extension_key(element: Any, prefixes: names.Prefixes) -> str:
    """The JSON-LD key of an extension element: ``prefix:localName`` (bare for unqualified elements)."""
    namespace = _namespace(element)
    if namespace is None or namespace in names.EPCIS_NAMESPACES:
        return local(element)
    return f"{prefixes.prefix(namespace, element.prefix)}:{local(element)}"


def extension_value(element: Any, prefixes: names.Prefixes, *, standard: tuple[str, ...] = ()) -> Any:
    """An extension element's value: its text, or an object of its attributes, text and children.

    Repeated names become lists; an attribute comes before a child element of the same name. ``standard`` names
    the element's own unqualified attributes, which are not data of the value (``id`` of a master data attribute).
    """
    attributes = [(key, value) for key, value in _attributes(element, prefixes) if key not in standard]
    children = [c for c in element if isinstance(c.tag, str)]
    if not attributes and not children:
        return _text(element)
    out: dict[str, Any] = {}
    for key, value in attributes:
        _put(out, key, value)
    if attributes:
        out[names.ATTRIBUTES] = [key for key, _ in attributes]
    if _text(element):
        out[names.TEXT] = _text(element)
    for child in _elements(element):
        _put(out, extension_key(child, prefixes), extension_value(child, prefixes))
    return out


def _extension_children(element: Any, prefixes: names.Prefixes) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for child in _elements(element):
        _put(out, extension_key(child, prefixes), extension_value(child, prefixes))
    _put_attributes(out, element, prefixes)
    return out


def _attributes(element: Any, prefixes: names.Prefixes) -> list[tuple[str, str]]:
    """The XML attributes of an element as (JSON-LD key, value), in document order."""
    return [(_attribute_key(element, name, prefixes), value) for name, value in element.attrib.items()]


def _attribute_key(element: Any, raw_name: str, prefixes: names.Prefixes) -> str:
    """``prefix:localName`` of a qualified attribute (the prefix as for elements), the bare name of another."""
    qname = etree.QName(raw_name)
    if not qname.namespace:
        return str(qname.localname)
    return f"{prefixes.prefix(qname.namespace, _prefix_of(element, qname.namespace))}:{qname.localname}"


def _put_attributes(target: dict[str, Any], element: Any, prefixes: names.Prefixes) -> None:
    """The attributes of an EPCIS standard element as keys of its object (``xsi:`` ones are XML plumbing)."""
    for name, value in element.attrib.items():
        if etree.QName(name).namespace != names.XSI:
            _put(target, _attribute_key(element, name, prefixes), value)


def _header(root: Any, prefixes: names.Prefixes) -> dict[str, Any]:
    header = _child(root, "EPCISHeader")
    master = _find(header, "EPCISMasterData")
    if master is None:
        return {}
    return {"epcisMasterData": {"vocabularyList": _vocabularies(_find(master, "VocabularyList"), prefixes)}}


def _vocabularies(vocabulary_list: Any, prefixes: names.Prefixes) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for vocabulary in _elements(vocabulary_list):
        if local(vocabulary) != "Vocabulary":
            continue
        elements_el = _child(vocabulary, "VocabularyElementList")
        elements = [_vocabulary_element(e, prefixes) for e in _elements(elements_el) if local(e) == "VocabularyElement"]
        out.append({"type": (vocabulary.get("type") or "").strip(), "vocabularyElementList": elements})
    return out


def _vocabulary_element(element: Any, prefixes: names.Prefixes) -> dict[str, Any]:
    out: dict[str, Any] = {"id": (element.get("id") or "").strip()}
    attributes: list[dict[str, Any]] = []
    for child in _elements(element):
        if local(child) == "attribute":
            value = extension_value(child, prefixes, standard=("id",))
            attributes.append({"id": (child.get("id") or "").strip(), "attribute": value})
        elif local(child) == "children":
            out["children"] = [_text(c) for c in _elements(child) if local(c) == "id"]
    if attributes:
        out["attributes"] = attributes
    return out


def _query_results(results: Any, prefixes: names.Prefixes) -> dict[str, Any]:
    name = _child(results, "queryName")
    out: dict[str, Any] = {"queryName": _text(name) if name is not None else ""}
    subscription = _child(results, "subscriptionID")
    if subscription is not None:
        out["subscriptionID"] = _text(subscription)
    body = _child(results, "resultsBody")
    out["resultsBody"] = {"eventList": read_events(_child(body, "EventList"), prefixes)}
    return out


def as_capture_document(document: dict[str, Any]) -> dict[str, Any]:
    """A query document's results as an ``EPCISDocument`` (what capture takes); other documents unchanged."""
    if document.get("type") != "EPCISQueryDocument":
        return document
    events = document["epcisBody"]["queryResults"]["resultsBody"]["eventList"]
    out = {k: v for k, v in document.items() if k != "epcisBody"}
    return {**out, "type": "EPCISDocument", "epcisBody": {"eventList": events}}
