"""The demo's cold chain (冷链, ``zhuisu.sectors.coldchain``): a chilled pork lot carried with a temperature logger,
its logger files imported through the service the ``/coldchain`` page and ``POST /api/v1/coldchain/logs`` call, with
one excursion planted (one ``temperature_excursion`` alert), so the lot's product page shows its cold-chain summary.

The chain, in 示范市槐荫区 (370104), times relative to now (two days ago, on the hour, Beijing):

- 示范市鲁冷肉类加工有限公司 (processor) records a lot of chilled pork (冷鲜猪肉, ``edible_agri.meat``: −25 to 4 °C
  in the national catalog) at its plant and ships 200 kg of it to the supermarket (with its quarantine certificate);
- 示范市鲜达冷链物流有限公司 (冷链物流, the carrier) imports its truck logger's file for the trip (shipment
  ``LL-DEMO-01``, step ``transporting``): a reading every 10 minutes for 4 hours, **above 4 °C for 40 minutes**
  (peak 7.5 °C) when the truck waited at a loading dock;
- 示范市鲜达生鲜超市 (retailer) receives the 200 kg and imports its chilled display case's logger file (its store,
  step ``storing``): a reading every 30 minutes for 12 hours, all within range.

Idempotent: fixed eventIDs, parties found by name, the logger files recognised by their content (the same file
imported again is a duplicate: its events are counted as duplicates).
"""

import uuid
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from stdnum import ean

from zhuisu.capture import service as capture_service
from zhuisu.demo import enterprises, generator
from zhuisu.demo.enterprises import DemoParty
from zhuisu.kit.time import BEIJING, utc_now
from zhuisu.models import Event, Party, Product
from zhuisu.parties import masterdata
from zhuisu.sectors.coldchain import logfile
from zhuisu.sectors.coldchain import service as coldchain_service

REGION = "370104"
#: The company prefix of the demo\'s GLNs and GTINs.
PREFIX = "690855"
_gln = partial(enterprises.gln, PREFIX)
_uscc = partial(enterprises.uscc, REGION)
SOURCE = "zhuisu demo load (冷链)"
BTT = "https://zhuisu.cn/voc/BTT-"
SHIPMENT = "LL-DEMO-01"
#: The truck logger's temperatures, every 10 minutes from the shipment (°C): above 4 °C for 40 minutes at the dock.
TRUCK = (2.1, 2.0, 2.3, 2.2, 2.4, 2.6, 2.5, 2.3, 2.2, 5.2, 6.8, 7.5, 5.9, 3.8, 3.1, 2.7, 2.5, 2.4, 2.2, 2.1, 2.3,
         2.2, 2.0, 2.1, 2.2)  # fmt: skip


PARTIES = (
    DemoParty("processor", "示范市鲁冷肉类加工有限公司", _uscc(5501), _gln(1), "屠宰分割车间", _gln(11), "processor"),
    DemoParty("carrier", "示范市鲜达冷链物流有限公司", _uscc(5502), _gln(2), "冷链配送中心", _gln(12), "logistics"),
    DemoParty("retailer", "示范市鲜达生鲜超市", _uscc(5503), _gln(3), "门店冷柜", _gln(13), "retailer"),
)  # fmt: skip
PORK = "0" + _gln(100)[:12] + ean.calc_check_digit("0" + _gln(100)[:12])


def lot_code() -> str:
    """The chilled pork lot the demo follows (its product page shows the cold-chain summary)."""
    return f"https://id.gs1.org/01/{PORK}/10/LL2601"


def plant(session: Session) -> tuple[int, int]:
    """Record the demo's cold chain with its one excursion; idempotent. (captured, duplicates)."""
    found = {p.key: _party(session, p) for p in PARTIES}
    _product(session, found["processor"])
    t0 = _start(session)
    processor, retailer = _by_key("processor"), _by_key("retailer")
    lot = lot_code()
    tally = [0, 0]

    def add(counts: tuple[int, int]) -> None:
        tally[0] += counts[0]
        tally[1] += counts[1]

    custody = _custody(processor, retailer)
    add(_capture(session, found["processor"], [
        _event("made", t0, "commissioning", processor, lot, 500, action="ADD",
               ilmd={"zs:origin": REGION, "cbvmda:productionDate": t0.date().isoformat()}),
        _event("shipped", t0 + timedelta(hours=1), "shipping", processor, lot, 200, **custody,
               bizTransactionList=[{"type": BTT + "quarantine_certificate",
                                    "bizTransaction": "urn:zhuisu:bt:quarantine_certificate:DQ-370104-2601"}]),
    ]))  # fmt: skip
    truck = [
        ((t0 + timedelta(hours=1, minutes=10 * n)).strftime("%Y-%m-%d %H:%M:%S"), f"{c:.1f}", "TL-2001")
        for n, c in enumerate(TRUCK)
    ]
    add(_import(session, found["carrier"], logfile.sample(truck), "truck-TL-2001.csv", lot, shipment=SHIPMENT,
                step="transporting"))  # fmt: skip
    add(_capture(session, found["retailer"], [
        _event("received", t0 + timedelta(hours=5, minutes=30), "receiving", retailer, lot, 200, **custody,
               bizTransactionList=[{"type": BTT + "compliance_certificate",
                                    "bizTransaction": "urn:zhuisu:bt:compliance_certificate:HG-370104-2601"}],
               **{"zs:origin": REGION}),
    ]))  # fmt: skip
    case = [
        ((t0 + timedelta(hours=6, minutes=30 * n)).strftime("%Y-%m-%d %H:%M:%S"), f"{2.5 + (n % 4) * 0.3:.1f}", "DC-08")
        for n in range(25)
    ]
    add(_import(session, found["retailer"], logfile.sample(case), "display-case-DC-08.csv", lot,
                location=f"https://id.gs1.org/414/{retailer.site_gln}", step="storing"))  # fmt: skip
    return tally[0], tally[1]


def _import(session: Session, party: Party, data: bytes, name: str, lot: str, **leg: str) -> tuple[int, int]:
    found = coldchain_service.import_log(session, data, filename=name, actor=party, codes=lot, **leg)
    return (0, len(found.event_ids)) if found.duplicate else (len(found.event_ids), 0)


def _by_key(key: str) -> DemoParty:
    return next(p for p in PARTIES if p.key == key)


def _event_id(name: str) -> str:
    return f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'https://zhuisu.cn/demo/coldchain/{name}')}"


def _start(session: Session) -> datetime:
    """Two days before now, on the hour (Beijing) — or, once the chain is stored, the time its first event gave it,
    so a second run builds the same events and the same logger files."""
    first = session.scalar(select(Event.event_time).where(Event.event_id == _event_id("made")))
    if first is not None:
        return first.astimezone(BEIJING)
    return (utc_now() - timedelta(days=2)).astimezone(BEIJING).replace(minute=0, second=0, microsecond=0)


def _party(session: Session, p: DemoParty) -> Party:
    return enterprises.register(
        session,
        p,
        region=REGION,
        product_class="edible_agri.meat",
        address=f"示范市槐荫区冷链路 {PARTIES.index(p) + 1} 号",
    )


def _product(session: Session, producer: Party) -> None:
    if session.scalar(select(Product.id).where(Product.gtin == PORK)) is None:
        masterdata.register_product(
            session,
            name="冷鲜猪肉（分割肉）",
            class_id="edible_agri.meat",
            producer=producer,
            gtin=PORK,
            spec="冷鲜 0～4℃",
        )


def _custody(frm: DemoParty, to: DemoParty) -> dict[str, Any]:
    return {
        "sourceList": [{"type": "owning_party", "source": f"https://id.gs1.org/417/{frm.gln}"}],
        "destinationList": [{"type": "owning_party", "destination": f"https://id.gs1.org/417/{to.gln}"}],
    }


def _event(
    name: str, when: datetime, step: str, at: DemoParty, lot: str, kg: float, *, action: str = "OBSERVE", **fields: Any
) -> dict[str, Any]:
    site = {"id": f"https://id.gs1.org/414/{at.site_gln}"}
    return {
        "type": "ObjectEvent",
        "eventID": _event_id(name),
        "eventTime": when.astimezone(BEIJING).isoformat(timespec="milliseconds"),
        "eventTimeZoneOffset": "+08:00",
        "action": action,
        "bizStep": step,
        "readPoint": site,
        "bizLocation": site,
        "quantityList": [{"epcClass": lot, "quantity": kg, "uom": "KGM"}],
        **fields,
    }


def _capture(session: Session, recorder: Party, events: list[dict[str, Any]]) -> tuple[int, int]:
    """Capture the events not stored yet; (captured, duplicates — those already stored)."""
    stored = set(session.scalars(select(Event.event_id).where(Event.event_id.in_([e["eventID"] for e in events]))))
    fresh = [e for e in events if e["eventID"] not in stored]
    if not fresh:
        return 0, len(events)
    doc = {
        "@context": [*generator.CONTEXT, {"cbvmda": "urn:epcglobal:cbv:mda:"}],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": fresh[0]["eventTime"],
        "epcisBody": {"eventList": fresh},
    }
    result = capture_service.capture_document(session, doc, actor=recorder, source=SOURCE)
    return result.count("captured"), len(stored) + result.count("duplicate")
