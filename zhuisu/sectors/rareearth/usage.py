"""The quota used: what each producer in the quota regime (a producer with a quota of any year) produced and sold
of each kind in a year, read from its events, against its quota in force (``docs/rareearth.md``).

- **Produced**, of a kind: the mass quantities (``KGM``, ``TNE``) of registered products of the kind's class
  (``rare_earth.ore`` for mining, ``rare_earth.smelted`` for separation) that an ObjectEvent ADD created or a
  TransformationEvent put out, recorded by the producer, dated in the year (Beijing calendar).
- **Sold**: the same products' quantities in the producer's ``shipping`` and ``retail_selling`` events whose
  ``destinationList`` names an owning party other than the producer (a shipping that names none moves goods between
  its own sites).
- **REO**: a lot's mass × its REO content (ILMD ``zs:reoContent``, % — a number, or an object lot code → %, as the
  event that produced the lot stated it); a lot whose content no event here states counts at 100 % (a quota cannot
  be eluded by leaving it out).
- Within the quota's scope: products of its class (or under it) and, when it names one, that product only;
  production of the kind outside the scope (or without a quota in force) is ``unquoted``.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from zhuisu.auth.roles import covers
from zhuisu.catalog.elements import member, prefixes
from zhuisu.codes.canonical import canonical_id
from zhuisu.epcis.identifiers import cbv_short
from zhuisu.kit.time import BEIJING
from zhuisu.models import Party, RareEarthQuota
from zhuisu.sectors.rareearth import repository

ZS_NS = "https://zhuisu.cn/ns/epcis/"
#: The catalog class of each quota kind's products.
KIND_CLASSES = {"mining": "rare_earth.ore", "separation": "rare_earth.smelted"}
KG = {"KGM": 1.0, "TNE": 1000.0}
#: Amounts are decimals written as floats; differences smaller than this are none.
EPSILON = 1e-6


def kind_of(class_id: str | None) -> str | None:
    """The quota kind of a product class.

    >>> kind_of("rare_earth.ore.ionic"), kind_of("rare_earth.smelted"), kind_of("rare_earth"), kind_of(None)
    ('mining', 'separation', None, None)
    """
    return next((k for k, c in KIND_CLASSES.items() if covers([c], class_id)), None)


def year_bounds(year: int) -> tuple[datetime, datetime]:
    """The quota year's first and next year's first moment, Beijing time."""
    return datetime.combine(date(year, 1, 1), time(), BEIJING), datetime.combine(date(year + 1, 1, 1), time(), BEIJING)


def reo_share(ilmd_value: Any, code: str) -> float | None:
    """A lot's REO content as a share (0–1) from a ``zs:reoContent`` value: a number for every lot of the event, or
    an object whose keys are lot codes (any form).

    >>> reo_share(42, "x"), reo_share({"https://id.gs1.org/01/06901234000011/10/L1": 99.5},
    ...     "https://id.gs1.org/01/06901234000011/10/L1"), reo_share({"y": 1}, "x"), reo_share("x", "x")
    (0.42, 0.995, None, None)
    """
    value = ilmd_value
    if isinstance(ilmd_value, dict):
        value = next((v for k, v in ilmd_value.items() if canonical_id(str(k)) == code), None)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= 100:
        return None
    return float(value) / 100


def stated_reo(body: Mapping[str, Any], context: Any, code: str) -> float | None:
    """The REO share the event that produced ``code`` states in its ILMD."""
    bound = {"zs": ZS_NS, **prefixes(context)} if context is not None else {"zs": ZS_NS}
    return reo_share(member(body.get("ilmd"), ZS_NS + "reoContent", bound), code)


def lot_reo(session: Any, codes: Iterable[str]) -> dict[str, float]:
    """Code → REO share of the lots among ``codes`` whose production here states one (the first that does)."""
    found: dict[str, float] = {}
    for _pk, code, body, context in repository.producing(session, sorted(set(codes))):
        if code not in found:
            share = stated_reo(body, context, code)
            if share is not None:
                found[code] = share
    return found


@dataclass(frozen=True)
class Line:
    """One quantity a producer produced or sold."""

    pk: int
    when: datetime
    party_id: str
    flow: str  # produced | sold
    kind: str
    class_id: str
    gtin: str
    code: str
    gross_kg: float
    reo_kg: float


def _seller_forms(party: Party) -> set[str]:
    forms = {party.id}
    if party.gln:
        forms |= {party.gln, f"https://id.gs1.org/417/{party.gln}"}
    if party.uscc:
        forms.add(party.uscc)
    return forms


def _sold_to_another(body: Mapping[str, Any], seller: Party | None) -> bool:
    owners = [
        str(d.get("destination", ""))
        for d in body.get("destinationList") or ()
        if isinstance(d, dict) and cbv_short(str(d.get("type", ""))) == "owning_party"
    ]
    mine = _seller_forms(seller) if seller is not None else set()
    return any(o and o not in mine for o in owners)


def lines(session: Any, party_ids: Sequence[str], year: int) -> list[Line]:
    """What ``party_ids`` produced and sold of rare earth products in ``year``, in time order."""
    if not party_ids:
        return []
    start, end = year_bounds(year)
    rows = repository.flows(session, party_ids, start, end)
    classes = repository.product_classes(session, {r[7][len(repository.GTIN_PREFIX) :][:14] for r in rows})
    kept = []
    for row in rows:
        pk, when, etype, action, step, recorder, role, code, qty, uom = row
        class_id = classes.get(code[len(repository.GTIN_PREFIX) :][:14], ("", ""))[0]
        kind = kind_of(class_id)
        if kind is None:
            continue
        produced = (etype == "ObjectEvent" and action == "ADD" and role == "quantity") or role == "output_qty"
        sold = not produced and etype == "ObjectEvent" and step in repository.SALE_STEPS and role == "quantity"
        if produced or sold:
            kept.append((row, class_id, kind, "produced" if produced else "sold"))
    bodies = repository.bodies(session, [r[0][0] for r in kept])
    sellers = repository.parties(session, {r[0][5] for r in kept if r[3] == "sold"})
    sold_reo = lot_reo(session, {r[0][7] for r in kept if r[3] == "sold"})
    out = []
    for (pk, when, _t, _a, _s, recorder, _r, code, qty, uom), class_id, kind, flow in kept:
        body, context = bodies.get(pk, ({}, None))
        if flow == "sold" and not _sold_to_another(body, sellers.get(recorder)):
            continue
        share = stated_reo(body, context, code) if flow == "produced" else sold_reo.get(code)
        gross = qty * KG[uom]
        gtin = code[len(repository.GTIN_PREFIX) :][:14]
        out.append(Line(pk, when, recorder, flow, kind, class_id, gtin, code, gross, gross * (share or 1.0)))
    return out


def in_scope(quota: RareEarthQuota, line: Line) -> bool:
    return covers([quota.class_id], line.class_id) and (quota.product is None or quota.product == line.gtin)


@dataclass
class Usage:
    """One producer, year and kind: its quota in force (or None) and what counts against it, in kg."""

    party_id: str
    year: int
    kind: str
    quota: RareEarthQuota | None
    produced: list[Line] = field(default_factory=list)
    sold: list[Line] = field(default_factory=list)
    unquoted: list[Line] = field(default_factory=list)

    def amount(self, which: Sequence[Line]) -> float:
        """In the quota's unit and basis (tonnes of REO without a quota)."""
        basis = self.quota.basis if self.quota else "reo"
        unit = KG[self.quota.uom] if self.quota else KG["TNE"]
        return sum(line.reo_kg if basis == "reo" else line.gross_kg for line in which) / unit


def usage(session: Any, party_ids: Sequence[str], years: Iterable[int]) -> list[Usage]:
    """For each producer in the regime among ``party_ids``, year and kind with a quota in force or production: what
    it produced and sold, by (party, year, kind)."""
    regime = sorted(repository.regime(session, party_ids))
    if not regime:
        return []
    found: list[Usage] = []
    for year in sorted(set(years)):
        in_force = {
            (q.party_id, q.kind): q
            for q, _ in repository.quotas(
                session,
                RareEarthQuota.party_id.in_(regime),
                RareEarthQuota.year == year,
                RareEarthQuota.replaced_at.is_(None),
            )
        }
        by_key: dict[tuple[str, str], Usage] = {
            key: Usage(key[0], year, key[1], quota) for key, quota in in_force.items()
        }
        grouped: dict[tuple[str, str], list[Line]] = defaultdict(list)
        for line in lines(session, regime, year):
            grouped[(line.party_id, line.kind)].append(line)
        for key, members in grouped.items():
            row = by_key.setdefault(key, Usage(key[0], year, key[1], None))
            for line in members:
                covered = row.quota is not None and in_scope(row.quota, line)
                if line.flow == "produced":
                    (row.produced if covered else row.unquoted).append(line)
                elif covered:
                    row.sold.append(line)
        found += [by_key[k] for k in sorted(by_key)]
    return found
