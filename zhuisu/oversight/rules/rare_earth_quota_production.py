"""``rare_earth_quota_production``: a rare earth producer produced more of a kind in a year than its quota in force
allows (总量控制计划: mining in tonnes of REO of 稀土矿产品, separation of 冶炼分离产品), counted as
``zhuisu.sectors.rareearth.usage`` says.

One alert per producer, year and kind (a rescan, or more production, updates it: the latest events are its
evidence, its text the latest amounts); it names the quota, the amount produced and the excess. Runs at capture
over the producers and years of the new events, and in every scan over all of them. The answerable party is the
producer. The sales rule (``rare_earth_quota_sales``) and the no-quota rule (``rare_earth_quota_missing``) share
what is here.
"""

from collections.abc import Callable, Sequence

from sqlalchemy.orm import Session

from zhuisu.kit.i18n import cpair
from zhuisu.kit.time import BEIJING, parse_iso
from zhuisu.oversight.rules.base import Hit, RiskRule, Scope
from zhuisu.sectors.rareearth import service as rareearth_service
from zhuisu.sectors.rareearth.usage import KIND_CLASSES, Line, Usage

EVIDENCE = 20
_MEMO = "zhuisu.rules.rare_earth_quota"


def _touched(scope: Scope) -> tuple[list[str], list[int]] | None:
    """The recorders and years of the new events that name quantities (None: a full scan)."""
    if scope.full:
        return None
    parties, years = set(), set()
    for event in scope.new:
        body = event.body
        if body.get("quantityList") or body.get("outputQuantityList"):
            parties.add(event.recorder_id)
            try:
                years.add(parse_iso(str(body.get("eventTime"))).astimezone(BEIJING).year)
            except ValueError:
                continue
    return sorted(parties), sorted(years)


def usages(session: Session, scope: Scope) -> list[Usage]:
    """The usage the scope concerns, computed once per scope (the three rules read the same)."""
    memo = session.info.get(_MEMO)
    if memo is not None and memo[0] is scope:
        return list(memo[1])
    touched = _touched(scope)
    if touched is not None and not touched[0]:
        found: list[Usage] = []
    else:
        found = rareearth_service.usage_of(session, *(touched or (None, None)))
    session.info[_MEMO] = (scope, found)
    return found


def _unit(u: Usage) -> str:
    return f"{u.quota.uom if u.quota else 'TNE'}{' REO' if (u.quota.basis if u.quota else 'reo') == 'reo' else ''}"


def over_hits(
    session: Session, scope: Scope, pick: Callable[[Usage], Sequence[Line]], flow: tuple[str, str]
) -> list[Hit]:
    """One hit per producer, year and kind whose ``pick`` (production or sales) exceeds its quota."""
    hits = []
    for u in usages(session, scope):
        if u.quota is None:
            continue
        amount = round(u.amount(pick(u)), 6)
        if not rareearth_service.above(amount, u.quota.quantity):
            continue
        excess = round(amount - u.quota.quantity, 6)
        kind_zh, kind_en = rareearth_service.KIND_NAMES[u.kind]
        unit = _unit(u)
        hits.append(
            Hit(
                key=f"{u.party_id}:{u.year}:{u.kind}",
                events=_evidence(pick(u)),
                codes=tuple(sorted({line.code for line in pick(u)}))[:EVIDENCE],
                party_id=u.party_id,
                class_id=u.quota.class_id,
                detail_zh=f"{u.year} 年{kind_zh}{flow[0]} {amount:g} {unit}，超过总量控制指标 {u.quota.quantity:g} "
                f"{unit}（文号 {u.quota.document_number}）{excess:g} {unit}",
                detail_en=f"{u.year} {kind_en}: {flow[1]} {amount:g} {unit}, above the quota of "
                f"{u.quota.quantity:g} {unit} ({u.quota.document_number}) by {excess:g} {unit}",
                facts={
                    "year": u.year,
                    "kind": u.kind,
                    "quota": u.quota.quantity,
                    "amount": amount,
                    "excess": excess,
                    "uom": u.quota.uom,
                    "basis": u.quota.basis,
                    "document_number": u.quota.document_number,
                },
            )
        )
    return hits


def _evidence(found: Sequence[Line]) -> tuple[int, ...]:
    return tuple(sorted({line.pk for line in found})[-EVIDENCE:])


def find(session: Session, scope: Scope) -> list[Hit]:
    return over_hits(session, scope, lambda u: u.produced, cpair("rare earth", "produced"))


def missing_hits(session: Session, scope: Scope) -> list[Hit]:
    """One hit per producer, year and kind with production outside any quota in force."""
    hits = []
    for u in usages(session, scope):
        if not u.unquoted:
            continue
        tonnes = round(sum(line.reo_kg for line in u.unquoted) / 1000, 6)
        kind_zh, kind_en = rareearth_service.KIND_NAMES[u.kind]
        scope_zh = f"超出指标（文号 {u.quota.document_number}）覆盖范围" if u.quota else "无总量控制指标"
        scope_en = f"outside the scope of its quota ({u.quota.document_number})" if u.quota else "without a quota"
        hits.append(
            Hit(
                key=f"{u.party_id}:{u.year}:{u.kind}",
                events=_evidence(u.unquoted),
                codes=tuple(sorted({line.code for line in u.unquoted}))[:EVIDENCE],
                party_id=u.party_id,
                class_id=KIND_CLASSES[u.kind],
                detail_zh=f"{u.year} 年生产{kind_zh} {tonnes:g} TNE REO，{scope_zh}",
                detail_en=f"{u.year}: produced {tonnes:g} TNE REO of {kind_en} {scope_en}",
                facts={"year": u.year, "kind": u.kind, "amount": tonnes, "uom": "TNE", "basis": "reo"},
            )
        )
    return hits


RULE = RiskRule(
    id="rare_earth_quota_production",
    severity="high",
    name_zh="稀土产量超总量控制指标",
    name_en="rare earth production above quota",
    explanation_zh="稀土企业当年开采或冶炼分离的产量（折稀土氧化物）超过其总量控制指标：可能超计划生产。",
    explanation_en="A rare earth producer mined or separated more in the year (as rare earth oxide) than its quota "
    "allows: production beyond the plan.",
    timed=False,
    find=find,
)
