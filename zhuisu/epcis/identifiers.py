"""The identifiers an EPCIS event names, by the lists that name them, in canonical form (``zhuisu.codes.canonical``),
so a query in either form finds the event; and CBV values in web-URI or URN form as their bare words."""

import re
from typing import Any

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
