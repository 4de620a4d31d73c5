"""The stored event: one EPCIS event as this node keeps it, the one type every domain passes around.

Capture builds it for the events it has just written; readers (the ledger, the trace graph, the catalog's flags,
the portal, subscriptions and exports) take it. The event itself
stays the JSON-LD object it was captured as (``zhuisu.epcis.model.EPCISEvent``), because that is what its hash,
its ledger leaf and every output binding are computed from.
"""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from zhuisu.epcis.model import EPCISEvent


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event with what the node recorded about it.

    ``pk`` is the arrival order (the ledger gives leaves in pk order), ``hash`` the CBV 2.0 event hash,
    ``record_time`` the node's (EPCIS 2.0 §7.4.1: the client's is not kept), ``recorder_id`` the party whose token
    captured it, ``context`` the JSON-LD ``@context`` it was captured with (None for a row read back without it),
    ``origin`` the provenance a child node sent with it (``capture.service.PROVENANCE``; None: recorded here).
    """

    pk: int
    event_id: str
    hash: str
    record_time: datetime
    recorder_id: str
    event: EPCISEvent
    context: Any = None
    origin: dict[str, Any] | None = None
