"""The procurement ledger as an XLSX workbook (openpyxl): one row per receipt, the columns school-food inspections
ask for (日期、品名、规格、数量/单位、供货者、许可证号及核验结果、生产日期/批号、保质期、票据号、检验合格证明、
验收人), then the canteen (a regulator's export holds several)."""

from collections.abc import Callable
from datetime import date
from io import BytesIO

from openpyxl import Workbook

from zhuisu.kit.i18n import cpair
from zhuisu.sectors.canteen import vocabulary as voc
from zhuisu.sectors.canteen.schemas import LedgerRead, ReceiptRead


def quantity(r: ReceiptRead) -> str:
    """``25 千克``."""
    return f"{r.quantity:g} {r.unit_name}"


def licence(r: ReceiptRead) -> str:
    """``JY13701020000001 已核验``, or ``无有效许可证 未核验``."""
    none = cpair("canteen", "no valid licence")[0]
    return f"{r.licence_number or none} {r.licence_status_name}"


def batch(r: ReceiptRead) -> str:
    """``2026-12-01 / L2612``: the production date and the lot, either may be missing."""
    parts = [r.production_date.isoformat() if r.production_date else "", r.lot or ""]
    return " / ".join(p for p in parts if p)


def certificate(r: ReceiptRead) -> str:
    """``检验报告 R-1``, ``检验报告 示范检测 R-1（不合格）``, or ``未提供``."""
    if not r.certificate_number:
        return cpair("canteen", "not provided")[0]
    kind = voc.CERTIFICATES.get(r.certificate_kind or "", ("", ("", "")))[1][0]
    failed = cpair("canteen", " (failed)")[0] if r.certificate_result == "fail" else ""
    return f"{kind} {r.certificate_number}{failed}".strip()


def _day(value: date | None) -> str:
    return value.isoformat() if value else ""


def _invoice(r: ReceiptRead) -> str:
    return r.invoice_number or (cpair("canteen", "(see the invoice photo)")[0] if r.invoice_photo else "")


#: Header (zh-CN as the inspection forms name it, English) and the cell of a row.
COLUMNS: tuple[tuple[tuple[str, str], Callable[[ReceiptRead], object]], ...] = (
    (cpair("canteen column", "Date"), lambda r: r.day.isoformat()),
    (cpair("canteen column", "Product"), lambda r: r.product_name),
    (cpair("canteen column", "Specification"), lambda r: r.spec),
    (cpair("canteen column", "Quantity/unit"), quantity),
    (cpair("canteen column", "Supplier"), lambda r: r.supplier_name),
    (cpair("canteen column", "Licence number and check"), licence),
    (cpair("canteen column", "Production date/lot"), batch),
    (cpair("canteen column", "Expiry"), lambda r: _day(r.expiry)),
    (cpair("canteen column", "Invoice number"), _invoice),
    (cpair("canteen column", "Inspection certificate"), certificate),
    (cpair("canteen column", "Received by"), lambda r: r.receiver),
    (cpair("canteen column", "Canteen"), lambda r: r.canteen),
)


def ledger_xlsx(ledger: LedgerRead, *, lang: str = "zh") -> bytes:
    """The ledger's rows as a workbook: a sheet 采购台账 with a header row (zh-CN, or English for ``en``), frozen."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = cpair("canteen", "Procurement ledger")[1 if lang == "en" else 0][:31]
    sheet.append([header[1 if lang == "en" else 0] for header, _ in COLUMNS])
    for row in ledger.rows:
        sheet.append([value(row) for _, value in COLUMNS])
    sheet.freeze_panes = "A2"
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def filename(ledger: LedgerRead) -> str:
    if ledger.since == ledger.until:
        return f"canteen-ledger-{ledger.since.isoformat()}.xlsx"
    return f"canteen-ledger-{ledger.since.isoformat()}-{ledger.until.isoformat()}.xlsx"
