"""Identifier and vocabulary forms of query responses: the ``GS1-EPC-Format`` and ``GS1-CBV-XML-Format`` headers
of the GS1 EPCIS 2.0 REST binding.

Events are stored as captured (the index holds canonical Digital Link forms, so a query in either form finds
them). On the way out, ``GS1-EPC-Format`` picks the form of the EPCs, EPC classes, locations, sources,
destinations and sensor device IDs:

* ``Always_GS1_Digital_Link`` — EPC URNs become canonical GS1 Digital Link URIs (``https://id.gs1.org/…``);
* ``Always_EPC_URN`` — GS1 Digital Link URIs become EPC URNs, using the GS1 Company Prefix length table
  (``codes.epc_translate``); when an identifier has no URN form or its company prefix length is unknown, the
  answer is 406 ``NotAcceptableException`` naming the identifier and the reason, since a URN was demanded;
* ``Never_Translates`` — identifiers as captured;
* ``No_Preference`` — the server's choice: as captured. This is also what an absent header means here (the
  binding's text names ``Always_GS1_Digital_Link`` as the default; we keep what the capturing party sent unless
  asked, so a partner that captured URNs reads back URNs — ``DEFAULT_EPC_FORMAT`` is the one place to change it).

``GS1-CBV-XML-Format`` applies to XML responses only (the binding: "not available for JSON/JSON-LD"):
``Always_Web_URI`` writes standard CBV values as ``https://ref.gs1.org/cbv/BizStep-shipping``, ``Always_URN`` and
``No_Preference`` as ``urn:epcglobal:cbv:bizstep:shipping``; ``Never_Translates`` keeps a URN or web URI as
captured (a bare word, which is how JSON-LD holds standard values and XML cannot, is written as its URN).

An unknown value of either header is refused with 400 naming the header (also on capture, which takes EPCs in
either form and stores them as sent); the value applied is echoed in the response header of the same name.
"""

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from zhuisu.codes import epc_translate
from zhuisu.codes.canonical import canonical_id
from zhuisu.epcis.identifiers import cbv_short
from zhuisu.errors import InvalidInput, ZhuisuError

EPC_FORMAT_HEADER = "GS1-EPC-Format"
CBV_XML_FORMAT_HEADER = "GS1-CBV-XML-Format"
EPC_FORMATS = ("No_Preference", "Always_GS1_Digital_Link", "Always_EPC_URN", "Never_Translates")
CBV_XML_FORMATS = ("No_Preference", "Always_Web_URI", "Always_URN", "Never_Translates")
DEFAULT_EPC_FORMAT = "No_Preference"
DEFAULT_CBV_XML_FORMAT = "No_Preference"
#: What capture accepts, for discovery (OPTIONS): either form, in any mix.
CAPTURE_EPC_FORMAT = "No_Preference"

_EPC_LISTS = ("epcList", "childEPCs", "inputEPCList", "outputEPCList")
_QUANTITY_LISTS = ("quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList")
_PARTY_LISTS = {"sourceList": "source", "destinationList": "destination"}
#: CBV field → (URN prefix, web URI prefix), CBV 2.0 §7 / §8.
_CBV_FORMS = {
    "bizStep": ("urn:epcglobal:cbv:bizstep:", "https://ref.gs1.org/cbv/BizStep-"),
    "disposition": ("urn:epcglobal:cbv:disp:", "https://ref.gs1.org/cbv/Disp-"),
    "bizTransaction": ("urn:epcglobal:cbv:btt:", "https://ref.gs1.org/cbv/BTT-"),
    "source": ("urn:epcglobal:cbv:sdt:", "https://ref.gs1.org/cbv/SDT-"),
    "destination": ("urn:epcglobal:cbv:sdt:", "https://ref.gs1.org/cbv/SDT-"),
    "reason": ("urn:epcglobal:cbv:er:", "https://ref.gs1.org/cbv/ER-"),
}
_TYPED_LISTS = {"bizTransactionList": "bizTransaction", "sourceList": "source", "destinationList": "destination"}

Translate = Callable[[str], str]


class NotAcceptable(ZhuisuError):
    code = "not_acceptable"
    status_code = 406
    problem_type = "epcisException:NotAcceptableException"


@dataclass(frozen=True)
class Formats:
    """The forms a client asked for: ``epc`` (GS1-EPC-Format) and ``cbv_xml`` (GS1-CBV-XML-Format)."""

    epc: str = DEFAULT_EPC_FORMAT
    cbv_xml: str = DEFAULT_CBV_XML_FORMAT


def _choice(headers: Mapping[str, str], name: str, allowed: tuple[str, ...], default: str) -> str:
    value = headers.get(name)
    if value is None:
        return default
    value = value.strip()
    if value not in allowed:
        raise InvalidInput(
            f"请求头 {name} 的值 {value!r} 无效，应为以下之一：{'、'.join(allowed)}",
            message_en=f"header {name}={value!r} is invalid: expected one of {', '.join(allowed)}",
            header=name,
        )
    return value


def negotiate(headers: Mapping[str, str]) -> Formats:
    """The formats the request headers ask for (defaults when absent); 400 naming the header when one is unknown."""
    return Formats(
        _choice(headers, EPC_FORMAT_HEADER, EPC_FORMATS, DEFAULT_EPC_FORMAT),
        _choice(headers, CBV_XML_FORMAT_HEADER, CBV_XML_FORMATS, DEFAULT_CBV_XML_FORMAT),
    )


def response_headers(formats: Formats, *, xml: bool) -> dict[str, str]:
    """The headers that say which forms a response uses."""
    headers = {EPC_FORMAT_HEADER: formats.epc}
    if xml:
        headers[CBV_XML_FORMAT_HEADER] = formats.cbv_xml
    return headers


def to_digital_link(value: str) -> str:
    """An EPC URN as its canonical GS1 Digital Link URI; anything else unchanged."""
    return canonical_id(value) if value.startswith("urn:epc:") else value


def to_epc_urn(value: str) -> str:
    """A GS1 Digital Link URI as its EPC URN (406 when it has none); anything else unchanged."""
    if not epc_translate.is_digital_link(value):
        return value
    try:
        return epc_translate.to_epc_urn(canonical_id(value))
    except epc_translate.Untranslatable as exc:
        raise NotAcceptable(
            f"无法按 {EPC_FORMAT_HEADER}: Always_EPC_URN 给出 {value} 的 EPC URN：{exc.reason_zh}",
            message_en=f"cannot give {value} as an EPC URN ({EPC_FORMAT_HEADER}: Always_EPC_URN): {exc.reason}",
            identifier=value,
            header=EPC_FORMAT_HEADER,
        ) from None


def apply(document: dict[str, Any], formats: Formats, *, xml: bool) -> dict[str, Any]:
    """``document`` (an EPCISQueryDocument just built) with its events in the requested forms; changes its event
    list in place and copies what it changes inside events, so stored bodies are never touched."""
    translate = {"Always_GS1_Digital_Link": to_digital_link, "Always_EPC_URN": to_epc_urn}.get(formats.epc)
    cbv = xml and formats.cbv_xml != "Never_Translates"
    web = formats.cbv_xml == "Always_Web_URI"
    if translate is None and not cbv:
        return document
    results = (document.get("epcisBody") or {}).get("queryResults") or {}
    events = (results.get("resultsBody") or {}).get("eventList")
    if not isinstance(events, list):
        return document
    for index, event in enumerate(events):
        if isinstance(event, dict):
            if translate is not None:
                event = translate_identifiers(event, translate)
            events[index] = cbv_forms(event, web=web) if cbv else event
    return document


def to_epc_urn_or_same(value: str) -> str:
    """A GS1 Digital Link URI as its EPC URN, or ``value`` unchanged when it has none (for outputs that cannot
    answer 406: EPCIS 1.2 XML, subscription notifications)."""
    try:
        return to_epc_urn(value)
    except NotAcceptable:
        return value


def translate_identifiers(event: Mapping[str, Any], translate: Translate) -> dict[str, Any]:
    """A copy of ``event`` with ``translate`` applied to every identifier field (EPCIS 2.0 §7.3)."""
    out = dict(event)
    for name in _EPC_LISTS:
        if isinstance(out.get(name), list):
            out[name] = [translate(v) if isinstance(v, str) else v for v in out[name]]
    if isinstance(out.get("parentID"), str):
        out["parentID"] = translate(out["parentID"])
    for name in _QUANTITY_LISTS:
        if isinstance(out.get(name), list):
            out[name] = [_member(q, "epcClass", translate) for q in out[name]]
    for name in ("readPoint", "bizLocation"):
        if name in out:
            out[name] = _member(out[name], "id", translate)
    for name, member in _PARTY_LISTS.items():
        if isinstance(out.get(name), list):
            out[name] = [_member(item, member, translate) for item in out[name]]
    if isinstance(out.get("sensorElementList"), list):
        out["sensorElementList"] = [_sensor(s, translate) for s in out["sensorElementList"]]
    return out


def _member(item: Any, key: str, translate: Translate) -> Any:
    if isinstance(item, Mapping) and isinstance(item.get(key), str):
        return {**item, key: translate(item[key])}
    return item


def _sensor(sensor: Any, translate: Translate) -> Any:
    if not isinstance(sensor, Mapping):
        return sensor
    out = dict(sensor)
    if "sensorMetadata" in out:
        out["sensorMetadata"] = _member(out["sensorMetadata"], "deviceID", translate)
    if isinstance(out.get("sensorReport"), list):
        out["sensorReport"] = [_member(r, "deviceID", translate) for r in out["sensorReport"]]
    return out


def cbv_value(field: str, value: str, *, web: bool) -> str:
    """A standard CBV value (bare word, URN or web URI) in URN or web URI form; other values unchanged.

    >>> cbv_value("bizStep", "shipping", web=True)
    'https://ref.gs1.org/cbv/BizStep-shipping'
    >>> cbv_value("disposition", "https://ref.gs1.org/cbv/Disp-active", web=False)
    'urn:epcglobal:cbv:disp:active'
    >>> cbv_value("bizStep", "https://example.org/steps/x", web=True)
    'https://example.org/steps/x'
    """
    word = cbv_short(value)
    if not word or ":" in word:
        return value
    urn, uri = _CBV_FORMS[field]
    return (uri if web else urn) + word


def cbv_forms(event: Mapping[str, Any], *, web: bool) -> dict[str, Any]:
    """A copy of ``event`` with its standard CBV values as web URIs (``web``) or URNs."""
    out = dict(event)
    for name in ("bizStep", "disposition"):
        if isinstance(out.get(name), str):
            out[name] = cbv_value(name, out[name], web=web)
    for name, field in _TYPED_LISTS.items():
        if isinstance(out.get(name), list):
            out[name] = [
                {**item, "type": cbv_value(field, item["type"], web=web)}
                if isinstance(item, Mapping) and isinstance(item.get("type"), str)
                else item
                for item in out[name]
            ]
    declaration = out.get("errorDeclaration")
    if isinstance(declaration, Mapping) and isinstance(declaration.get("reason"), str):
        out["errorDeclaration"] = {**declaration, "reason": cbv_value("reason", declaration["reason"], web=web)}
    persistent = out.get("persistentDisposition")
    if isinstance(persistent, Mapping):
        out["persistentDisposition"] = {
            k: [cbv_value("disposition", d, web=web) if isinstance(d, str) else d for d in v]
            if isinstance(v, list)
            else v
            for k, v in persistent.items()
        }
    return out
