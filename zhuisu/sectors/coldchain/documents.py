"""A logger file's readings as an EPCIS 2.0 document (pure): ObjectEvents, action ``OBSERVE``, one
``sensorElement`` per reading in the shape of the standard's sensor examples (EPCIS 2.0 JSON
``WithSensorData/SensorDataExample1``): ``sensorMetadata`` with the reading's ``time`` and the logger's ``deviceID``,
``sensorReport`` with a ``gs1:Temperature`` report (``value``, ``uom`` ``CEL`` — or ``FAH`` as the logger wrote it)
and, when logged, a ``gs1:RelativeHumidity`` report (``uom`` ``P1``, percent).

What the logger accompanied is the events' ``epcList`` (items, logistic units: SGTIN, SSCC, GIAI …) and
``quantityList`` (a lot or a product class: ``epcClass`` without a quantity); where, their ``readPoint`` and
``bizLocation`` (a site), or — on the road — the shipment's number as a ``bol`` business transaction
(``urn:zhuisu:shipment:{number}``). The bizStep is CBV 2.0 ``sensor_reporting`` unless the leg's own step is given
(``transporting``, ``storing``, ``holding`` …). The file's SHA-256 is the ``zs:loggerFile`` extension, so each event
says which submitted file it came from.

A file becomes one event per ``CHUNK`` readings (in the file's order), each timed at its last reading; the eventIDs
are derived from the importing party and the file's digest, so the same file recorded twice is the same events
(capture stores them once).
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from zhuisu.sectors.coldchain.logfile import LogFile, Row

ZS = "https://zhuisu.cn/ns/epcis/"
EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
CONTEXT: list[Any] = [EPCIS_CONTEXT, {"zs": ZS}]
SITE = "https://id.gs1.org/414/"
SHIPMENT = "urn:zhuisu:shipment:"
DEVICE = "urn:zhuisu:device:"
#: The steps a logger's leg may be recorded under (CBV 2.0 bizStep).
STEPS = ("sensor_reporting", "transporting", "storing", "holding", "loading", "unloading")
CHUNK = 1000
_NAMESPACE = uuid.UUID("5b0f3c36-5a4e-4b0e-9a54-0c6f1d2c7a11")


@dataclass(frozen=True)
class Leg:
    """What the import says about the logger's leg: the codes it accompanied (canonical), the site or the
    shipment, the step."""

    codes: tuple[str, ...]
    location: str | None
    shipment: str | None
    biz_step: str = "sensor_reporting"


def is_class(code: str) -> bool:
    """A lot or product class (a quantityList ``epcClass``), not an instance.

    >>> is_class("https://id.gs1.org/01/06901234567892/10/L1"), is_class("https://id.gs1.org/01/06901234567892")
    (True, True)
    >>> is_class("https://id.gs1.org/01/06901234567892/21/7"), is_class("https://id.gs1.org/00/069012340000000017")
    (False, False)
    """
    return code.startswith("https://id.gs1.org/01/") and "/21/" not in code


def device_uri(device: str) -> str:
    """A device id as a URI (``deviceID``): a URI as it is, else ``urn:zhuisu:device:{id}``.

    >>> device_uri("urn:epc:id:giai:4000001.111"), device_uri("TL 2001/A")
    ('urn:epc:id:giai:4000001.111', 'urn:zhuisu:device:TL%202001%2FA')
    """
    text = device.strip()
    if text.startswith(("urn:", "https://", "http://")):
        return text
    return DEVICE + quote(text, safe="-._~")


def _element(row: Row, uom: str) -> dict[str, Any]:
    reports: list[dict[str, Any]] = [{"type": "gs1:Temperature", "value": row.temperature, "uom": uom}]
    if row.humidity is not None:
        reports.append({"type": "gs1:RelativeHumidity", "value": row.humidity, "uom": "P1"})
    return {
        "sensorMetadata": {"time": row.time.isoformat(), "deviceID": device_uri(row.device)},
        "sensorReport": reports,
    }


def event_id(party_id: str, digest: str, chunk: int) -> str:
    return f"urn:uuid:{uuid.uuid5(_NAMESPACE, f'{party_id}:{digest}:{chunk}')}"


def _event(rows: Sequence[Row], uom: str, leg: Leg, eid: str, digest: str) -> dict[str, Any]:
    last = max(rows, key=lambda r: r.time).time
    event: dict[str, Any] = {
        "type": "ObjectEvent",
        "eventID": eid,
        "eventTime": last.isoformat(),
        "eventTimeZoneOffset": last.strftime("%z")[:3] + ":" + last.strftime("%z")[3:],
        "action": "OBSERVE",
        "bizStep": leg.biz_step,
    }
    instances = [c for c in leg.codes if not is_class(c)]
    classes = [c for c in leg.codes if is_class(c)]
    if instances:
        event["epcList"] = instances
    if classes:
        event["quantityList"] = [{"epcClass": c} for c in classes]
    if leg.location:
        event["readPoint"] = {"id": leg.location}
        event["bizLocation"] = {"id": leg.location}
    if leg.shipment:
        event["bizTransactionList"] = [{"type": "bol", "bizTransaction": SHIPMENT + quote(leg.shipment, safe="-._~")}]
    event["sensorElementList"] = [_element(r, uom) for r in rows]
    event["zs:loggerFile"] = digest
    return event


def document(log: LogFile, leg: Leg, *, party_id: str, digest: str, created: str) -> dict[str, Any]:
    """The EPCISDocument recording ``log``'s readings for ``leg`` (see the module docstring)."""
    rows = list(log.rows)
    events = [
        _event(rows[start : start + CHUNK], log.uom, leg, event_id(party_id, digest, n), digest)
        for n, start in enumerate(range(0, len(rows), CHUNK))
    ]
    return {
        "@context": CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": created,
        "epcisBody": {"eventList": events},
    }
