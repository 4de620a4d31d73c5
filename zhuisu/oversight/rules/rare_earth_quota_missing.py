"""``rare_earth_quota_missing``: a producer in the quota regime (one with a quota of some year) produced rare
earth of a kind in a year without a quota in force for that year and kind, or outside its quota's scope (another
product or class). One alert per producer, year and kind, with the tonnes of REO produced so; the answerable party
is the producer. A producer never given any quota is not judged here: whether it may produce at all is its
licence's question (``licence_missing``)."""

from sqlalchemy.orm import Session

from zhuisu.oversight.rules.base import Hit, RiskRule, Scope
from zhuisu.oversight.rules.rare_earth_quota_production import missing_hits


def find(session: Session, scope: Scope) -> list[Hit]:
    return missing_hits(session, scope)


RULE = RiskRule(
    id="rare_earth_quota_missing",
    severity="high",
    name_zh="稀土生产无总量控制指标",
    name_en="rare earth production without quota",
    explanation_zh="稀土企业在没有当年总量控制指标（或超出指标覆盖的产品范围）的情况下开采或冶炼分离稀土。",
    explanation_en="A rare earth producer mined or separated rare earth in a year without a quota for it (or outside "
    "the products its quota covers).",
    timed=False,
    find=find,
)
