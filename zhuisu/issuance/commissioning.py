"""The EPCIS 2.0 document recording issued codes: ADD ObjectEvents, bizStep commissioning, disposition active.

Codes go in ``epcList``; a batch larger than ``epc_limit`` is split into several events of at most that many
codes each, so no event is unboundedly large. A lot number goes in the ILMD as ``cbvmda:lotNumber`` (CBV 2.0
master data attribute), which is how EPCIS ties instances to their lot at commissioning.

>>> doc = commissioning_document(["urn:zhuisu:code:A", "urn:zhuisu:code:B", "urn:zhuisu:code:C"],
...                              event_time="2026-01-01T00:00:00.000Z", lot="L1", epc_limit=2)
>>> [e["epcList"] for e in doc["epcisBody"]["eventList"]]
[['urn:zhuisu:code:A', 'urn:zhuisu:code:B'], ['urn:zhuisu:code:C']]
>>> doc["epcisBody"]["eventList"][1]["ilmd"]
{'cbvmda:lotNumber': 'L1'}
"""

from collections.abc import Sequence
from datetime import date
from typing import Any

from zhuisu.codes import zhuisu_code

EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"


def epc_of(code: str) -> str:
    """The URI an event names a code by: Digital Links as they are, ``zhuisu`` codes as ``urn:zhuisu:code:``.

    >>> epc_of("ZS1110105A1B2C30000000001O")
    'urn:zhuisu:code:ZS1110105A1B2C30000000001O'
    """
    return code if code.startswith("https://") else zhuisu_code.URN_PREFIX + code


def commissioning_document(
    epcs: Sequence[str],
    *,
    event_time: str,
    lot: str | None,
    epc_limit: int,
    production_date: date | None = None,
    expiry: date | None = None,
) -> dict[str, Any]:
    """An EPCISDocument commissioning ``epcs``, ``epc_limit`` per event; the lot, production date and expiry date
    as the CBV master data of the instances (ILMD: ``lotNumber``, ``productionDate``, ``itemExpirationDate``)."""
    ilmd = {
        key: value
        for key, value in (
            ("cbvmda:lotNumber", lot),
            ("cbvmda:productionDate", production_date.isoformat() if production_date else None),
            ("cbvmda:itemExpirationDate", expiry.isoformat() if expiry else None),
        )
        if value
    }
    events = [
        _event(list(epcs[start : start + epc_limit]), event_time=event_time, ilmd=ilmd)
        for start in range(0, len(epcs), epc_limit)
    ]
    return {
        "@context": [EPCIS_CONTEXT],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": event_time,
        "epcisBody": {"eventList": events},
    }


def _event(epcs: list[str], *, event_time: str, ilmd: dict[str, str]) -> dict[str, Any]:
    event: dict[str, Any] = {
        "type": "ObjectEvent",
        "eventTime": event_time,
        "eventTimeZoneOffset": "+00:00",
        "epcList": epcs,
        "action": "ADD",
        "bizStep": "commissioning",
        "disposition": "active",
    }
    if ilmd:
        event["ilmd"] = dict(ilmd)
    return event
