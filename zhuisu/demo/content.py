"""The demo supply chain `make run` loads: pigs raised on a farm, slaughtered, packed, shipped cold, sold.

Three batches walk the chain 养殖场 → 屠宰加工厂 → 批发市场 → 超市, as EPCIS 2.0 events with GS1 identifiers (EPC URNs
and Digital Link both), business transactions (purchase orders, 动物检疫合格证), cold-chain temperature readings,
lot master data and a zhuisu extension namespace. Everything is deterministic, so loading twice stores nothing new.
"""

import uuid
from datetime import datetime, timedelta
from typing import Any

from stdnum import ean

from zhuisu.kit.time import BEIJING

ZS_NS = "https://zhuisu.cn/ns/epcis/"
CONTEXT: list[Any] = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"zs": ZS_NS}]
PREFIX = "6901234"


def _gln(location_ref: str) -> str:
    body = PREFIX + location_ref
    return body + ean.calc_check_digit(body)


FARM = {"name": "示范市绿野生猪养殖场", "gln": _gln("00001"), "uscc": "92230102MA1C3D4E5E"}
PLANT = {"name": "示范市肉类联合加工厂", "gln": _gln("00002")}
MARKET = {"name": "示范市农产品批发市场", "gln": _gln("00003")}
SHOP = {"name": "示范市惠民超市", "gln": _gln("00004")}


def _dl(ai: str, value: str) -> str:
    return f"https://id.gs1.org/{ai}/{value}"


def event_id(*parts: str) -> str:
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, ZS_NS + "/".join(parts)))


def _party(place: dict[str, str]) -> str:
    return _dl("417", place["gln"])


def _base(kind: str, eid: str, when: datetime, **fields: Any) -> dict[str, Any]:
    return {
        "type": kind,
        "eventID": eid,
        "eventTime": when.isoformat(timespec="milliseconds"),
        "eventTimeZoneOffset": "+08:00",
        **fields,
    }


def _batch_events(batch: int) -> list[dict[str, Any]]:
    day = datetime(2026, 10, 1 + batch * 3, 6, 0, tzinfo=BEIJING)
    pigs = [f"urn:epc:id:sgtin:{PREFIX}.012345.{batch}{n:03d}" for n in range(1, 5)]
    lot = f"L2026100{batch}"
    pork = f"urn:epc:class:lgtin:{PREFIX}.022222.{lot}"
    pallet = f"urn:epc:id:sscc:{PREFIX}.{batch:010d}"
    cert = f"urn:zhuisu:cert:animal-quarantine:A2301{batch:06d}"
    ids = lambda step: event_id(str(batch), step)  # noqa: E731 - a local shorthand
    return [
        _base(
            "ObjectEvent",
            ids("commission"),
            day - timedelta(days=180),
            action="ADD",
            epcList=pigs,
            bizStep="commissioning",
            disposition="active",
            readPoint={"id": _dl("414", FARM["gln"])},
            bizLocation={"id": _dl("414", FARM["gln"])},
            ilmd={"zs:breed": "长白猪", "zs:farmUscc": FARM["uscc"], "zs:origin": "230102"},
        ),
        _base(
            "ObjectEvent",
            ids("inspect"),
            day - timedelta(hours=20),
            action="OBSERVE",
            epcList=pigs,
            bizStep="inspecting",
            disposition="conformant",
            readPoint={"id": _dl("414", FARM["gln"])},
            bizTransactionList=[{"type": "https://zhuisu.cn/voc/BTT-quarantine_certificate", "bizTransaction": cert}],
            **{"zs:inspector": "示范市动物卫生监督所", "zs:result": "合格"},
        ),
        _base(
            "ObjectEvent",
            ids("ship-farm"),
            day - timedelta(hours=4),
            action="OBSERVE",
            epcList=pigs,
            bizStep="shipping",
            disposition="in_transit",
            readPoint={"id": _dl("414", FARM["gln"])},
            bizTransactionList=[{"type": "po", "bizTransaction": f"urn:zhuisu:po:{PLANT['gln']}:PO-2026-{batch:04d}"}],
            sourceList=[{"type": "owning_party", "source": _party(FARM)}],
            destinationList=[{"type": "owning_party", "destination": _party(PLANT)}],
        ),
        _base(
            "ObjectEvent",
            ids("receive-plant"),
            day - timedelta(hours=1),
            action="OBSERVE",
            epcList=pigs,
            bizStep="receiving",
            disposition="in_progress",
            readPoint={"id": _dl("414", PLANT["gln"])},
            bizLocation={"id": _dl("414", PLANT["gln"])},
        ),
        _base(
            "TransformationEvent",
            ids("slaughter"),
            day,
            inputEPCList=pigs,
            outputQuantityList=[{"epcClass": pork, "quantity": 312.5, "uom": "KGM"}],
            transformationID=f"urn:zhuisu:tf:{lot}",
            bizStep="commissioning",
            disposition="active",
            readPoint={"id": _dl("414", PLANT["gln"])},
            ilmd={
                "zs:productionDate": day.date().isoformat(),
                "zs:bestBefore": (day + timedelta(days=5)).date().isoformat(),
            },
        ),
        _base(
            "AggregationEvent",
            ids("pack"),
            day + timedelta(hours=2),
            action="ADD",
            parentID=pallet,
            childQuantityList=[{"epcClass": pork, "quantity": 300, "uom": "KGM"}],
            bizStep="packing",
            disposition="in_progress",
            readPoint={"id": _dl("414", PLANT["gln"])},
        ),
        _base(
            "ObjectEvent",
            ids("ship-plant"),
            day + timedelta(hours=3),
            action="OBSERVE",
            epcList=[pallet],
            bizStep="shipping",
            disposition="in_transit",
            readPoint={"id": _dl("414", PLANT["gln"])},
            sourceList=[{"type": "owning_party", "source": _party(PLANT)}],
            destinationList=[{"type": "owning_party", "destination": _party(MARKET)}],
            sensorElementList=[
                {
                    "sensorMetadata": {"time": (day + timedelta(hours=4)).isoformat(timespec="seconds")},
                    "sensorReport": [{"type": "Temperature", "value": 2.5 + batch / 10, "uom": "CEL"}],
                }
            ],
        ),
        _base(
            "ObjectEvent",
            ids("receive-market"),
            day + timedelta(hours=6),
            action="OBSERVE",
            epcList=[pallet],
            bizStep="receiving",
            disposition="in_progress",
            readPoint={"id": _dl("414", MARKET["gln"])},
            bizLocation={"id": _dl("414", MARKET["gln"])},
        ),
        _base(
            "ObjectEvent",
            ids("sell"),
            day + timedelta(days=1),
            action="OBSERVE",
            quantityList=[{"epcClass": pork, "quantity": 2.5, "uom": "KGM"}],
            bizStep="retail_selling",
            disposition="retail_sold",
            readPoint={"id": _dl("414", SHOP["gln"])},
        ),
    ]


def demo_document(batches: int = 3) -> dict[str, Any]:
    """An EPCIS 2.0 JSON-LD document holding the demo chain."""
    events = [e for b in range(1, batches + 1) for e in _batch_events(b)]
    return {
        "@context": CONTEXT,
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2026-10-15T08:00:00.000+08:00",
        "epcisBody": {"eventList": events},
    }
