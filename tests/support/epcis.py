"""Helpers for tests that capture and read back EPCIS documents."""

import json
from pathlib import Path
from typing import Any

DATA = Path(__file__).parent.parent / "data"
EXAMPLES = sorted((DATA / "epcis" / "JSON").rglob("*.jsonld"))


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def events_of(doc: dict[str, Any]) -> list[dict[str, Any]]:
    return list(doc["epcisBody"]["eventList"])


def returned_events(query_doc: dict[str, Any]) -> list[dict[str, Any]]:
    return list(query_doc["epcisBody"]["queryResults"]["resultsBody"]["eventList"])


def without_record_time(event: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in event.items() if k != "recordTime"}


def document(*events: dict[str, Any], context: Any = None) -> dict[str, Any]:
    return {
        "@context": context or ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-01-01T00:00:00Z",
        "epcisBody": {"eventList": list(events)},
    }


def object_event(n: int, **overrides: Any) -> dict[str, Any]:
    """A valid ObjectEvent, distinct for each ``n``."""
    event: dict[str, Any] = {
        "type": "ObjectEvent",
        "eventTime": f"2026-03-01T08:{n // 60 % 60:02d}:{n % 60:02d}.000+08:00",
        "eventTimeZoneOffset": "+08:00",
        "action": "OBSERVE",
        "epcList": [f"urn:epc:id:sgtin:6901234.012345.{n}"],
        "bizStep": "shipping",
        "disposition": "in_transit",
        "readPoint": {"id": "urn:epc:id:sgln:6901234.00001.0"},
    }
    event.update(overrides)
    return event
