"""``rare_earth_quota_sales``: a rare earth producer sold more of a kind in a year than its quota in force allows
(sales to another party, ``zhuisu.sectors.rareearth.usage``): goods of unknown origin (黑稀土) may be sold under
its name. One alert per producer, year and kind, naming the quota, the amount sold and the excess; the answerable
party is the producer."""

from sqlalchemy.orm import Session

from zhuisu.kit.i18n import cpair
from zhuisu.oversight.rules.base import Hit, RiskRule, Scope
from zhuisu.oversight.rules.rare_earth_quota_production import over_hits


def find(session: Session, scope: Scope) -> list[Hit]:
    return over_hits(session, scope, lambda u: u.sold, cpair("rare earth", "sold"))


RULE = RiskRule(
    id="rare_earth_quota_sales",
    severity="high",
    name_zh="稀土销量超总量控制指标",
    name_en="rare earth sales above quota",
    explanation_zh="稀土企业当年销售的产品（折稀土氧化物）超过其总量控制指标：可能销售来源不明的稀土产品。",
    explanation_en="A rare earth producer sold more in the year (as rare earth oxide) than its quota allows: it may "
    "be selling rare earth of unknown origin.",
    timed=False,
    find=find,
)
