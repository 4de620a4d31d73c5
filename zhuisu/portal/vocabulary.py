"""How the public pages name CBV 2.0 business steps, dispositions and certificate types, in zh-CN and English."""

#: CBV 2.0 business step (short name) → (zh-CN, English), for the journey timeline.
BIZ_STEPS: dict[str, tuple[str, str]] = {
    "commissioning": ("赋码/生产", "produced"),
    "creating_class_instance": ("生产", "produced"),
    "planting": ("种植", "planted"),
    "harvesting": ("采收", "harvested"),
    "slaughtering": ("屠宰", "slaughtered"),
    "inspecting": ("检验检疫", "inspected"),
    "packing": ("包装", "packed"),
    "unpacking": ("拆包", "unpacked"),
    "loading": ("装车", "loaded"),
    "shipping": ("发货", "shipped"),
    "departing": ("出发", "departed"),
    "arriving": ("到达", "arrived"),
    "receiving": ("收货", "received"),
    "accepting": ("验收", "accepted"),
    "storing": ("入库", "stored"),
    "transporting": ("运输", "in transport"),
    "entering_exiting": ("进出场", "entered or left"),
    "retail_selling": ("零售", "sold"),
    "dispensing": ("调剂发药", "dispensed"),
    "installing": ("安装", "installed"),
    "repairing": ("维修", "repaired"),
    "decommissioning": ("停用/注销", "decommissioned"),
    "destroying": ("销毁", "destroyed"),
    "recalling": ("召回", "recalled"),
    "holding": ("暂扣", "held"),
    "sampling": ("抽样", "sampled"),
    "transforming": ("加工", "processed"),
    "assembling": ("组装", "assembled"),
    "void_shipping": ("撤销发货", "shipment voided"),
}

#: Substrings of a business-transaction type that make it a certificate the public may see, with its label.
#: Everything else (purchase orders, invoices, despatch advices) is commercial and never shown.
CERTIFICATE_KINDS: tuple[tuple[str, str, str], ...] = (
    ("quarantine", "检疫合格证明", "quarantine certificate"),
    ("inspection", "检验报告", "inspection report"),
    ("test", "检测报告", "test report"),
    ("cert", "合格证", "certificate"),
    ("合格证", "合格证", "certificate"),
    ("licen", "许可证", "licence"),
    ("customs", "报关单", "customs declaration"),
)

#: Dispositions and steps that mean the thing was recalled.
RECALL_DISPOSITIONS = frozenset({"recalled"})
RECALL_STEPS = frozenset({"recalling"})


def step_label(biz_step: str | None) -> tuple[str, str]:
    """The (zh, en) label of a business step; an unknown one is shown as it is."""
    if not biz_step:
        return ("记录", "recorded")
    return BIZ_STEPS.get(biz_step, (biz_step, biz_step.replace("_", " ")))


def certificate_kind(kind: str) -> tuple[str, str] | None:
    """The (zh, en) label of a business-transaction type that is a certificate, or None if it is commercial."""
    lowered = kind.lower()
    for needle, zh, en in CERTIFICATE_KINDS:
        if needle in lowered:
            return (zh, en)
    return None


#: Kinds of certificate a certification or inspection body registers for a product or a lot
#: (``oversight.inspections``), as the product page names them.
REGISTERED_CERTIFICATES: dict[str, tuple[str, str]] = {
    "organic": ("有机产品认证", "organic certification"),
    "green_food": ("绿色食品标志", "green food label"),
    "gap": ("良好农业规范（GAP）认证", "good agricultural practice (GAP)"),
    "haccp": ("HACCP 体系认证", "HACCP certification"),
    "compliance": ("承诺达标合格证", "compliance certificate (合格证)"),
    "geographical_indication": ("地理标志产品", "geographical indication"),
    "other": ("其他证书", "other certificate"),
}
