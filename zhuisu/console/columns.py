"""The columns of the events spreadsheet: headers in zh-CN and English, what each expects, the template's example
row, and which column an EPCIS field comes from (to name the column of a capture error)."""

from dataclasses import dataclass


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
        "事件类型",
        "Event type",
        "对象事件、聚合事件或转换事件（空为对象事件）",
        "ObjectEvent, AggregationEvent or TransformationEvent (blank: ObjectEvent)",
        "对象事件",
    ),
    Column(
        "event_time",
        "事件时间",
        "Event time",
        "日期时间，如 2026-10-04 08:30、2026/10/4 8:30 或 2026年10月4日（北京时间，除非填了时区）",
        "a date and time, e.g. 2026-10-04 08:30, 2026/10/4 8:30 or 2026年10月4日 (Beijing time unless zoned)",
        "2026-10-04 08:30",
        required=True,
    ),
    Column(
        "time_zone",
        "时区",
        "Time zone",
        "UTC 偏移，如 +08:00（空为 +08:00）",
        "a UTC offset such as +08:00 (blank: +08:00)",
        "+08:00",
    ),
    Column(
        "action",
        "动作",
        "Action",
        "观察、新增或删除（OBSERVE、ADD、DELETE；空为观察）",
        "OBSERVE, ADD or DELETE (blank: OBSERVE)",
        "OBSERVE",
    ),
    Column(
        "biz_step",
        "业务步骤",
        "Business step",
        "业务步骤，从下拉列表选择，如 发货、收货、销售、销毁（也可填 CBV 名称，如 shipping）",
        "a CBV business step from the dropdown, e.g. shipping, receiving, retail_selling",
        "shipping",
    ),
    Column(
        "disposition",
        "处置状态",
        "Disposition",
        "处置状态，从下拉列表选择，如 运输中、已售出、已召回（也可填 CBV 名称，如 in_transit）",
        "a CBV disposition from the dropdown, e.g. in_transit, retail_sold, recalled",
        "in_transit",
    ),
    Column(
        "codes",
        "追溯码",
        "Codes",
        "一个或多个追溯码（分号分隔）",
        "one or more codes, separated by semicolons",
        "(01)06901234123456(21)1001",
    ),
    Column(
        "lot",
        "产品批次",
        "Product lot",
        "批次码，如 (01)06901234222227(10)L20261001",
        "a lot code, e.g. (01)06901234222227(10)L20261001",
    ),
    Column(
        "quantity", "数量", "Quantity", "大于 0 的数（填写产品批次时必填）", "a number above 0 (required with a lot)"
    ),
    Column("uom", "单位", "Unit", "UN/ECE 单位代码，如 KGM", "a UN/ECE unit code, e.g. KGM"),
    Column(
        "parent",
        "上级容器",
        "Parent",
        "箱码或托盘码（聚合事件必填）",
        "a case or pallet code (required for aggregation)",
    ),
    Column("inputs", "投入", "Inputs", "投入的追溯码（转换事件）", "codes consumed (transformation)"),
    Column("outputs", "产出", "Outputs", "产出的追溯码（转换事件）", "codes produced (transformation)"),
    Column(
        "biz_location", "业务地点", "Business location", "13 位 GLN 或 URI", "a 13-digit GLN or a URI", "6901234000016"
    ),
    Column("read_point", "读取点", "Read point", "13 位 GLN 或 URI", "a 13-digit GLN or a URI"),
    Column("source", "来源方", "Source", "来源方的 13 位 GLN", "the 13-digit GLN of the source party"),
    Column("destination", "目的方", "Destination", "目的方的 13 位 GLN", "the 13-digit GLN of the destination party"),
    Column("document_type", "单据类型", "Document type", "如 inspection、cert、po", "e.g. inspection, cert, po"),
    Column("document_number", "单据编号", "Document number", "单据的编号", "the document's number"),
    Column("event_id", "事件编号", "Event ID", "URI（空则按事件哈希生成）", "a URI (blank: the event hash)"),
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
