"""The risk rules, one module each (its ``RULE``: id, severity, explanation in Chinese and English, and the function
that finds its hits); ``RULES`` lists them in the order the desk shows them."""

from zhuisu.oversight.rules import (
    after_destruction,
    duplicate_sale,
    failed_inspection,
    licence_missing,
    mass_balance,
    received_not_shipped,
    recording_gap,
    shipped_not_received,
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
)
BY_ID: dict[str, RiskRule] = {rule.id: rule for rule in RULES}
