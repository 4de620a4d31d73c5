"""The risk rules, one module each (its ``RULE``: id, severity, explanation in Chinese and English, and the function
that finds its hits); ``RULES`` lists the rules the scans and captures run, in the order the desk shows them, and
``ALL_RULES`` adds those whose alerts another part of the node raises (``split_view``: the ledger's witness)."""

from zhuisu.oversight.rules import (
    after_destruction,
    canteen_failed_lot,
    canteen_unlicensed_supplier,
    duplicate_sale,
    equipment_overdue,
    failed_inspection,
    farm_certificate_overused,
    hazardous_quantity_mismatch,
    hazardous_receipt_unmatched,
    hazardous_stock_difference,
    hazardous_waybill_unclosed,
    import_uncertified_sale,
    interlock,
    licence_missing,
    mass_balance,
    rare_earth_quota_missing,
    rare_earth_quota_production,
    rare_earth_quota_sales,
    received_not_shipped,
    recording_gap,
    shipped_not_received,
    split_view,
    temperature_excursion,
)
from zhuisu.oversight.rules.base import RiskRule

RULES: tuple[RiskRule, ...] = (
    duplicate_sale.RULE,
    after_destruction.RULE,
    failed_inspection.RULE,
    mass_balance.RULE,
    shipped_not_received.RULE,
    received_not_shipped.RULE,
    licence_missing.RULE,
    temperature_excursion.RULE,
    recording_gap.RULE,
    interlock.RULE,
    equipment_overdue.RULE,
    hazardous_receipt_unmatched.RULE,
    hazardous_quantity_mismatch.RULE,
    hazardous_waybill_unclosed.RULE,
    hazardous_stock_difference.RULE,
    farm_certificate_overused.RULE,
    import_uncertified_sale.RULE,
    canteen_unlicensed_supplier.RULE,
    canteen_failed_lot.RULE,
    rare_earth_quota_production.RULE,
    rare_earth_quota_sales.RULE,
    rare_earth_quota_missing.RULE,
)
ALL_RULES: tuple[RiskRule, ...] = (*RULES, split_view.RULE)
BY_ID: dict[str, RiskRule] = {rule.id: rule for rule in ALL_RULES}
