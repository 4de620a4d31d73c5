"""Recall impact: everything downstream of a code, how much of each lot, who holds each thing now, and where.

The current holder of a thing is its last custody: the destination party (else the source party) of the latest
event naming a party — the thing's own events, and those of the containers it was in while it was in them (a case
on a shipped pallet went where the pallet went). A thing no event names a party for is held by the party whose
GLN is its last business location's. Regions are the GB/T 2260 codes of the holders registered as parties.
Quantities are those of the classes and lots: what the transformations and commissioning events that created
them gave out, else the largest quantity any event names.
"""

from collections import defaultdict
from collections.abc import Iterable
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
    return ImpactRead.model_construct(  # built from validated parts: 100,000 things need no re-validation
        code=walked.start, things=things, quantities=quantities, holders=holders, regions=regions, holder_of=holder_of
    )


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
    """Last custody of each thing: its parties first (read with the walk's levels: ``walk(…, holdings=True)``);
    for the things no party is found for (through their containers either), the party of their last GLN business
    location."""
    parties = _held(walked, ((v, t, party) for v, found in walked.links.held.items() for t, party in found))
    holder_of, unheld = _latest_of(walked, parties, things)
    if not unheld:
        return holder_of  # in the order of ``things``: sorted
    located = repository.places_of(session, _with_containers(walked, unheld))
    places = _held(
        walked,
        ((v, t, _PARTY_PREFIX + loc.removeprefix(_LOCATION_PREFIX)) for v, t, loc in located if "/254/" not in loc),
    )
    placed = _latest_of(walked, places, unheld)[0]
    if not placed:
        return holder_of
    holder_of.update(placed)
    return {t: holder_of[t] for t in things if t in holder_of}  # sorted again


def _held(walked: Walk, rows: Iterable[tuple[str, Any, str]]) -> dict[str, list[Held]]:
    """The (time, party) rows of each thing that fall in its window."""
    reach = walked.reach
    held: dict[str, list[Held]] = defaultdict(list)
    for value, ts, party in rows:
        t = float(ts)
        if reach[value].covers(t):
            held[value].append((t, party))
    return held


def _with_containers(walked: Walk, things: list[str]) -> list[str]:
    """``things`` and every container in the walk any of them was in, transitively."""
    found, todo = set(things), list(things)
    while todo:
        for parent, _, _ in walked.links.memberships(todo.pop()):
            if parent in walked.reach and parent not in found:
                found.add(parent)
                todo.append(parent)
    return sorted(found)


def _latest_of(walked: Walk, held: dict[str, list[Held]], things: list[str]) -> tuple[dict[str, str], list[str]]:
    """(``_latest`` of each thing over all time, in the order of ``things``; the things it finds none for). Its
    own level inlined: 100,000 items mostly hold no party of their own and share a few containers' answers
    (memoized by membership list: the items of one case share theirs, one list settled by ``ingest``), so the
    per-thing cost is what matters: a few dictionary reads and one write."""
    memo: dict[tuple[str, float, float], Held | None] = {}
    shared: dict[int, Held | None] = {}  # by membership list: the children of one container share theirs
    found: dict[str, str] = {}
    unheld: list[str] = []
    known, memberships = walked.links.known_memberships, walked.links.memberships
    get_held, get_shared = held.get, shared.get
    for thing in things:
        own = get_held(thing)
        ms = known.get(thing)
        if ms is None:
            ms = memberships(thing)
        if own is None:
            best = get_shared(id(ms), _UNANSWERED)
            if best is _UNANSWERED:
                best = shared[id(ms)] = _latest_over(walked, held, memo, ms, None)
        else:
            best = _latest_over(walked, held, memo, ms, max(own))
        if best:
            found[thing] = best[1]
        else:
            unheld.append(thing)
    return found, unheld


_UNANSWERED: Any = object()  # no answer yet for that membership list


def _latest_over(
    walked: Walk,
    held: dict[str, list[Held]],
    memo: dict[tuple[str, float, float], Held | None],
    memberships: list[tuple[str, float, float]],
    best: Held | None,
) -> Held | None:
    """``best`` or the latest (time, party) of the containers of ``memberships`` while the thing was in them."""
    for parent, a, d in memberships:
        if parent in walked.reach:
            key = (parent, a, d)
            up = memo[key] if key in memo else _latest(walked, held, memo, parent, a, d, 1)
            if up and (best is None or up > best):
                best = up
    return best


def _latest(
    walked: Walk,
    held: dict[str, list[Held]],
    memo: dict[tuple[str, float, float], Held | None],
    thing: str,
    lo: float,
    hi: float,
    depth: int,
) -> Held | None:
    """The latest (time, party) for ``thing`` in [lo, hi], its containers' included while it was in them."""
    key = (thing, lo, hi)
    if key in memo:
        return memo[key]
    own = held.get(thing)
    best = max((h for h in own if lo <= h[0] <= hi), default=None) if own else None
    if depth <= 16:
        for parent, a, d in walked.links.memberships(thing):
            if parent in walked.reach and a <= hi and d >= lo:
                found = _latest(walked, held, memo, parent, max(a, lo), min(d, hi), depth + 1)
                if found and (best is None or found > best):
                    best = found
    memo[key] = best
    return best
