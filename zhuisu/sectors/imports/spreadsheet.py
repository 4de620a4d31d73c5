"""The import lots workbook (openpyxl)."""

import io
from collections.abc import Sequence

from openpyxl import Workbook

from zhuisu.kit.i18n import pair
from zhuisu.sectors.imports.schemas import LotRead

COLUMNS = (
    (pair("Declaration"), "declaration"),
    (pair("Importer"), "importer"),
    (pair("Product"), "product"),
    (pair("GTIN"), "gtin"),
    (pair("Lot"), "lot"),
    (pair("Country of origin"), "country_zh"),
    (pair("Port"), "port"),
    (pair("Region"), "region"),
    (pair("Entry date"), "entry_date"),
    (pair("Certified"), "certified"),
)


def lots_xlsx(rows: Sequence[LotRead]) -> bytes:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = " ".join(pair("Import lots"))[:31]
    sheet.append([" ".join(header) for header, _ in COLUMNS])
    for row in rows:
        sheet.append([getattr(row, name) for _, name in COLUMNS[:-1]] + [", ".join(c.number for c in row.certificates)])
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
