"""The import lots' vocabulary and what their events say (pure: no database).

An import lot's events name its customs declaration (报关单号) as a bizTransaction of type
``https://zhuisu.cn/voc/BTT-customs_declaration`` (``urn:zhuisu:customs_declaration:{number}``), its entry inspection
and quarantine certificate (入境货物检验检疫证明 / 卫生证书) as one of type ``BTT-entry_inspection_certificate``
(``urn:zhuisu:entry_inspection_certificate:{number}``) and a cross-border e-commerce order (跨境电商订单) as one of
type ``BTT-cbec_order`` (``urn:zhuisu:cbec_order:{number}``) — the types of the catalog's data elements
``customs_declaration`` and ``entry_inspection_certificate``. The country of origin is the CBV 2.0 master data
attribute ``cbvmda:countryOfOrigin`` (ISO 3166-1 alpha-2) in the ILMD of the lot's first event, and
``zs:originCountry`` on its later events (ILMD belongs to the event that creates the lot).
"""

import re
from collections.abc import Mapping
from typing import Any

from zhuisu.epcis.identifiers import canonical_id
from zhuisu.sectors.imports.countries import countries

ZS = "https://zhuisu.cn/ns/epcis/"
BTT = "https://zhuisu.cn/voc/BTT-"
DECLARATION = BTT + "customs_declaration"
CERTIFICATE = BTT + "entry_inspection_certificate"
ORDER = BTT + "cbec_order"
URN = {DECLARATION: "urn:zhuisu:customs_declaration:", CERTIFICATE: "urn:zhuisu:entry_inspection_certificate:",
       ORDER: "urn:zhuisu:cbec_order:"}  # fmt: skip
#: The bizStep of a certificate registered after the lot's release (a further certificate of a received lot).
CERTIFYING = "https://zhuisu.cn/voc/bizstep/certifying"
SALE_STEPS = ("shipping", "retail_selling")
_DECLARATION = re.compile(r"^[0-9]{18}$")
_DOCUMENT = re.compile(r"^[0-9A-Za-z][0-9A-Za-z-]{0,63}$")


def is_declaration(value: str) -> bool:
    """报关单号: 18 digits (customs code of the declaring port 4, year 4, 1 import/export flag, sequence 9).

    >>> is_declaration("422020261000012345"), is_declaration("4220-2026"), is_declaration("42202026100001234X")
    (True, False, False)
    """
    return bool(_DECLARATION.match(value))


def is_document_number(value: str) -> bool:
    return bool(_DOCUMENT.match(value))


def country_name(code: str, lang: str = "zh") -> str:
    """A country's name (zh-CN or English), else its code.

    >>> country_name("IT"), country_name("FR", "en"), country_name("XX")
    ('意大利', 'France', 'XX')
    """
    names = countries().get(code)
    return code if names is None else names[0 if lang == "zh" else 1]


def number_of(value: str) -> str:
    value = value.strip().rstrip("/")
    return value.rsplit(":", 1)[-1].rsplit("/", 1)[-1] if ("/" in value or ":" in value) else value


def document_numbers(event: Mapping[str, Any], kind: str) -> list[str]:
    """The numbers of the bizTransactions of ``kind`` the event names, in order."""
    found = []
    for entry in event.get("bizTransactionList") or ():
        if isinstance(entry, Mapping) and entry.get("type") in (kind, kind.removeprefix(BTT)):
            value = entry.get("bizTransaction")
            if isinstance(value, str) and value.strip():
                found.append(number_of(value))
    return found


def entry(kind: str, number: str) -> dict[str, str]:
    return {"type": kind, "bizTransaction": URN[kind] + number}


def owning_party(event: Mapping[str, Any], member: str) -> str | None:
    """The owning party a ``sourceList``/``destinationList`` names (canonical), if any."""
    key = "destination" if member == "destinationList" else "source"
    for item in event.get(member) or ():
        if isinstance(item, Mapping) and item.get("type") in ("owning_party", "urn:epcglobal:cbv:sdt:owning_party"):
            value = item.get(key)
            if isinstance(value, str):
                return canonical_id(value)
    return None


def quantity_of(event: Mapping[str, Any], code: str) -> tuple[float, str]:
    """(quantity, uom) the event's ``quantityList`` names of ``code`` (canonical)."""
    total, uom = 0.0, ""
    for element in event.get("quantityList") or ():
        if isinstance(element, Mapping) and canonical_id(str(element.get("epcClass", ""))) == code:
            total += float(element.get("quantity") or 0)
            uom = str(element.get("uom") or uom)
    return round(total, 6), uom
