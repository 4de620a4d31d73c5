"""Whether an EPCIS event carries a data element: the locators a catalog element lists, evaluated on the event.

Locators (any one present is enough):

- ``{"path": "bizLocation.id"}``: a dotted path to a non-empty value;
- ``{"bizTransaction": "po"}``: a business transaction of that type (CBV types in any form; others as full URIs);
- ``{"ilmd": "origin", "ns": "https://zhuisu.cn/ns/epcis/"}``: an ILMD key in a namespace, whatever prefix the
  document's ``@context`` binds to it (or the full IRI as key); ``{"extension": …}`` the same for a top-level
  extension field;
- ``{"code": "drug-trace-code"}``: an identifier the event names (EPC lists, quantities, parent) in that code scheme;
- ``{"gs1": "lot" | "serial" | "expiry" | "production_date" | "sscc"}``: a GS1 identifier carrying that key
  qualifier or data attribute (AI 10, 21, 17, 11), or an SSCC (AI 00): a logistic unit whose contents packing
  events record.
"""

import re
from functools import lru_cache
from typing import Any

from zhuisu.codes import registry
from zhuisu.codes.canonical import canonical_id
from zhuisu.codes.recognize import recognize
from zhuisu.epcis.identifiers import cbv_short

#: Prefixes the EPCIS 2.0 standard context defines, used when a document does not rebind them.
STANDARD_PREFIXES = {"cbvmda": "urn:epcglobal:cbv:mda:", "gs1": "https://gs1.org/voc/"}
_ID_LISTS = ("epcList", "childEPCs", "inputEPCList", "outputEPCList")
_QTY_LISTS = ("quantityList", "childQuantityList", "inputQuantityList", "outputQuantityList")
_GS1_AI = {"lot": "10", "serial": "21", "expiry": "17", "production_date": "11", "sscc": "00"}


def prefixes(context: Any) -> dict[str, str]:
    """Prefix → namespace IRI bindings of a JSON-LD ``@context`` (string entries are remote contexts)."""
    bound = dict(STANDARD_PREFIXES)
    for entry in context if isinstance(context, list) else [context]:
        if isinstance(entry, dict):
            bound.update({k: v for k, v in entry.items() if isinstance(v, str) and not k.startswith("@")})
    return bound


def identifiers(event: dict[str, Any]) -> list[str]:
    """Every identifier of what the event is about, as given."""
    out: list[str] = []
    for key in _ID_LISTS:
        out.extend(v for v in event.get(key) or () if isinstance(v, str))
    for key in _QTY_LISTS:
        out.extend(
            q["epcClass"] for q in event.get(key) or () if isinstance(q, dict) and isinstance(q.get("epcClass"), str)
        )
    if isinstance(event.get("parentID"), str):
        out.append(event["parentID"])
    return out


@lru_cache(maxsize=65536)
def scheme_of(value: str) -> tuple[str, str, dict[str, Any]]:
    """The code scheme of an identifier, its canonical value and decoded parts (``unknown`` when none fits)."""
    if value.startswith("urn:epc:") or "id.gs1.org" in value:
        return "gs1", value, {}
    found = recognize(value)
    if not found.valid:
        return "unknown", value, {}
    others = [c for c in found.candidates if c != "sscc"]
    if found.scheme == "sscc" and others:
        # An SSCC in an event is a GS1 key (``urn:epc:id:sscc:`` or a Digital Link ``/00/``, taken above); 18 digits
        # written any other way that are also a well-formed 特种设备代码 are the equipment's code.
        if registry.is_valid(others[0], found.value):
            carrier = {k: v for k, v in found.parts.items() if k in ("carrier", "url")}
            return others[0], found.value, {**registry.parts(others[0], found.value), **carrier}
    return found.scheme, found.value, dict(found.parts)


def _expand(key: str, bound: dict[str, str]) -> str:
    prefix, sep, local = key.partition(":")
    if sep and prefix in bound and not local.startswith("//"):
        return bound[prefix] + local
    return key


def _has_key(mapping: Any, iri: str, bound: dict[str, str]) -> bool:
    if not isinstance(mapping, dict):
        return False
    return any(_expand(k, bound) == iri and _present(v) for k, v in mapping.items())


def member(mapping: Any, iri: str, bound: dict[str, str]) -> Any:
    """The value of the member of ``mapping`` (an event, its ILMD) whose key is ``iri`` once the document's prefixes
    (``bound``, from ``prefixes``) expand it; None when there is none.

    >>> member({"x:result": "合格"}, "https://zhuisu.cn/ns/epcis/result", {"x": "https://zhuisu.cn/ns/epcis/"})
    '合格'
    """
    if not isinstance(mapping, dict):
        return None
    return next((v for k, v in mapping.items() if _expand(k, bound) == iri), None)


def _present(value: Any) -> bool:
    return value is not None and value != "" and value != [] and value != {}


def _path(event: dict[str, Any], path: str) -> bool:
    value: Any = event
    for part in path.split("."):
        if not isinstance(value, dict):
            return False
        value = value.get(part)
    return _present(value)


def _biz_transaction(event: dict[str, Any], wanted: str) -> bool:
    target = cbv_short(wanted)
    return any(
        isinstance(t, dict) and _present(t.get("bizTransaction")) and cbv_short(str(t.get("type", ""))) == target
        for t in event.get("bizTransactionList") or ()
    )


def _gs1(ids: list[str], qualifier: str) -> bool:
    ai = _GS1_AI[qualifier]
    pattern = re.compile(rf"(/{ai}/[^/?#]+|[?&]{ai}=[^&#]+)")
    for value in ids:
        if value.startswith("urn:epc:") and qualifier in ("lot", "serial", "sscc"):
            kind = value.split(":")[3] if value.count(":") >= 4 else ""
            if (qualifier, kind) in (("lot", "lgtin"), ("serial", "sgtin"), ("sscc", "sscc")):
                return True
        elif pattern.search(value) or pattern.search(canonical_id(value)):
            return True
    return False


def carries(event: dict[str, Any], locators: tuple[dict[str, str], ...], bound: dict[str, str]) -> bool:
    """Whether ``event`` carries the element any of ``locators`` points at."""
    ids: list[str] | None = None
    for loc in locators:
        if "path" in loc and _path(event, loc["path"]):
            return True
        if "bizTransaction" in loc and _biz_transaction(event, loc["bizTransaction"]):
            return True
        if "ilmd" in loc and _has_key(event.get("ilmd"), loc.get("ns", "") + loc["ilmd"], bound):
            return True
        if "extension" in loc and _has_key(event, loc.get("ns", "") + loc["extension"], bound):
            return True
        if "code" in loc or "gs1" in loc:
            ids = identifiers(event) if ids is None else ids
            if "code" in loc and any(scheme_of(v)[0] == loc["code"] for v in ids):
                return True
            if "gs1" in loc and loc["gs1"] in _GS1_AI and _gs1(ids, loc["gs1"]):
                return True
    return False
