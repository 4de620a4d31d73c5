"""Hand-built supply chains with known trace answers (times are hours after 2026-05-01 00:00 +08:00)."""

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta, timezone
from typing import Any

from stdnum import ean

from zhuisu.codes.canonical import canonical_id

CN = timezone(timedelta(hours=8))
T0 = datetime(2026, 5, 1, tzinfo=CN)
PREFIX = "6901234"


def gln(n: int) -> str:
    body = f"{PREFIX}{n:05d}"
    return body + ean.calc_check_digit(body)


FARM, FARM2, PLANT, DC, MARKET, HOSPITAL, CANTEEN = (gln(n) for n in range(1, 8))
REGIONS = {
    FARM: "370102",
    FARM2: "370103",
    PLANT: "370104",
    DC: "370105",
    MARKET: "370112",
    HOSPITAL: "370113",
    CANTEEN: "370114",
}


def pgln(g: str) -> str:
    return f"https://id.gs1.org/417/{g}"


def loc(g: str) -> str:
    return f"urn:epc:id:sgln:{PREFIX}.{g[7:12]}.0"


def sgtin(item: str, serial: int) -> str:
    return f"urn:epc:id:sgtin:{PREFIX}.{item}.{serial}"


def lot(item: str, name: str) -> str:
    return f"urn:epc:class:lgtin:{PREFIX}.{item}.{name}"


def sscc(ref: int) -> str:
    return f"urn:epc:id:sscc:{PREFIX}.{ref:010d}"


def eid(name: str) -> str:
    return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, "https://zhuisu.cn/tests/trace/" + name))


def c(*codes: str) -> set[str]:
    return {canonical_id(code) for code in codes}


def _base(kind: str, name: str, hours: float, **fields: Any) -> dict[str, Any]:
    when = T0 + timedelta(hours=hours)
    return {
        "type": kind,
        "eventID": eid(name),
        "eventTime": when.isoformat(timespec="milliseconds"),
        "eventTimeZoneOffset": "+08:00",
        **fields,
    }


def commission(name: str, hours: float, at: str, epcs: list[str]) -> dict[str, Any]:
    return _base(
        "ObjectEvent",
        name,
        hours,
        action="ADD",
        epcList=epcs,
        bizStep="commissioning",
        disposition="active",
        readPoint={"id": loc(at)},
        bizLocation={"id": loc(at)},
    )


def ship(
    name: str,
    hours: float,
    frm: str,
    to: str,
    epcs: Sequence[str] = (),
    qty: Sequence[dict[str, Any]] = (),
) -> dict[str, Any]:
    what: dict[str, Any] = {"epcList": list(epcs)}
    if qty:
        what["quantityList"] = list(qty)
    return _base(
        "ObjectEvent",
        name,
        hours,
        action="OBSERVE",
        **what,
        bizStep="shipping",
        disposition="in_transit",
        readPoint={"id": loc(frm)},
        sourceList=[{"type": "owning_party", "source": pgln(frm)}],
        destinationList=[{"type": "owning_party", "destination": pgln(to)}],
    )


def receive(name: str, hours: float, frm: str, to: str, epcs: list[str]) -> dict[str, Any]:
    return _base(
        "ObjectEvent",
        name,
        hours,
        action="OBSERVE",
        epcList=epcs,
        bizStep="receiving",
        disposition="in_progress",
        readPoint={"id": loc(to)},
        bizLocation={"id": loc(to)},
        sourceList=[{"type": "owning_party", "source": pgln(frm)}],
        destinationList=[{"type": "owning_party", "destination": pgln(to)}],
    )


def transform(
    name: str,
    hours: float,
    at: str,
    *,
    inputs: Sequence[str] = (),
    outputs: Sequence[str] = (),
    input_qty: Sequence[dict[str, Any]] = (),
    output_qty: Sequence[dict[str, Any]] = (),
    tid: str | None = None,
) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "bizStep": "commissioning",
        "disposition": "active",
        "readPoint": {"id": loc(at)},
        "bizLocation": {"id": loc(at)},
    }
    for key, value in (
        ("inputEPCList", inputs),
        ("outputEPCList", outputs),
        ("inputQuantityList", input_qty),
        ("outputQuantityList", output_qty),
    ):
        if value:
            fields[key] = list(value)
    if tid:
        fields["transformationID"] = tid
    return _base("TransformationEvent", name, hours, **fields)


def pack(
    name: str,
    hours: float,
    at: str,
    parent: str,
    children: Sequence[str] = (),
    qty: Sequence[dict[str, Any]] = (),
    action: str = "ADD",
) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "parentID": parent,
        "bizStep": "packing" if action == "ADD" else "unpacking",
        "disposition": "in_progress",
        "readPoint": {"id": loc(at)},
        "bizLocation": {"id": loc(at)},
    }
    if children:
        fields["childEPCs"] = list(children)
    if qty:
        fields["childQuantityList"] = list(qty)
    return _base("AggregationEvent", name, hours, action=action, **fields)


def sell(name: str, hours: float, at: str, epcs: list[str]) -> dict[str, Any]:
    return _base(
        "ObjectEvent",
        name,
        hours,
        action="OBSERVE",
        epcList=epcs,
        bizStep="retail_selling",
        disposition="retail_sold",
        readPoint={"id": loc(at)},
        bizLocation={"id": loc(at)},
    )


def kg(code: str, value: float) -> dict[str, Any]:
    return {"epcClass": code, "quantity": value, "uom": "KGM"}


# --- the pork chain: merge, split, multi-level packing, cross-docking, a return, a lot never received ---------

P1, P2, P3 = sgtin("012345", 1), sgtin("012345", 2), sgtin("012345", 3)
A = lot("022222", "A1")
B = lot("044444", "B1")
I1, I2, I3 = sgtin("033333", 1), sgtin("033333", 2), sgtin("033333", 3)
I9 = sgtin("033333", 9)
C1, C2, C9 = sscc(101), sscc(102), sscc(109)
PL1, PL2, PL3 = sscc(201), sscc(202), sscc(203)


def pork_chain() -> list[dict[str, Any]]:
    return [
        commission("e1", 1, FARM, [P1, P2]),
        commission("e2", 1, FARM2, [P3]),
        ship("e3", 2, FARM, PLANT, [P1, P2]),
        receive("e4", 3, FARM, PLANT, [P1, P2]),
        ship("e5", 2, FARM2, PLANT, [P3]),
        receive("e6", 3, FARM2, PLANT, [P3]),
        transform("e7a", 4, PLANT, inputs=[P1, P2], tid="urn:zhuisu:tf:T1"),
        transform("e7b", 4, PLANT, inputs=[P3], output_qty=[kg(A, 300)], tid="urn:zhuisu:tf:T1"),
        transform("e8", 5, PLANT, input_qty=[kg(A, 300)], outputs=[I1, I2, I3], output_qty=[kg(B, 100)]),
        commission("e8x", 5, PLANT, [I9]),
        pack("e9", 6, PLANT, C1, [I1, I2]),
        pack("e10", 6, PLANT, C2, [I3]),
        pack("e10x", 6, PLANT, C9, [I9]),
        pack("e12", 7, PLANT, PL1, [C1, C2, C9]),
        ship("e13", 8, PLANT, DC, [PL1]),
        receive("e14", 9, PLANT, DC, [PL1]),
        pack("e15", 10, DC, PL1, action="DELETE"),
        pack("e16", 11, DC, PL2, [C1, C9]),
        pack("e17", 11, DC, PL3, [C2]),
        ship("e18", 12, DC, MARKET, [PL2]),
        receive("e19", 13, DC, MARKET, [PL2]),
        ship("e20", 12, DC, HOSPITAL, [PL3]),
        receive("e21", 13, DC, HOSPITAL, [PL3]),
        pack("e22", 14, MARKET, C1, [I1], action="DELETE"),
        sell("e23", 15, MARKET, [I1]),
        ship("e24", 16, MARKET, DC, [C1]),
        receive("e25", 17, MARKET, DC, [C1]),
        ship("e26", 8, PLANT, CANTEEN, qty=[kg(B, 100)]),
    ]


# --- anomalies: more output than input, an item used after it was destroyed, a receipt before its shipment -------

X, Y = lot("055555", "X1"), lot("066666", "Y1")
D = sgtin("077777", 1)


def anomaly_chain() -> list[dict[str, Any]]:
    return [
        transform("m1", 1, PLANT, input_qty=[kg(X, 50)], output_qty=[kg(Y, 60)]),
        commission("d1", 1, PLANT, [D]),
        _base(
            "ObjectEvent",
            "d2",
            2,
            action="DELETE",
            epcList=[D],
            bizStep="destroying",
            disposition="destroyed",
            readPoint={"id": loc(PLANT)},
        ),
        ship("d3", 3, PLANT, DC, [D]),
        receive("d4", 2.5, PLANT, DC, [D]),
    ]
