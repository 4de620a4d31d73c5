"""The identifiers an EPCIS event names, by the lists that name them, in canonical form (``zhuisu.codes.canonical``),
so a query in either form finds the event; the identifiers an event may not name (``refused_identifiers``: those
that claim an EPC or GS1 Digital Link grammar and break it, or do not fit their field, ``zhuisu.codes.epc_check``);
and CBV values in web-URI or URN form as their bare words."""

import re
from typing import Any

from zhuisu.codes import epc_check
from zhuisu.codes.canonical import canonical_id

_CBV_URI_RE = re.compile(r"^(?:https?://ref\.gs1\.org/cbv/[A-Za-z]+-|urn:epcglobal:cbv:[a-z]+:)([A-Za-z0-9_]+)$")


def cbv_short(value: str | None) -> str | None:
    """A CBV vocabulary value as its bare word when it is a standard one (URN or web URI form), else as given.

    >>> cbv_short("urn:epcglobal:cbv:bizstep:shipping"), cbv_short("https://ref.gs1.org/cbv/Disp-in_transit")
    ('shipping', 'in_transit')
    >>> cbv_short("https://example.org/steps/custom")
    'https://example.org/steps/custom'
    """
    if value is None:
        return None
    value = value.strip()
    match = _CBV_URI_RE.match(value)
    return match.group(1) if match else value


#: The lists of an event that name identifiers, by the role they are indexed under (``event_epcs.role``).
EPC_LISTS = {"epcList": "epc", "childEPCs": "child", "inputEPCList": "input", "outputEPCList": "output"}
QUANTITY_LISTS = {
    "quantityList": "quantity",
    "childQuantityList": "child_qty",
    "inputQuantityList": "input_qty",
    "outputQuantityList": "output_qty",
}


def named_codes(event: dict[str, Any]) -> list[str]:
    """The canonical codes an event names (its EPC lists, parentID and quantity classes), each once, in order.
    Members that are not of the standard's shape (never in a stored event: it was validated) name nothing."""
    found: dict[str, None] = {}
    for key in EPC_LISTS:
        for epc in _list(event.get(key)):
            if isinstance(epc, str):
                found[canonical_id(epc)] = None
    parent = event.get("parentID")
    if isinstance(parent, str):
        found[canonical_id(parent)] = None
    for key in QUANTITY_LISTS:
        for element in _list(event.get(key)):
            if isinstance(element, dict) and isinstance(element.get("epcClass"), str):
                found[canonical_id(element["epcClass"])] = None
    return list(found)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


#: The members of an event (or of its objects) that name a location, a party or a transaction, by role.
_PLACES = (("readPoint", epc_check.LOCATION), ("bizLocation", epc_check.LOCATION))
_PARTY_LISTS = (
    ("sourceList", "source", epc_check.PARTY),
    ("destinationList", "destination", epc_check.PARTY),
    ("bizTransactionList", "bizTransaction", epc_check.ANY),
)


def refused_identifiers(event: dict[str, Any], pointer: str) -> list[tuple[str, epc_check.Refusal]]:
    """The identifiers of ``event`` that claim an EPC or GS1 Digital Link grammar and break it, or do not fit their
    field, as (JSON pointer under ``pointer``, why); members not of the standard's shape are the schema's business.

    >>> refused_identifiers({"epcList": ["urn:epc:id:sgtin:0614141.107346.1", "urn:epc:id:sscc:0614141.1"]}, "")
    [('/epcList/1', Refusal(code='invalid_epc_urn', expected='a well-formed urn:epc:id:sscc URN (the company prefix \
and extension/serial reference must have 17 digits, got 8)'))]
    """
    check = epc_check.check
    found: list[tuple[str, epc_check.Refusal]] = []
    for key in EPC_LISTS:
        values = event.get(key)
        if isinstance(values, list):
            for n, value in enumerate(values):
                if isinstance(value, str) and (refusal := check(value, epc_check.INSTANCE)) is not None:
                    found.append((f"{pointer}/{key}/{n}", refusal))
    parent = event.get("parentID")
    if isinstance(parent, str) and (refusal := check(parent, epc_check.INSTANCE)) is not None:
        found.append((f"{pointer}/parentID", refusal))
    for key in QUANTITY_LISTS:
        elements = event.get(key)
        if isinstance(elements, list):
            for n, element in enumerate(elements):
                value = element.get("epcClass") if isinstance(element, dict) else None
                if isinstance(value, str) and (refusal := check(value, epc_check.CLASS)) is not None:
                    found.append((f"{pointer}/{key}/{n}/epcClass", refusal))
    for key, role in _PLACES:
        place = event.get(key)
        value = place.get("id") if isinstance(place, dict) else None
        if isinstance(value, str) and (refusal := check(value, role)) is not None:
            found.append((f"{pointer}/{key}/id", refusal))
    for key, member, role in _PARTY_LISTS:
        elements = event.get(key)
        if isinstance(elements, list):
            for n, element in enumerate(elements):
                value = element.get(member) if isinstance(element, dict) else None
                if isinstance(value, str) and (refusal := check(value, role)) is not None:
                    found.append((f"{pointer}/{key}/{n}/{member}", refusal))
    return found
