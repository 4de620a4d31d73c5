"""What a store keeps beside an event's body for queries: its indexed fields and the codes it names, derived from
the body alone — by capture when it stores the event, and by ``zhuisu ledger verify`` to find a row or an index
entry changed behind the body's back (the body is what the log commits to; queries, trace and the product page
read these).

>>> fields = indexed_fields({"type": "ObjectEvent", "eventTime": "2026-03-01T08:00:00+08:00", "action": "ADD",
...     "bizStep": "urn:epcglobal:cbv:bizstep:shipping", "readPoint": {"id": "urn:epc:id:sgln:6901234.00001.0"}})
>>> fields["event_time"].isoformat(), fields["biz_step"], fields["read_point"]
('2026-03-01T00:00:00+00:00', 'shipping', 'https://id.gs1.org/414/6901234000016')
>>> indexed_codes({"epcList": ["urn:epc:id:sgtin:6901234.012345.1"]})
[('epc', 'https://id.gs1.org/01/06901234123456/21/1', None, None)]
"""

from collections.abc import Mapping
from typing import Any

from zhuisu.codes.canonical import canonical_id
from zhuisu.epcis.identifiers import EPC_LISTS, QUANTITY_LISTS, cbv_short
from zhuisu.kit.time import parse_iso

#: The columns ``indexed_fields`` gives, in the events table's names.
FIELDS = (
    "type",
    "event_time",
    "event_time_zone_offset",
    "action",
    "biz_step",
    "disposition",
    "read_point",
    "biz_location",
    "has_error_declaration",
)

#: (role, canonical code, quantity, unit of measure) of one code an event names.
Indexed = tuple[str, str, float | None, str | None]


def indexed_fields(event: Mapping[str, Any]) -> dict[str, Any]:
    """The indexed fields of a (validated) event, keyed as ``FIELDS``."""
    return {
        "type": event["type"],
        "event_time": parse_iso(event["eventTime"]),
        "event_time_zone_offset": event.get("eventTimeZoneOffset", "+00:00"),
        "action": event.get("action"),
        "biz_step": cbv_short(event.get("bizStep")),
        "disposition": cbv_short(event.get("disposition")),
        "read_point": location_id(event.get("readPoint")),
        "biz_location": location_id(event.get("bizLocation")),
        "has_error_declaration": "errorDeclaration" in event,
    }


def location_id(value: Any) -> str | None:
    if isinstance(value, dict) and isinstance(value.get("id"), str):
        return canonical_id(value["id"])
    return None


def indexed_codes(event: Mapping[str, Any]) -> list[Indexed]:
    """Every code a (validated) event names, with its role, in the order the event names them."""
    found: list[Indexed] = []
    for key, role in EPC_LISTS.items():
        found.extend((role, canonical_id(epc), None, None) for epc in event.get(key) or ())
    parent = event.get("parentID")
    if isinstance(parent, str):
        found.append(("parent", canonical_id(parent), None, None))
    for key, role in QUANTITY_LISTS.items():
        for element in event.get(key) or ():
            found.append((role, canonical_id(element["epcClass"]), element.get("quantity"), element.get("uom")))
    return found
