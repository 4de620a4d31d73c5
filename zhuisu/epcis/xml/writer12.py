"""EPCIS 2.0 JSON-LD → EPCIS 1.2 XML (namespace ``urn:epcglobal:epcis:xsd:1``), for partners still on 1.2.

Each event is first written as EPCIS 2.0 XML by ``writer`` and its elements are then moved to where the 1.2 schema
(``EPCglobal-epcis-1_2.xsd``) puts them:

* ``eventID`` and ``errorDeclaration`` go in ``<baseExtension>``; ``certificationInfo`` (2.0 only) in
  ``<baseExtension><extension>``;
* ``quantityList`` / ``childQuantityList``, ``sourceList``, ``destinationList`` and ``ilmd`` of Object, Aggregation
  and Transaction events go in the event's ``<extension>``;
* a ``TransformationEvent`` is wrapped in ``<EventList><extension>``;
* the 2.0-only members ``sensorElementList`` and ``persistentDisposition`` (and unprefixed extension members) go
  in the innermost ``<extension>`` of the event (``<extension><extension>`` for Object/Aggregation/Transaction
  events, ``<extension>`` for a TransformationEvent) and an ``AssociationEvent`` in
  ``<EventList><extension><extension>``, as GS1's 2.0 → 1.2 stylesheet places them (``gs1/EPCIS``,
  ``XSL/convert-2.0-to-1.2.xsl``). These places take any unqualified element, so the document stays valid, but a
  1.2-only reader skips what it finds there: each such member is named in ``Written.warnings``.

Standard CBV values are written as URNs (``urn:epcglobal:cbv:bizstep:shipping``) and GS1 Digital Link identifiers
as EPC URNs (``codes.epc_translate``); an identifier with no URN form (or an unknown company prefix length) is
written as captured. Reading the output back with ``reader`` gives events with the same CBV 2.0 event hashes.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from zhuisu.epcis import formats
from zhuisu.epcis.xml import names, writer

SCHEMA_VERSION = "1.2"
_BASE = ("eventTime", "recordTime", "eventTimeZoneOffset")
_WHERE = ("bizStep", "disposition", "readPoint", "bizLocation")
_NEW_IN_2 = ("sensorElementList", "persistentDisposition")
#: Event type → (elements of the event itself, elements of its ``<extension>``), in 1.2 schema order.
_LAYOUT: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "ObjectEvent": (
        ("epcList", "action", *_WHERE, "bizTransactionList"),
        ("quantityList", "sourceList", "destinationList", "ilmd"),
    ),
    "AggregationEvent": (
        ("parentID", "childEPCs", "action", *_WHERE, "bizTransactionList"),
        ("childQuantityList", "sourceList", "destinationList"),
    ),
    "TransactionEvent": (
        ("bizTransactionList", "parentID", "epcList", "action", *_WHERE),
        ("quantityList", "sourceList", "destinationList"),
    ),
    "TransformationEvent": (
        ("inputEPCList", "inputQuantityList", "outputEPCList", "outputQuantityList", "transformationID", *_WHERE,
         "bizTransactionList", "sourceList", "destinationList", "ilmd"),
        (),
    ),
}  # fmt: skip
#: Elements the 1.2 schema requires even when empty.
_REQUIRED = {"ObjectEvent": ("epcList",), "AggregationEvent": ("childEPCs",), "TransactionEvent": ("epcList",)}


@dataclass
class Written:
    """An EPCIS 1.2 XML document and what a 1.2 reader may not see in it (one line per member, English)."""

    xml: bytes
    warnings: list[str] = field(default_factory=list)


def prepare(event: Mapping[str, Any]) -> dict[str, Any]:
    """``event`` with its identifiers as EPC URNs and its standard CBV values as URNs."""
    out = formats.cbv_forms(formats.translate_identifiers(event, formats.to_epc_urn_or_same), web=False)
    if isinstance(out.get("transformationID"), str):
        out["transformationID"] = formats.to_epc_urn_or_same(out["transformationID"])
    return out


def _local(element: Any) -> str | None:
    """The local name of an EPCIS (unqualified) element; ``None`` for an extension element or a comment."""
    if not isinstance(element.tag, str):
        return None
    qname = etree.QName(element)
    return None if qname.namespace else qname.localname


def _sub(parent: Any, tag: str) -> Any:
    return etree.SubElement(parent, tag)


def write_event(event_list: Any, event: Mapping[str, Any], ns: writer.Namespaces, warnings: list[str]) -> None:
    """One JSON-LD event as a 1.2 event element (wrapped as 1.2 needs) appended to ``event_list``."""
    kind = str(event.get("type", "ObjectEvent"))
    scratch = etree.Element("EventList")
    v2 = writer.write_event(scratch, prepare(event), ns)
    by_name = {name: child for child in v2 if (name := _local(child)) is not None and name != "certificationInfo"}
    certifications = [child for child in v2 if _local(child) == "certificationInfo"]
    extensions = [child for child in v2 if _local(child) is None]
    if kind == "TransformationEvent":
        parent = _sub(event_list, "extension")
    elif kind in _LAYOUT:
        parent = event_list
    else:
        parent = _sub(_sub(event_list, "extension"), "extension")
        warnings.append(f"{kind} {_label(event)}: no EPCIS 1.2 form, written in <EventList><extension><extension>")
    element = _sub(parent, kind)
    _base(element, by_name, certifications, event, warnings)
    own, extended = _LAYOUT.get(kind, (tuple(by_name), ()))
    for name in own:
        if name in by_name:
            element.append(by_name.pop(name))
        elif name in _REQUIRED.get(kind, ()):
            _sub(element, name)
    standard = [by_name.pop(name) for name in extended if name in by_name]
    new = [by_name.pop(name) for name in _NEW_IN_2 if name in by_name]
    # Unqualified members 1.2 has no place for (2.0-only, or bare extension keys) still sit in the 2.0 element.
    new += [child for child in v2 if _local(child) is not None and child not in standard and child not in new]
    _extension(element, kind, standard, new, event, warnings)
    element.extend(extensions)


def _base(
    element: Any,
    by_name: dict[str, Any],
    certifications: list[Any],
    event: Mapping[str, Any],
    warnings: list[str],
) -> None:
    for name in _BASE:
        if name in by_name:
            element.append(by_name.pop(name))
    inside = [by_name.pop(name) for name in ("eventID", "errorDeclaration") if name in by_name]
    if not inside and not certifications:
        return
    holder = _sub(element, "baseExtension")
    holder.extend(inside)
    if certifications:
        _sub(holder, "extension").extend(certifications)
        warnings.append(f"{event.get('type')} {_label(event)}: certificationInfo in <baseExtension><extension>")


def _extension(
    element: Any,
    kind: str,
    standard: list[Any],
    new: list[Any],
    event: Mapping[str, Any],
    warnings: list[str],
) -> None:
    if not standard and not new:
        return
    holder = _sub(element, "extension")
    holder.extend(standard)
    if not new:
        return
    inner = holder if kind not in ("ObjectEvent", "AggregationEvent", "TransactionEvent") else _sub(holder, "extension")
    inner.extend(new)
    where = "<extension>" if inner is holder else "<extension><extension>"
    for child in new:
        warnings.append(f"{kind} {_label(event)}: {_local(child)} (not in EPCIS 1.2) in {where}")


def _label(event: Mapping[str, Any]) -> str:
    return str(event.get("eventID") or event.get("eventTime") or "")


def _root(tag: str, namespace: str, prefix: str, creation_date: Any) -> Any:
    root = etree.Element(f"{{{namespace}}}{tag}", nsmap={prefix: namespace})
    root.set("schemaVersion", SCHEMA_VERSION)
    root.set("creationDate", str(creation_date or "1970-01-01T00:00:00Z"))
    return root


def _finish(root: Any, ns: writer.Namespaces, warnings: list[str]) -> Written:
    nsmap = {**(root.nsmap or {}), **{p: n for p, n in ns.used.items() if p not in (root.nsmap or {})}}
    wrapped = etree.Element(root.tag, nsmap=nsmap, attrib=dict(root.attrib))
    wrapped.extend(list(root))
    etree.cleanup_namespaces(wrapped, top_nsmap=nsmap, keep_ns_prefixes=list(ns.used))
    xml = bytes(etree.tostring(wrapped, xml_declaration=True, encoding="UTF-8", pretty_print=True))
    return Written(xml, warnings)


def _header(root: Any, document: Mapping[str, Any], master: Mapping[str, Any], ns: writer.Namespaces) -> None:
    """``<EPCISHeader>`` with master data; 1.2 requires a standard business document header before it."""
    header = _sub(root, "EPCISHeader")
    sbdh = etree.SubElement(header, f"{{{names.SBDH}}}StandardBusinessDocumentHeader", nsmap={"sbdh": names.SBDH})
    etree.SubElement(sbdh, f"{{{names.SBDH}}}HeaderVersion").text = "1.0"
    identification = etree.SubElement(sbdh, f"{{{names.SBDH}}}DocumentIdentification")
    created = str(document.get("creationDate") or "1970-01-01T00:00:00Z")
    for tag, text in (
        ("Standard", "EPCglobal"), ("TypeVersion", "1.0"), ("InstanceIdentifier", "zhuisu-" + created),
        ("Type", "Events"), ("CreationDateAndTime", created),
    ):  # fmt: skip
        etree.SubElement(identification, f"{{{names.SBDH}}}{tag}").text = text
    v2 = etree.fromstring(
        writer.write_document({"@context": ns_context(ns), "epcisHeader": {"epcisMasterData": master}})
    )
    _sub(_sub(header, "extension"), "EPCISMasterData").extend(v2.findall("EPCISHeader/extension/EPCISMasterData/*"))


def ns_context(ns: writer.Namespaces) -> list[dict[str, str]]:
    """The prefixes of ``ns`` as a JSON-LD ``@context``, for writing a part of a document with ``writer``."""
    return [dict(ns.by_prefix)]


def write_document(document: Mapping[str, Any]) -> Written:
    """A JSON-LD ``EPCISDocument`` (or ``EPCISQueryDocument``) as EPCIS 1.2 XML."""
    body = document.get("epcisBody") or {}
    if document.get("type") == "EPCISQueryDocument":
        results = body.get("queryResults") or {}
        events = (results.get("resultsBody") or {}).get("eventList") or []
        return query_document(
            str(results.get("queryName", "")), events, document.get("@context"),
            subscription_id=results.get("subscriptionID"), creation_date=document.get("creationDate"),
        )  # fmt: skip
    ns = writer.Namespaces(document.get("@context"))
    warnings: list[str] = []
    root = _root("EPCISDocument", names.EPCIS_1, "epcis", document.get("creationDate"))
    master = (document.get("epcisHeader") or {}).get("epcisMasterData")
    if master:
        _header(root, document, master, ns)
    event_list = _sub(_sub(root, "EPCISBody"), "EventList")
    for event in body.get("eventList") or ():
        write_event(event_list, event, ns, warnings)
    return _finish(root, ns, warnings)


def query_document(
    query_name: str,
    events: Sequence[Mapping[str, Any]],
    context: Any,
    *,
    subscription_id: str | None = None,
    creation_date: str | None = None,
) -> Written:
    """Query results as an EPCIS 1.2 XML ``EPCISQueryDocument``."""
    ns = writer.Namespaces(context)
    warnings: list[str] = []
    root = _root("EPCISQueryDocument", names.QUERY_1, "epcisq", creation_date)
    results = etree.SubElement(_sub(root, "EPCISBody"), f"{{{names.QUERY_1}}}QueryResults")
    _sub(results, "queryName").text = query_name
    if subscription_id:
        _sub(results, "subscriptionID").text = subscription_id
    event_list = _sub(_sub(results, "resultsBody"), "EventList")
    for event in events:
        event_ns = writer.Namespaces(event["@context"]) if "@context" in event else ns
        write_event(event_list, event, event_ns, warnings)
        ns.used.update(event_ns.used)
    return _finish(root, ns, warnings)
