"""Recall exports: an FSMA-204-style sortable spreadsheet (21 CFR 1.1455(c)(3)(ii): one row per event and
traceability lot code, the key data elements as columns; XLSX or CSV), and an EPCIS 2.0 document of the events.

Rows can be narrowed by product (GTIN), by time range and by code range, as a regulator's request names them.
"""

import csv
import io
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from openpyxl import Workbook
from sqlalchemy.orm import Session

from zhuisu.kit.time import format_iso, utc_now
from zhuisu.models import Event, Party
from zhuisu.trace import repository
from zhuisu.trace.permissions import Lens, Named, lens
from zhuisu.trace.schemas import ImpactRead

EPCIS_CONTEXT = "https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld"
COLUMNS = (
    "追溯批次码 Traceability Lot Code",
    "产品 GTIN Product",
    "数量 Quantity",
    "单位 Unit of Measure",
    "关键追踪事件 Critical Tracking Event",
    "事件时间 Event Date",
    "地点 Location",
    "来源 Ship-from / Previous Source",
    "去向 Ship-to / Subsequent Recipient",
    "批次码来源 TLC Source",
    "单据类型 Reference Document Type",
    "单据编号 Reference Document Number",
    "当前持有方 Current Holder",
    "事件 ID Event ID",
)
_CTE = {
    "shipping": "Shipping 发货",
    "receiving": "Receiving 收货",
    "packing": "Packing 包装",
    "unpacking": "Unpacking 拆包",
    "commissioning": "Initial packing / commissioning 赋码",
    "harvesting": "Harvesting 采收",
    "retail_selling": "Selling 销售",
    "dispensing": "Dispensing 调剂",
    "destroying": "Destruction 销毁",
    "inspecting": "Inspection 检验",
}


@dataclass(frozen=True)
class Filter:
    """Which rows to keep: a GTIN, a time range [since, until), a code range [code_from, code_to]."""

    product: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    code_from: str | None = None
    code_to: str | None = None

    def keeps(self, code: str, when: datetime) -> bool:
        if self.product and f"/01/{self.product.zfill(14)}" not in code:
            return False
        if self.since and when < self.since.astimezone(UTC):
            return False
        if self.until and when >= self.until.astimezone(UTC):
            return False
        return not ((self.code_from and code < self.code_from) or (self.code_to and code > self.code_to))


def render(session: Session, impact: ImpactRead, *, fmt: str, where: Filter, viewer: Party | None = None) -> bytes:
    """The export of a recall impact in ``fmt`` (xlsx, csv or jsonld), as ``viewer`` may see it
    (``recall.permissions``; None: the local operator, who sees everything)."""
    rows, events = _rows(session, impact, where, viewer)
    if fmt == "jsonld":
        return _document(events)
    if fmt == "csv":
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
        return ("\ufeff" + text.getvalue()).encode()  # the BOM makes spreadsheet programs read UTF-8
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "追溯记录 Trace records"
    sheet.append(COLUMNS)
    for row in rows:
        sheet.append(row)
    sheet.auto_filter.ref = sheet.dimensions
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rows(
    session: Session, impact: ImpactRead, where: Filter, viewer: Party | None
) -> tuple[list[list[Any]], list[Event]]:
    found = [r for r in repository.events_of(session, impact.things) if where.keeps(r.value, r.event_time)]
    seen = lens(
        session, viewer, (Named(r.id, (r.source, r.destination, r.biz_location or r.read_point)) for r in found)
    )
    if seen.nothing:
        return [], []
    events = {e.id: e for e in repository.events_by_pk(session, sorted({r.id for r in found if seen.sees(r.id)}))}
    sources = _tlc_sources(found, seen)
    rows = []
    for r in sorted(found, key=lambda r: (r.event_time, r.value, r.event_id)):
        doc_type, doc_number = _reference(events[r.id].body) if r.id in events else (None, None)
        gtin = r.value.split("/01/", 1)[1][:14] if "/01/" in r.value else ""
        rows.append(
            [
                r.value,
                gtin,
                r.quantity,
                r.uom,
                _cte(r.type, r.biz_step),
                format_iso(r.event_time),
                seen.show(r.biz_location or r.read_point),
                seen.show(r.source),
                seen.show(r.destination),
                sources.get(r.value),
                doc_type,
                doc_number,
                impact.holder_of.get(r.value),
                r.event_id,
            ]
        )
    return rows, list(events.values())


def _cte(kind: str, biz_step: str | None) -> str:
    if kind == "TransformationEvent":
        return "Transformation 加工转化"
    return _CTE.get(biz_step or "", biz_step or kind)


def _tlc_sources(found: list[Any], seen: Lens) -> dict[str, str]:
    """Where each code was assigned: the location of the event that made it (transformation output or
    commissioning), as ``seen`` shows it."""
    sources: dict[str, tuple[datetime, str]] = {}
    for r in found:
        made = r.role in ("output", "output_qty") or (r.biz_step == "commissioning" and r.action == "ADD")
        place = r.biz_location or r.read_point
        if made and place and (r.value not in sources or r.event_time < sources[r.value][0]):
            sources[r.value] = (r.event_time, place)
    return {code: seen.show(place) or place for code, (_, place) in sources.items()}


def _reference(body: dict[str, Any]) -> tuple[str | None, str | None]:
    for entry in body.get("bizTransactionList") or ():
        if isinstance(entry, dict):
            return entry.get("type"), entry.get("bizTransaction")
    return None, None


def _document(events: list[Event]) -> bytes:
    bodies = sorted(events, key=lambda e: (e.event_time, e.id))
    return orjson.dumps(
        {
            "@context": [EPCIS_CONTEXT, {"zs": "https://zhuisu.cn/ns/epcis/"}],
            "type": "EPCISDocument",
            "schemaVersion": "2.0",
            "creationDate": format_iso(utc_now()),
            "epcisBody": {"eventList": [e.body for e in bodies]},
        }
    )
