"""The hazardous desk's workbooks: stock on hand by warehouse, waybills (openpyxl)."""

import io
from collections.abc import Sequence
from typing import Any

from openpyxl import Workbook

from zhuisu.kit.i18n import pair
from zhuisu.sectors.hazardous.schemas import StockRow, WaybillRead

STOCK_COLUMNS = (
    (pair("Warehouse"), "warehouse_name"),
    (pair("Site"), "warehouse"),
    (pair("Enterprise"), "party"),
    (pair("Region"), "region"),
    (pair("Product"), "product"),
    (pair("GTIN"), "code"),
    (pair("Class"), "class_id"),
    (pair("Unit"), "uom"),
    (pair("Received"), "received"),
    (pair("Issued"), "issued"),
    (pair("Destroyed"), "destroyed"),
    (pair("On hand"), "on_hand"),
    (pair("Counted"), "counted"),
    (pair("Difference"), "difference"),
)
WAYBILL_COLUMNS = (
    (pair("Waybill"), "number"),
    (pair("State"), "state"),
    (pair("Consignor"), "consignor"),
    (pair("Carrier"), "carrier"),
    (pair("Consignee"), "consignee"),
    (pair("Vehicle"), "vehicle_plate"),
    (pair("Driver"), "driver"),
    (pair("Escort"), "escort"),
    (pair("Origin"), "origin"),
    (pair("Destination"), "destination"),
    (pair("Window start"), "window_start"),
    (pair("Window end"), "window_end"),
)


def _book(title: tuple[str, str], columns: Sequence[tuple[tuple[str, str], str]], rows: Sequence[Any]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = " ".join(title)[:31]
    sheet.append([" ".join(header) for header, _ in columns])
    for row in rows:
        values = [getattr(row, name) for _, name in columns]
        sheet.append([v.replace(tzinfo=None) if hasattr(v, "tzinfo") and v is not None else v for v in values])
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def stock_xlsx(rows: Sequence[StockRow]) -> bytes:
    return _book(pair("Stock"), STOCK_COLUMNS, rows)


def waybills_xlsx(rows: Sequence[WaybillRead]) -> bytes:
    return _book(pair("Waybills"), WAYBILL_COLUMNS, rows)
