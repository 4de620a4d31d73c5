"""Write large synthetic EPCIS documents to disk, streamed, for import tests and benchmarks."""

import json
from pathlib import Path

from tests.support.epcis import object_event

CONTEXT = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"]


def write_events(path: Path, count: int, *, start: int = 0, broken_at: int | None = None) -> Path:
    """A document of ``count`` distinct valid ObjectEvents; ``broken_at`` makes that one's action invalid."""
    with path.open("w", encoding="utf-8") as fp:
        fp.write(
            '{"@context": ' + json.dumps(CONTEXT) + ', "type": "EPCISDocument", "schemaVersion": "2.0", '
            '"creationDate": "2026-01-01T00:00:00Z", "epcisBody": {"eventList": [\n'
        )
        for i in range(start, start + count):
            event = object_event(
                i,
                eventTime=f"2026-03-01T{i // 3600 % 24:02d}:{i // 60 % 60:02d}:{i % 60:02d}.{i % 1000:03d}+08:00",
            )
            if i == broken_at:
                event["action"] = "UPDATE"
            fp.write(("" if i == start else ",\n") + json.dumps(event))
        fp.write("\n]}}\n")
    return path
