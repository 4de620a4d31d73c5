"""The market's words: the units a stall sells in (斤, 公斤, 箱, 件) and the UN/CEFACT codes its events carry, the
zhuisu extension members its events use, and how a client's entry id becomes an eventID."""

import re
import uuid
from dataclasses import dataclass

from zhuisu.kit.i18n import cpair

ZS = "https://zhuisu.cn/ns/epcis/"
CONTEXT: list[object] = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"zs": ZS}]
BTT = "https://zhuisu.cn/voc/BTT-"
COMPLIANCE_CERTIFICATE = BTT + "compliance_certificate"
GTIN_DL = "https://id.gs1.org/01/"
SITE = "https://id.gs1.org/414/"
PARTY = "https://id.gs1.org/417/"
#: The extension members (``zs:`` prefix) market events carry; ``docs/market.md`` has the table.
UNIT_PRICE = "unitPrice"
ENTRY = "marketEntry"
SHIPPING_EVENT = "shippingEvent"
RECEIPT = "receipt"
ORIGIN = "origin"
CERTIFICATE = "complianceCertificate"
SUPPLIER_NAME = "supplierName"
CURRENCY = "CNY"
#: The steps a stall's ledger counts: in (purchases), out (sales; and what it ships on or destroys).
PURCHASE_STEPS = ("receiving",)
SALE_STEPS = ("retail_selling",)
OUT_STEPS = ("retail_selling", "shipping", "destroying")


@dataclass(frozen=True)
class Unit:
    """A unit a stall counts in: its key (the API's), the UN/CEFACT code events carry, and how many of that code one
    of it is (a 斤 is half a kilogram: events carry 0.5 KGM per 斤)."""

    key: str
    uom: str
    factor: float
    label: tuple[str, str]


UNITS: dict[str, Unit] = {
    "jin": Unit("jin", "KGM", 0.5, cpair("market unit", "jin (500 g)")),
    "kg": Unit("kg", "KGM", 1.0, cpair("market unit", "kg")),
    "box": Unit("box", "XBX", 1.0, cpair("market unit", "box")),
    "piece": Unit("piece", "H87", 1.0, cpair("market unit", "piece")),
}
#: What a stall may type instead of a key: the Chinese names and the UN/CEFACT codes.
ALIASES = {
    "斤": "jin",
    "公斤": "kg",
    "千克": "kg",
    "箱": "box",
    "件": "piece",
    "KGM": "kg",
    "XBX": "box",
    "H87": "piece",
}
#: The unit a quantity of a UN/CEFACT code is shown in when an event names no market unit.
BY_UOM = {"KGM": "kg", "XBX": "box", "H87": "piece"}


def unit_of(text: str) -> Unit | None:
    """The unit a key, a Chinese name or a UN/CEFACT code names; None when none.

    >>> unit_of("斤").uom, unit_of("jin").factor, unit_of("XBX").key, unit_of("两")
    ('KGM', 0.5, 'box', None)
    """
    key = text.strip()
    return UNITS.get(key) or UNITS.get(ALIASES.get(key, ALIASES.get(key.upper(), "")))


CLIENT_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


def event_id(party_id: str, kind: str, client_id: str) -> str:
    """The eventID of a stall's entry: a name-based UUID of the party, the kind and the id its phone gave the entry,
    so the same entry sent again is the same event (capture stores it once).

    >>> event_id("p1", "purchase", "c-00000001") == event_id("p1", "purchase", "c-00000001")
    True
    >>> event_id("p1", "purchase", "c-00000001") == event_id("p2", "purchase", "c-00000001")
    False
    """
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{ZS}market/{party_id}/{kind}/{client_id}')}"
