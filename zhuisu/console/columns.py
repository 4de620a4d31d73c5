"""The columns of the events spreadsheet: headers in zh-CN and English, what each expects, the template's example
row, and which column an EPCIS field comes from (to name the column of a capture error)."""

from dataclasses import dataclass

from zhuisu.kit.i18n import cpair, pair


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    expected_zh: str
    expected_en: str
    example: str = ""
    required: bool = False

    def header(self, lang: str) -> str:
        return self.en if lang == "en" else self.zh


COLUMNS: tuple[Column, ...] = (
    Column(
        "event_type",
        *pair("Event type"),
        *pair("ObjectEvent, AggregationEvent or TransformationEvent (blank: ObjectEvent)"),
        "对象事件",
    ),
    Column(
        "event_time",
        *pair("Event time"),
        "日期时间，如 2026-10-04 08:30、2026/10/4 8:30 或 2026年10月4日（北京时间，除非填了时区）",
        "a date and time, e.g. 2026-10-04 08:30, 2026/10/4 8:30 or 2026年10月4日 (Beijing time unless zoned)",
        "2026-10-04 08:30",
        required=True,
    ),
    Column(
        "time_zone",
        *pair("Time zone"),
        *pair("a UTC offset such as +08:00 (blank: +08:00)"),
        "+08:00",
    ),
    Column(
        "action",
        *cpair("column", "Action"),
        *pair("OBSERVE, ADD or DELETE (blank: OBSERVE)"),
        "OBSERVE",
    ),
    Column(
        "biz_step",
        *pair("Business step"),
        *pair("a CBV business step from the dropdown, e.g. shipping, receiving, retail_selling"),
        "shipping",
    ),
    Column(
        "disposition",
        *pair("Disposition"),
        *pair("a CBV disposition from the dropdown, e.g. in_transit, retail_sold, recalled"),
        "in_transit",
    ),
    Column(
        "codes",
        *pair("Codes"),
        *pair("one or more codes, separated by semicolons"),
        "(01)06901234123456(21)1001",
    ),
    Column(
        "lot",
        *pair("Product lot"),
        *pair("a lot code, e.g. (01)06901234222227(10)L20261001"),
    ),
    Column("quantity", *pair("Quantity"), *pair("a number above 0 (required with a lot)")),
    Column("uom", *pair("Unit"), *pair("a UN/ECE unit code, e.g. KGM")),
    Column(
        "parent",
        *pair("Parent"),
        *pair("a case or pallet code (required for aggregation)"),
    ),
    Column("inputs", *pair("Inputs"), *pair("codes consumed (transformation)")),
    Column("outputs", *pair("Outputs"), *pair("codes produced (transformation)")),
    Column("biz_location", *pair("Business location"), *pair("a 13-digit GLN or a URI"), "6901234000016"),
    Column("read_point", *pair("Read point"), *pair("a 13-digit GLN or a URI")),
    Column("source", *pair("Source"), *pair("the 13-digit GLN of the source party")),
    Column("destination", *pair("Destination"), *pair("the 13-digit GLN of the destination party")),
    Column("document_type", *pair("Document type"), *pair("e.g. inspection, cert, po")),
    Column("document_number", *pair("Document number"), *pair("the document's number")),
    Column("event_id", *pair("Event ID"), *pair("a URI (blank: the event hash)")),
)
BY_KEY = {c.key: c for c in COLUMNS}
BY_HEADER = {name.strip().lower(): c for c in COLUMNS for name in (c.zh, c.en, c.key)}
#: EPCIS field (first segment of a capture error's pointer) → the column it came from.
FIELD_COLUMN = {
    "eventTime": "event_time",
    "eventTimeZoneOffset": "time_zone",
    "action": "action",
    "bizStep": "biz_step",
    "disposition": "disposition",
    "epcList": "codes",
    "childEPCs": "codes",
    "quantityList": "lot",
    "childQuantityList": "lot",
    "outputQuantityList": "lot",
    "parentID": "parent",
    "inputEPCList": "inputs",
    "outputEPCList": "outputs",
    "bizLocation": "biz_location",
    "readPoint": "read_point",
    "sourceList": "source",
    "destinationList": "destination",
    "bizTransactionList": "document_number",
    "eventID": "event_id",
}
