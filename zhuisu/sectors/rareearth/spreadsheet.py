"""The rare earth desk's workbook: the quota used per producer and kind (openpyxl)."""

import io
from collections.abc import Sequence

from openpyxl import Workbook

from zhuisu.kit.i18n import cpair
from zhuisu.sectors.rareearth.schemas import UsageRow

COLUMNS = (
    (cpair("rare earth", "Enterprise"), "party"),
    (cpair("rare earth", "Region"), "region"),
    (cpair("rare earth", "Year"), "year"),
    (cpair("rare earth", "Quota kind"), "kind"),
    (cpair("rare earth", "Document number"), "document_number"),
    (cpair("rare earth", "Class"), "class_id"),
    (cpair("rare earth", "Quota"), "quota"),
    (cpair("rare earth", "Unit"), "uom"),
    (cpair("rare earth", "Basis"), "basis"),
    (cpair("rare earth", "Produced"), "produced"),
    (cpair("rare earth", "Used %"), "used_percent"),
    (cpair("rare earth", "Remaining"), "remaining"),
    (cpair("rare earth", "Sold"), "sold"),
    (cpair("rare earth", "Sales %"), "sales_percent"),
    (cpair("rare earth", "Produced without quota"), "unquoted"),
)


def usage_xlsx(rows: Sequence[UsageRow]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = " ".join(cpair("rare earth", "Rare earth quotas"))[:31]
    sheet.append([" ".join(header) for header, _ in COLUMNS])
    for row in rows:
        sheet.append([getattr(row, name) for _, name in COLUMNS])
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
