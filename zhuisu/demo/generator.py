"""A synthetic supply chain for demos and benchmarks: deterministic for a seed, streamed, any size.

About fifty parties of a fictional 示范市 (GB/T 2260 prefixes 3701xx) across the eight product classes, with valid
统一社会信用代码 and GLNs (their PGLN is ``https://id.gs1.org/417/{gln}``, their site ``…/414/{gln}``). Each chain
instance walks one class's lifecycle as EPCIS 2.0 events with GS1 Digital Link codes:

producer commissions (serialized items or a class-level lot) → processor receives and transforms (slaughter,
production, smelting) → packs into cases and a pallet → ships to a distributor, who receives, unpacks and
cross-docks the cases to markets, supermarkets, hospitals, canteens → who receive and sell or dispense.

A few anomalies are planted (chains numbered 13, 29, 41, 53 modulo 97): a case shipped and never
received, an item sold after it was destroyed, a transformation putting out more than it took in, a receipt dated
before its shipment. ``generate`` yields (recorder party key, event); ``write_document`` streams an
EPCISDocument to disk.
"""

import math
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
from stdnum import ean
from stdnum.cn import uscc as stdnum_uscc

from zhuisu.kit.time import BEIJING

ZS_NS = "https://zhuisu.cn/ns/epcis/"
CONTEXT: list[Any] = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"zs": ZS_NS}]
START = datetime(2026, 1, 1, 6, 0, tzinfo=BEIJING)
CLASSES = ("edible_agri", "food", "drug", "agri_input", "special_equipment", "hazardous", "rare_earth", "imported")
DISTRICTS = ("370102", "370103", "370104", "370105", "370112", "370113", "370114", "370115", "370116", "370117")
#: (class, producer roles, processor, products are a class-level lot, end roles, end step)
_PROFILES: dict[str, tuple[str, str | None, bool, tuple[str, ...], str]] = {
    "edible_agri": ("养殖场", "屠宰加工厂", True, ("market", "retailer", "canteen"), "retail_selling"),
    "food": ("原料基地", "食品加工厂", False, ("retailer", "canteen", "market"), "retail_selling"),
    "drug": ("中药材种植基地", "制药厂", False, ("hospital", "retailer"), "dispensing"),
    "agri_input": ("原药厂", "农药制剂厂", False, ("retailer",), "retail_selling"),
    "special_equipment": ("钢材厂", "电梯制造厂", False, ("retailer",), "installing"),
    "hazardous": ("化工原料厂", "民爆器材厂", False, ("retailer",), "retail_selling"),
    "rare_earth": ("稀土矿山", "冶炼分离厂", True, ("retailer",), "retail_selling"),
    "imported": ("境外供应商", "进口商", False, ("retailer", "market"), "retail_selling"),
}
_END_NAMES = {"market": "农产品批发市场", "retailer": "超市", "canteen": "学校食堂", "hospital": "人民医院"}


@dataclass(frozen=True)
class DemoParty:
    key: str
    name: str
    uscc: str
    gln: str
    region: str
    roles: tuple[str, ...]
    product_class: str


def _gln(n: int) -> str:
    body = f"690{n:09d}"
    return body + ean.calc_check_digit(body)


def _uscc(region: str, n: int) -> str:
    body = f"91{region}MA{n:06d}"[:17]
    body = body.ljust(17, "0")
    return body + stdnum_uscc.calc_check_digit(body)


def demo_parties(seed: int = 1) -> list[DemoParty]:
    """The parties of the demo chain: per class a producer, a processor, a distributor and its ends; plus shared
    logistics. Deterministic for ``seed``."""
    rng = random.Random(seed)
    parties: list[DemoParty] = []

    def add(key: str, name: str, roles: tuple[str, ...], cls: str) -> None:
        n = len(parties) + 1
        region = rng.choice(DISTRICTS)
        code = _uscc(region, n * 37 + seed % 1000)
        parties.append(DemoParty(key, f"示范市{name}", code, _gln(n), region, roles, cls))

    for cls in CLASSES:
        producer, processor, _, ends, _ = _PROFILES[cls]
        add(f"{cls}-producer", producer, ("producer",) if cls != "imported" else ("producer", "foreign"), cls)
        add(f"{cls}-processor", processor or "加工厂", ("processor",) if cls != "imported" else ("importer",), cls)
        add(f"{cls}-wholesaler", f"{_short(cls)}批发公司", ("wholesaler",), cls)
        for i, role in enumerate(ends):
            add(f"{cls}-{role}-{i}", f"{_short(cls)}{_END_NAMES[role]}", (role,), cls)
            add(f"{cls}-{role}-{i}b", f"第二{_short(cls)}{_END_NAMES[role]}", (role,), cls)
    while len(parties) < 50:
        add(f"logistics-{len(parties)}", f"冷链物流公司{len(parties)}", ("logistics",), "food")
    return parties


def _short(cls: str) -> str:
    return {
        "edible_agri": "肉菜",
        "food": "食品",
        "drug": "医药",
        "agri_input": "农资",
        "special_equipment": "设备",
        "hazardous": "危化品",
        "rare_earth": "稀土",
        "imported": "进口商品",
    }[cls]


def generate(events: int, seed: int = 1, *, clean: bool = False) -> Iterator[tuple[str, dict[str, Any]]]:
    """``events`` EPCIS 2.0 events of whole chain instances (the last one cut short), in time order per chain.
    ``clean``: no planted anomalies, and the last chain instance finished (at least ``events`` events)."""
    parties = {p.key: p for p in demo_parties(seed)}
    produced = 0
    chain = 0
    while produced < events:
        for recorder, event in _Chain(parties, seed, chain, clean=clean).events():
            yield recorder, event
            produced += 1
            if produced >= events and not clean:
                return
        chain += 1


class _Chain:
    """One instance of a class's lifecycle; ``k`` numbers it (codes and times derive from it)."""

    def __init__(self, parties: dict[str, DemoParty], seed: int, k: int, *, clean: bool = False) -> None:
        self.rng = random.Random(seed * 1_000_003 + k)
        self.cls = CLASSES[k % len(CLASSES)]
        self.p = parties
        self.seed, self.k = seed, k
        self.t = START + timedelta(minutes=7 * k)
        self.n = 0
        self.anomaly = -1 if clean else k % 97

    def events(self) -> Iterator[tuple[str, dict[str, Any]]]:
        _producer, _processor, is_lot, ends, end_step = _PROFILES[self.cls]
        prod, proc = self.p[f"{self.cls}-producer"], self.p[f"{self.cls}-processor"]
        whole = self.p[f"{self.cls}-wholesaler"]
        raw = [self._sgtin(1, j) for j in range(self.rng.randint(2, 4))]
        yield from self._at(
            prod,
            "ObjectEvent",
            action="ADD",
            epcList=raw,
            bizStep="commissioning",
            disposition="active",
            ilmd={"zs:productClass": self.cls, "zs:origin": prod.region},
        )
        yield from self._move(prod, proc, raw)
        cases = [self._sscc(j) for j in range(self.rng.randint(2, 3))]
        if is_lot:
            lot = self._lot(2)
            made = round(self.rng.uniform(80, 120) * len(raw), 1)
            in_qty = made * (0.8 if self.anomaly == 41 else 1.3)
            yield from self._at(
                proc,
                "TransformationEvent",
                inputEPCList=raw,
                inputQuantityList=[{"epcClass": self._lot(1), "quantity": round(in_qty, 1), "uom": "KGM"}],
                outputQuantityList=[{"epcClass": lot, "quantity": made, "uom": "KGM"}],
                bizStep="commissioning",
                disposition="active",
                transformationID=f"urn:zhuisu:tf:{self.seed}:{self.k}",
            )
            # rounded down, so the cases hold no more than was made (the lot's balance at the processor)
            share = math.floor(made * 10 / len(cases)) / 10
            for case in cases:
                yield from self._at(
                    proc,
                    "AggregationEvent",
                    action="ADD",
                    parentID=case,
                    bizStep="packing",
                    disposition="in_progress",
                    childQuantityList=[{"epcClass": lot, "quantity": share, "uom": "KGM"}],
                )
            units: dict[str, list[str]] = {case: [] for case in cases}
        else:
            items = [self._sgtin(2, j) for j in range(len(cases) * self.rng.randint(2, 4))]
            yield from self._at(
                proc,
                "TransformationEvent",
                inputEPCList=raw,
                outputEPCList=items,
                bizStep="commissioning",
                disposition="active",
            )
            units = {case: items[i :: len(cases)] for i, case in enumerate(cases)}
            for case in cases:
                yield from self._at(
                    proc,
                    "AggregationEvent",
                    action="ADD",
                    parentID=case,
                    childEPCs=units[case],
                    bizStep="packing",
                    disposition="in_progress",
                )
        pallet = self._sscc(9)
        yield from self._at(
            proc,
            "AggregationEvent",
            action="ADD",
            parentID=pallet,
            childEPCs=cases,
            bizStep="packing",
            disposition="in_progress",
        )
        yield from self._move(proc, whole, [pallet])
        yield from self._at(
            whole, "AggregationEvent", action="DELETE", parentID=pallet, bizStep="unpacking", disposition="in_progress"
        )
        for i, case in enumerate(cases):
            role = ends[i % len(ends)]
            end = self.p[f"{self.cls}-{role}-{i % len(ends)}{'b' if self.rng.random() < 0.5 else ''}"]
            yield from self._move(whole, end, [case], lost=(self.anomaly == 13 and i == 0))
            yield from self._sell(end, case, units[case], end_step, lot if is_lot else None)

    def _sell(
        self, end: DemoParty, case: str, items: list[str], step: str, lot: str | None
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        if lot is not None:
            yield from self._at(
                end,
                "ObjectEvent",
                action="OBSERVE",
                bizStep=step,
                disposition="retail_sold",
                quantityList=[{"epcClass": lot, "quantity": 2.5, "uom": "KGM"}],
            )
            return
        yield from self._at(
            end, "AggregationEvent", action="DELETE", parentID=case, bizStep="unpacking", disposition="in_progress"
        )
        sold = items[: max(1, len(items) // 2)]
        if self.anomaly == 29:
            yield from self._at(
                end, "ObjectEvent", action="DELETE", epcList=sold[:1], bizStep="destroying", disposition="destroyed"
            )
        disposition = "dispensed" if step == "dispensing" else "retail_sold"
        yield from self._at(
            end,
            "ObjectEvent",
            action="OBSERVE",
            epcList=sold,
            bizStep=step,
            disposition=disposition if step != "installing" else "active",
        )

    def _move(
        self, frm: DemoParty, to: DemoParty, epcs: list[str], lost: bool = False
    ) -> Iterator[tuple[str, dict[str, Any]]]:
        custody = {
            "sourceList": [{"type": "owning_party", "source": _pgln(frm)}, {"type": "location", "source": _site(frm)}],
            "destinationList": [
                {"type": "owning_party", "destination": _pgln(to)},
                {"type": "location", "destination": _site(to)},
            ],
        }
        po = {"bizTransactionList": [{"type": "po", "bizTransaction": f"urn:zhuisu:po:{to.gln}:{self.k}-{self.n}"}]}
        ship = self._event(
            frm,
            "ObjectEvent",
            action="OBSERVE",
            epcList=epcs,
            bizStep="shipping",
            disposition="in_transit",
            **custody,
            **po,
        )
        self.t += timedelta(hours=self.rng.randint(2, 8))
        receive = self._event(
            to, "ObjectEvent", action="OBSERVE", epcList=epcs, bizStep="receiving", disposition="in_progress", **custody
        )
        if self.anomaly == 53 and frm.roles == ("wholesaler",):
            receive[1]["eventTime"] = _iso(self.t - timedelta(hours=12))
        yield ship
        if not lost:
            yield receive

    def _at(self, party: DemoParty, kind: str, **fields: Any) -> Iterator[tuple[str, dict[str, Any]]]:
        yield self._event(party, kind, **fields)

    def _event(self, party: DemoParty, kind: str, **fields: Any) -> tuple[str, dict[str, Any]]:
        self.t += timedelta(minutes=self.rng.randint(10, 90))
        self.n += 1
        eid = uuid.uuid5(uuid.NAMESPACE_URL, f"{ZS_NS}generated/{self.seed}/{self.k}/{self.n}")
        site = {"id": _site(party)}
        return party.key, {
            "type": kind,
            "eventID": f"urn:uuid:{eid}",
            "eventTime": _iso(self.t),
            "eventTimeZoneOffset": "+08:00",
            **fields,
            "readPoint": site,
            "bizLocation": site,
        }

    def _gtin(self, tier: int) -> str:
        body = f"690{CLASSES.index(self.cls):04d}{tier}{self.k % 97:05d}"[:13]
        return body + ean.calc_check_digit(body)

    def _sgtin(self, tier: int, j: int) -> str:
        return f"https://id.gs1.org/01/{self._gtin(tier)}/21/{self.k}-{j}"

    def _lot(self, tier: int) -> str:
        return f"https://id.gs1.org/01/{self._gtin(tier)}/10/L{self.seed}-{self.k}"

    def _sscc(self, j: int) -> str:
        body = f"0690{(self.k * 10 + j) % 10**13:013d}"
        return f"https://id.gs1.org/00/{body}{ean.calc_check_digit(body)}"


def _pgln(party: DemoParty) -> str:
    return f"https://id.gs1.org/417/{party.gln}"


def _site(party: DemoParty) -> str:
    return f"https://id.gs1.org/414/{party.gln}"


def _iso(when: datetime) -> str:
    return when.isoformat(timespec="milliseconds")


def write_document(path: Path | str, events: int, seed: int = 1) -> None:
    """Write one EPCISDocument of ``events`` generated events to ``path``, streamed (constant memory)."""
    with Path(path).open("wb") as out:
        head = {
            "@context": CONTEXT,
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": _iso(START),
            "epcisBody": {"eventList": []},
        }
        text = orjson.dumps(head)
        marker = b'"eventList":[]'
        cut = text.index(marker) + len(marker) - 1
        out.write(text[:cut])
        for i, (_, event) in enumerate(generate(events, seed)):
            out.write(b"," if i else b"")
            out.write(orjson.dumps(event))
        out.write(text[cut:])
