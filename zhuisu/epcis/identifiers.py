"""Canonical forms of the identifiers events name, so a query in either form finds the event.

EPC pure-identity URNs (``urn:epc:id:sgtin:…``, class URNs ``urn:epc:class:lgtin:…``) become canonical GS1 Digital
Link URIs on ``https://id.gs1.org`` (GS1 Digital Link URI Syntax 1.2 §4.11, EPC Tag Data Standard 2.0); Digital Link
URIs on any domain are moved to ``https://id.gs1.org`` without their query string; CBV values in web-URI or URN form
become their bare words. Identifiers of other schemes are kept as given (异构识别: foreign codes are never rejected).
"""

import re
from functools import lru_cache
from typing import Any
from urllib.parse import unquote

from zhuisu.codes import epc_urn

_DL_RE = re.compile(
    r"^https?://[^/?#]+((?:/[^/?#]+)*?/(?:00|01|253|255|401|402|414|417|8003|8004|8006|8010|8017|8018)/[^?#]*)(?:[?#].*)?$"
)
_NEEDS_ENCODING = re.compile(r"[%!\"&()*+,:<>]")
_CBV_URI_RE = re.compile(r"^(?:https?://ref\.gs1\.org/cbv/[A-Za-z]+-|urn:epcglobal:cbv:[a-z]+:)([A-Za-z0-9_]+)$")


@lru_cache(maxsize=65536)
def canonical_id(value: str) -> str:
    """The canonical form of an EPC, EPC class or location identifier.

    >>> canonical_id("urn:epc:id:sgtin:0614141.107346.2017")
    'https://id.gs1.org/01/10614141073464/21/2017'
    >>> canonical_id("https://example.com/01/09521234543213/21/abc?linkType=all")
    'https://id.gs1.org/01/09521234543213/21/abc'
    >>> canonical_id("https://example.com/01/6921168509256/21/a!b"), canonical_id("urn:epc:id:sgtin:6921168.050925.a!b")
    ('https://id.gs1.org/01/06921168509256/21/a%21b', 'https://id.gs1.org/01/06921168509256/21/a%21b')
    >>> canonical_id("urn:example:lot:ABC-1")
    'urn:example:lot:ABC-1'
    """
    value = value.strip()
    if value.startswith("urn:epc:"):
        try:
            return epc_urn.to_digital_link(value)
        except ValueError:
            return value
    match = _DL_RE.match(value)
    if match:
        return "https://id.gs1.org" + _normalise_path(_strip_dl_prefix(match.group(1)))
    return value


def _strip_dl_prefix(path: str) -> str:
    # A Digital Link may carry a path prefix before the primary key ("/shop/01/…"); the canonical form drops it.
    found = re.search(r"/(?:00|01|253|255|401|402|414|417|8003|8004|8006|8010|8017|8018)/", path)
    return path[found.start() :] if found else path


def _normalise_path(path: str) -> str:
    """GS1 Digital Link 1.2 §4.12: a GTIN-8/12/13 as GTIN-14, and values %-encoded the one canonical way
    (``!`` → ``%21``, ``%2f`` → ``%2F``), so the URI a URN becomes equals the same key written by hand. A trailing
    ``*`` (a MATCH_ prefix pattern) is kept as it is."""
    if path.startswith("/01/"):
        end = path.find("/", 4)
        gtin = path[4:] if end < 0 else path[4:end]
        if len(gtin) in (8, 12, 13) and gtin.isdigit():
            path = "/01/" + gtin.zfill(14) + ("" if end < 0 else path[end:])
    if not _NEEDS_ENCODING.search(path):
        return path
    star = "*" if path.endswith("*") else ""
    segments = (path[:-1] if star else path).split("/")
    return "/".join(epc_urn.percent_encode(unquote(s)) for s in segments) + star


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
    """The canonical codes an event names (its EPC lists, parentID and quantity classes), each once, in order."""
    found: dict[str, None] = {}
    for key in EPC_LISTS:
        for epc in event.get(key) or ():
            found[canonical_id(epc)] = None
    parent = event.get("parentID")
    if isinstance(parent, str):
        found[canonical_id(parent)] = None
    for key in QUANTITY_LISTS:
        for element in event.get(key) or ():
            found[canonical_id(element["epcClass"])] = None
    return list(found)
