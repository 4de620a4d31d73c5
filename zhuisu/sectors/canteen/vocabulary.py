"""The canteen ledger's vocabulary: the ``zs:`` members its receiving events carry, the document types of their
``bizTransactionList``, the units a receipt may be counted in, and the names the ledger shows (``docs/canteen.md``)."""

from zhuisu.kit.i18n import cpair, pair

ZS = "https://zhuisu.cn/ns/epcis/"
#: The JSON-LD context of the documents the ledger captures (``zs:`` bound, so the catalog's elements are found).
CONTEXT: list[object] = ["https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld", {"zs": ZS}]
SITE = "https://id.gs1.org/414/"
PGLN = "https://id.gs1.org/417/"
GTIN_PREFIX = "https://id.gs1.org/01/"
#: A party known only by its 统一社会信用代码 (a supplier not on this node, a canteen without a GLN).
USCC_URN = "urn:zhuisu:uscc:"
#: What a product received by name only (no code) is named by: the supplier's key and the name.
ITEM_URN = "urn:zhuisu:canteen-item:"

#: The invoice (发票 / 票据): CBV 2.0 ``inv`` (``urn:epcglobal:cbv:btt:inv``; JSON-LD writes CBV values bare).
INVOICE = "inv"
INVOICE_URN = "urn:zhuisu:inv:"
BTT = "https://zhuisu.cn/voc/BTT-"

#: Inspection certificate (检验合格证明) kinds → their bizTransaction type (the catalog's data elements read them:
#: ``inspection_report``, ``compliance_certificate``, ``quarantine_certificate``) and names.
CERTIFICATES: dict[str, tuple[str, tuple[str, str]]] = {
    "inspection_report": ("testres", pair("inspection report")),
    "compliance_certificate": (BTT + "compliance_certificate", pair("compliance certificate (合格证)")),
    "quarantine_certificate": (BTT + "quarantine_certificate", pair("animal quarantine certificate")),
}
CERTIFICATE_URN = "urn:zhuisu:cert:"

#: The ``zs:`` members of a receipt (keys as the captured document writes them).
M_SUPPLIER = "zs:supplier"
M_PRODUCT = "zs:product"
M_BATCH = "zs:batch"
M_PRODUCTION_DATE = "zs:productionDate"
M_EXPIRY = "zs:expiry"
M_ORIGIN = "zs:origin"
M_LICENCE = "zs:licenceCheck"
M_CERTIFICATE = "zs:certificate"
M_PHOTO = "zs:invoicePhoto"
M_RECEIVER = "zs:receiver"

#: Units a receipt is counted in: UN/CEFACT Recommendation 20 code → names.
UNITS: dict[str, tuple[str, str]] = {
    "KGM": pair("kg"),
    "GRM": pair("g"),
    "LTR": pair("litre"),
    "H87": cpair("unit", "piece"),
    "XBX": cpair("unit", "box"),
    "XBG": cpair("unit", "bag"),
    "XBO": cpair("unit", "bottle"),
}

#: The licence types that license a food supplier (食品经营许可证, 食品生产许可证 SC).
LICENCE_TYPES = ("food_business", "sc_food_production")
VERIFIED, UNVERIFIED = "verified", "unverified"
STATUS_NAMES: dict[str, tuple[str, str]] = {
    VERIFIED: pair("verified"),
    UNVERIFIED: pair("not verified"),
}
#: A canteen registered under no class is supervised as food (its ledger is food procurement).
DEFAULT_CLASS = "food"
#: The catalog roots whose classes a canteen receives (the licence check's class when the product's is unknown).
FOOD_ROOTS = ("food", "edible_agri")
