"""The EPCIS 2.0 event as zhuisu carries it: the JSON-LD object of the GS1 EPCIS 2.0 JSON binding (EPCIS 2.0 §7,
``epcis-context.jsonld``), and the names of its members.

An event stays the object it was captured as, not a class built from it: its CBV 2.0 event hash, its ledger leaf
and every output binding (JSON-LD, XML 2.0 and 1.2) are computed from exactly what was sent, and user extensions
(any namespaced member, at any depth) are part of the event. A ``TypedDict`` cannot hold those extension members
(PEP 728 is not in Python 3.11's typing), and converting 100,000 events per capture to objects and back would cost
the hot path for nothing. ``EPCISEvent`` names the type everywhere an event is passed; the member names below are
the standard's, the one place they are spelled.
"""

from typing import Any, Final, TypeAlias

#: One EPCIS 2.0 event in the JSON-LD binding (validated by ``zhuisu.epcis.validation`` before it is stored).
EPCISEvent: TypeAlias = dict[str, Any]

EVENT_TYPES: Final = ("ObjectEvent", "AggregationEvent", "TransactionEvent", "TransformationEvent", "AssociationEvent")
