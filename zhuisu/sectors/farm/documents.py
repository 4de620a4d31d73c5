"""The farm commitment certificate's vocabulary and what its events say (pure: no database).

The national format of the 承诺达标合格证 (农业农村部): the producer commits, for the edible farm produce it produces
and sells, to the three items of ``COMMITMENTS`` and ticks the basis of the commitment (``BASIS``). A certificate is
named in events as a bizTransaction of type ``https://zhuisu.cn/voc/BTT-compliance_certificate`` (the catalog's
``compliance_certificate`` data element) valued ``urn:zhuisu:compliance_certificate:{number}``; any URI whose last
``:`` or ``/`` segment is the number names it too.
"""

from collections.abc import Mapping
from typing import Any

from zhuisu.epcis.identifiers import canonical_id
from zhuisu.kit.i18n import cpair, pair

ZS = "https://zhuisu.cn/ns/epcis/"
BTT = "https://zhuisu.cn/voc/BTT-"
CERTIFICATE = BTT + "compliance_certificate"
CERTIFICATE_URN = "urn:zhuisu:compliance_certificate:"
#: The lot of a certificate whose produce has neither a GTIN nor a zhuisu lot code: named by the certificate.
FARM_LOT_URN = "urn:zhuisu:farm_lot:"
ZHUISU_CODE_URN = "urn:zhuisu:code:"

#: 我承诺对生产销售的食用农产品： the three items of the national format, in its order.
COMMITMENTS: dict[str, tuple[str, str]] = {
    "no_banned_substances": pair(
        "no banned pesticides or veterinary drugs, withdrawn veterinary drugs or illegal additives used"
    ),
    "residues_within_limits": pair("residues of common pesticides and veterinary drugs within the limits"),
    "truthfulness": pair("responsible for the truth of this commitment"),
}
#: 承诺依据: what the commitment rests on.
BASIS: dict[str, tuple[str, str]] = {
    "entrusted_testing": pair("tested by a commissioned laboratory"),
    "self_testing": pair("own testing"),
    "internal_control": pair("internal quality control"),
    "association_testing": pair("tested by a self-regulatory organisation"),
    "self_commitment": pair("own commitment"),
}
#: The unit written on the certificate → (UN/CEFACT unit of the events, factor to it).
UNITS: dict[str, tuple[str, float]] = {"kg": ("KGM", 1.0), "jin": ("KGM", 0.5), "box": ("BX", 1.0)}
UNIT_NAMES: dict[str, tuple[str, str]] = {
    "kg": cpair("farm unit", "kg"),
    "jin": pair("jin (500 g)"),
    "box": pair("boxes"),
}


def number_of(value: str) -> str:
    """The certificate number a bizTransaction value carries.

    >>> number_of("urn:zhuisu:compliance_certificate:HG-370112-20261201-0001"), number_of("https://x.cn/hg/N1")
    ('HG-370112-20261201-0001', 'N1')
    """
    value = value.strip().rstrip("/")
    return value.rsplit(":", 1)[-1].rsplit("/", 1)[-1] if ("/" in value or ":" in value) else value


def certificate_numbers(event: Mapping[str, Any]) -> list[str]:
    """The numbers of the compliance certificates the event names in its bizTransactionList, in order."""
    found = []
    for entry in event.get("bizTransactionList") or ():
        if isinstance(entry, Mapping) and entry.get("type") in (CERTIFICATE, CERTIFICATE.removeprefix(BTT)):
            value = entry.get("bizTransaction")
            if isinstance(value, str) and value.strip():
                found.append(number_of(value))
    return found


def quantity_of(event: Mapping[str, Any], code: str, uom: str) -> float:
    """What the event's ``quantityList`` names of ``code`` (canonical) in ``uom``."""
    total = 0.0
    for element in event.get("quantityList") or ():
        if (
            isinstance(element, Mapping)
            and isinstance(element.get("quantity"), int | float)
            and canonical_id(str(element.get("epcClass", ""))) == code
            and str(element.get("uom") or "") == uom
        ):
            total += float(element["quantity"])
    return round(total, 6)


def to_event_quantity(quantity: float, unit: str) -> tuple[float, str]:
    """(quantity in the events' unit, that UN/CEFACT unit).

    >>> to_event_quantity(100, "jin"), to_event_quantity(3, "box")
    ((50.0, 'KGM'), (3.0, 'BX'))
    """
    uom, factor = UNITS[unit]
    return round(quantity * factor, 6), uom
