"""Scheme name → code module, so that every code can be stored as ``(scheme, value)`` (standards.md §1.3).

Every module except ``epc_urn`` follows the python-stdnum interface (``compact``, ``validate``, ``is_valid``,
``format``, ``parts``); ``validate``/``is_valid``/``parts`` here give the same interface for every scheme, EPC
URNs included (their ``InvalidEpcUrn`` becomes ``InvalidFormat``).

>>> validate('uscc', '9111 0000 6000 3734 1l')
'91110000600037341L'
>>> parts('epc-urn', 'urn:epc:id:sgtin:0614141.107346.2017')['digital_link']
'https://id.gs1.org/01/10614141073464/21/2017'
>>> is_valid('drug-trace-code', '83857930000879766660'), is_valid('unknown', 'anything')
(True, False)
>>> get('isbn')
Traceback (most recent call last):
    ...
zhuisu.codes.errors.UnknownScheme: unknown code scheme 'isbn'
"""

from types import ModuleType
from typing import Any

from zhuisu.codes import (
    detonator_code,
    drug_trace_code,
    epc_urn,
    gln,
    gs1_digital_link,
    gs1_element_string,
    gtin,
    handle,
    pesticide_label_code,
    sc_licence,
    seed_label,
    special_equipment_code,
    sscc,
    unknown,
    uscc,
    vet_drug_code,
    zhuisu_code,
)
from zhuisu.codes.errors import InvalidCode, InvalidFormat, UnknownScheme

UNKNOWN = "unknown"
EPC_URN = "epc-urn"

SCHEMES: dict[str, ModuleType] = {
    "gtin": gtin,
    "sscc": sscc,
    "gln": gln,
    "gs1-element-string": gs1_element_string,
    "gs1-digital-link": gs1_digital_link,
    EPC_URN: epc_urn,
    "uscc": uscc,
    "drug-trace-code": drug_trace_code,
    "vet-drug-code": vet_drug_code,
    "pesticide-label-code": pesticide_label_code,
    "seed-label": seed_label,
    "special-equipment-code": special_equipment_code,
    "detonator-code": detonator_code,
    "sc-licence": sc_licence,
    "handle": handle,
    "zhuisu": zhuisu_code,
    UNKNOWN: unknown,
}


def get(scheme: str) -> ModuleType:
    """The module of a scheme; raises ``UnknownScheme`` for a name not in ``SCHEMES``."""
    try:
        return SCHEMES[scheme]
    except (KeyError, TypeError):
        raise UnknownScheme(scheme) from None


def _parse_epc(value: str) -> epc_urn.EpcUrn:
    try:
        return epc_urn.parse(value)
    except epc_urn.InvalidEpcUrn as exc:
        raise InvalidFormat(str(exc), f"EPC URN 无效：{exc}") from None


def validate(scheme: str, value: str) -> str:
    """The canonical value of ``value`` in ``scheme``; raises an ``InvalidCode`` subclass if not valid."""
    if scheme == EPC_URN:
        return _parse_epc(value).urn
    result: str = get(scheme).validate(value)
    return result


def is_valid(scheme: str, value: str) -> bool:
    try:
        return bool(validate(scheme, value))
    except InvalidCode:
        return False


def parts(scheme: str, value: str) -> dict[str, Any]:
    """The decoded fields of a valid value (JSON-serialisable); raises an ``InvalidCode`` subclass if not."""
    if scheme == EPC_URN:
        urn = _parse_epc(value)
        return {
            "kind": urn.kind,
            "epc_scheme": urn.scheme,
            "company_prefix": urn.company_prefix,
            "fields": list(urn.fields),
            "key_ai": urn.key_ai,
            "key": urn.key,
            "qualifiers": [list(q) for q in urn.qualifiers],
            "digital_link": epc_urn.to_digital_link(value),
        }
    result: dict[str, Any] = get(scheme).parts(value)
    return result
