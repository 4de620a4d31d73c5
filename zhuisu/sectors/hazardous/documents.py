"""What a hazardous goods event says, read from its EPCIS body (pure: no database).

The vocabulary (``docs/hazardous.md``): the buyer of a sale is the ``destinationList`` entry of type
``owning_party``; the permits it names are ``bizTransactionList`` entries of type
``https://zhuisu.cn/voc/BTT-permit`` and its electronic waybill one of type ``https://zhuisu.cn/voc/BTT-e_waybill``,
each valued ``urn:zhuisu:permit:{number}`` / ``urn:zhuisu:e_waybill:{number}`` (any URN or URI: the number is
what follows the last ``:``); the buyer's agent is ``zs:buyerIdentity`` (the keyed hash the node returned when the
identity was registered); the witnesses of a destruction are ``zs:witnesses`` (a list of ``{"name", "role"}``).
"""

from collections.abc import Mapping
from typing import Any

from zhuisu.catalog.elements import member
from zhuisu.epcis.identifiers import canonical_id

ZS = "https://zhuisu.cn/ns/epcis/"
BTT = "https://zhuisu.cn/voc/BTT-"
PERMIT = BTT + "permit"
WAYBILL = BTT + "e_waybill"
GTIN_PREFIX = "https://id.gs1.org/01/"
SALE_STEPS = ("shipping", "retail_selling")
RECEIVED_STEPS = ("receiving", "commissioning")
ISSUED_STEPS = ("shipping", "retail_selling")
DESTROYED_STEPS = ("destroying",)
COUNT_STEPS = ("cycle_counting", "stock_taking")


def extension(event: Mapping[str, Any], name: str) -> Any:
    """An extension of the zhuisu namespace, under its ``zs:`` prefix or its full IRI (the stored events are read
    without their ``@context``)."""
    return member(event, ZS + name, {"zs": ZS})


def number_of(value: str) -> str:
    """The document number a bizTransaction value carries.

    >>> number_of("urn:zhuisu:permit:GD-2026-001"), number_of("https://example.com/waybill/W1"), number_of("X")
    ('GD-2026-001', 'W1', 'X')
    """
    value = value.strip().rstrip("/")
    return value.rsplit(":", 1)[-1].rsplit("/", 1)[-1] if ("/" in value or ":" in value) else value


def document_numbers(event: Mapping[str, Any], kind: str) -> list[str]:
    """The numbers of the bizTransactions of ``kind`` (``PERMIT``, ``WAYBILL``) the event names, in order."""
    found = []
    for entry in event.get("bizTransactionList") or ():
        if isinstance(entry, Mapping) and entry.get("type") in (kind, kind.removeprefix(BTT)):
            value = entry.get("bizTransaction")
            if isinstance(value, str) and value.strip():
                found.append(number_of(value))
    return found


def party_of(event: Mapping[str, Any], member: str = "destinationList") -> str | None:
    """The owning party a ``sourceList``/``destinationList`` names (canonical), if any."""
    key = "destination" if member == "destinationList" else "source"
    for entry in event.get(member) or ():
        if isinstance(entry, Mapping) and entry.get("type") in ("owning_party", "urn:epcglobal:cbv:sdt:owning_party"):
            value = entry.get(key)
            if isinstance(value, str):
                return canonical_id(value)
    return None


def quantities(event: Mapping[str, Any]) -> list[tuple[str, float, str]]:
    """(epcClass canonical, quantity, uom) of its ``quantityList``; a missing uom is ``""``."""
    found = []
    for element in event.get("quantityList") or ():
        if isinstance(element, Mapping) and isinstance(element.get("quantity"), int | float):
            found.append(
                (canonical_id(str(element["epcClass"])), float(element["quantity"]), str(element.get("uom") or ""))
            )
    return found


def gtin_of(code: str) -> str | None:
    """The GTIN-14 of a canonical Digital Link.

    >>> gtin_of("https://id.gs1.org/01/06901234000018/10/L1"), gtin_of("https://id.gs1.org/414/6901234000016")
    ('06901234000018', None)
    """
    return code[len(GTIN_PREFIX) : len(GTIN_PREFIX) + 14] if code.startswith(GTIN_PREFIX) else None


def witnesses(event: Mapping[str, Any]) -> list[dict[str, str]]:
    """The named witnesses of a destruction."""
    found = extension(event, "witnesses")
    if not isinstance(found, list):
        return []
    return [
        {"name": str(w.get("name", "")).strip(), "role": str(w.get("role", "")).strip()}
        for w in found
        if isinstance(w, Mapping) and str(w.get("name", "")).strip()
    ]
