"""How the public pages name CBV 2.0 business steps, dispositions and certificate types, in zh-CN and English."""

from zhuisu.kit.i18n import cpair, pair
from zhuisu.sectors.equipment.lifecycle import STEPS, ZS_STEP

#: CBV 2.0 business step (short name) → (zh-CN, English), for the journey timeline.
BIZ_STEPS: dict[str, tuple[str, str]] = {
    "commissioning": cpair("step", "produced"),
    "creating_class_instance": pair("produced"),
    "planting": pair("planted"),
    "harvesting": pair("harvested"),
    "slaughtering": pair("slaughtered"),
    "inspecting": pair("inspected"),
    "packing": pair("packed"),
    "unpacking": pair("unpacked"),
    "loading": pair("loaded"),
    "shipping": pair("shipped"),
    "departing": pair("departed"),
    "arriving": pair("arrived"),
    "receiving": cpair("step", "received"),
    "accepting": pair("accepted"),
    "storing": pair("stored"),
    "transporting": pair("in transport"),
    "entering_exiting": pair("entered or left"),
    "retail_selling": pair("sold"),
    "dispensing": pair("dispensed"),
    "installing": pair("installed"),
    "repairing": pair("repaired"),
    "decommissioning": pair("decommissioned"),
    "destroying": pair("destroyed"),
    "recalling": pair("recalled"),
    "holding": pair("held"),
    "sampling": pair("sampled"),
    "transforming": pair("processed"),
    "assembling": pair("assembled"),
    "void_shipping": pair("shipment voided"),
    # zhuisu's steps of special equipment (sectors.equipment.lifecycle), which CBV has no words for
    **{step: names for step, names in STEPS.items() if step.startswith(ZS_STEP)},
}

#: Substrings of a business-transaction type that make it a certificate the public may see, with its label.
#: Everything else (purchase orders, invoices, despatch advices) is commercial and never shown.
CERTIFICATE_KINDS: tuple[tuple[str, str, str], ...] = (
    ("compliance_certificate", *pair("commitment certificate (承诺达标合格证)")),
    ("entry_inspection", *pair("entry inspection and quarantine certificate")),
    ("quarantine", *pair("quarantine certificate")),
    ("inspection", *pair("inspection report")),
    ("test", *pair("test report")),
    ("cert", *pair("certificate")),
    ("合格证", *pair("certificate")),
    ("licen", *pair("licence")),
    ("customs", *pair("customs declaration")),
)

#: Dispositions and steps that mean the thing was recalled.
RECALL_DISPOSITIONS = frozenset({"recalled"})
RECALL_STEPS = frozenset({"recalling"})


def step_label(biz_step: str | None) -> tuple[str, str]:
    """The (zh, en) label of a business step; an unknown one is shown as it is."""
    if not biz_step:
        return pair("recorded")
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
    "organic": pair("organic certification"),
    "green_food": pair("green food label"),
    "gap": pair("good agricultural practice (GAP)"),
    "haccp": pair("HACCP certification"),
    "compliance": pair("compliance certificate (合格证)"),
    "geographical_indication": pair("geographical indication"),
    "other": pair("other certificate"),
}
