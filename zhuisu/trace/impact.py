"""Recall impact: everything downstream of a code, how much of each lot, who holds each thing now, and where.

The current holder of a thing is its last custody: the destination party (else the source party) of the latest
event naming a party — the thing's own events, and those of the containers it was in while it was in them (a case
on a shipped pallet went where the pallet went). A thing no event names a party for is held by the party whose
GLN is its last business location's. Regions are the GB/T 2260 codes of the holders registered as parties.
Quantities are those of the classes and lots: what the transformations and commissioning events that created
them gave out, else the largest quantity any event names.
"""

from collections import defaultdict
from typing import Any

from sqlalchemy.orm import Session

from zhuisu.trace import repository
from zhuisu.trace.schemas import ImpactRead, QuantityRead
from zhuisu.trace.walk import Walk, is_class

_LOCATION_PREFIX = "https://id.gs1.org/414/"
_PARTY_PREFIX = "https://id.gs1.org/417/"

Held = tuple[float, str]


def impact_of(session: Session, walked: Walk) -> ImpactRead:
    things = sorted(walked.reach)
    holder_of = _holders(session, walked, things)
    holders = sorted(set(holder_of.values()))
    glns = sorted({h.removeprefix(_PARTY_PREFIX) for h in holders if h.startswith(_PARTY_PREFIX)})
    regions = sorted({p.region for p in repository.parties_by_gln(session, glns) if p.region}) if glns else []
    classes = [t for t in things if is_class(t)]
    quantities = _quantities(repository.quantities_of(session, classes)) if classes else {}
    return ImpactRead(code=walked.start, things=things, quantities=quantities, holders=holders, regions=regions,
                      holder_of=holder_of)


def _quantities(rows: list[Any]) -> dict[str, QuantityRead]:
    created: dict[str, list[tuple[float, str | None]]] = defaultdict(list)
    largest: dict[str, tuple[float, str | None]] = {}
    for value, role, qty, uom, kind, action in rows:
        if role == "output_qty" or (role == "quantity" and kind == "ObjectEvent" and action == "ADD"):
            created[value].append((qty, uom))
        if value not in largest or qty > largest[value][0]:
            largest[value] = (qty, uom)
    found = {}
    for value, (qty, uom) in largest.items():
        made = created.get(value)
        if made:
            qty, uom = sum(q for q, _ in made), made[0][1]
        found[value] = QuantityRead(value=qty, uom=uom)
    return dict(sorted(found.items()))


def _holders(session: Session, walked: Walk, things: list[str]) -> dict[str, str]:
    parties: dict[str, list[Held]] = defaultdict(list)
    places: dict[str, list[Held]] = defaultdict(list)
    for row in repository.custody_of(session, things):
        value, t, source, destination, location = (row.value, float(row.ts), row.source, row.destination,
                                                   row.biz_location)
        if not walked.reach[value].covers(t):
            continue
        if destination or source:
            parties[value].append((t, destination or source))
        if location and location.startswith(_LOCATION_PREFIX) and "/254/" not in location:
            places[value].append((t, _PARTY_PREFIX + location.removeprefix(_LOCATION_PREFIX)))
    holder_of = {}
    for thing in things:
        last = _latest(walked, parties, thing, float("-inf"), float("inf"), 0)
        last = last or _latest(walked, places, thing, float("-inf"), float("inf"), 0)
        if last:
            holder_of[thing] = last[1]
    return holder_of


def _latest(walked: Walk, held: dict[str, list[Held]], thing: str, lo: float, hi: float, depth: int) -> Held | None:
    """The latest (time, party) for ``thing`` in [lo, hi], its containers' included while it was in them."""
    best = max((h for h in held.get(thing, ()) if lo <= h[0] <= hi), default=None)
    if depth > 16:
        return best
    for parent, a, d in walked.links.memberships(thing):
        if parent in walked.reach and a <= hi and d >= lo:
            found = _latest(walked, held, parent, max(a, lo), min(d, hi), depth + 1)
            if found and (best is None or found > best):
                best = found
    return best
