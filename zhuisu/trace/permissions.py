"""What of a trace, a recall impact and their exports a caller sees (docs/access.md).

A chain crosses many parties' lanes; its *things, quantities, times and regions* are what a trace is for, the
identities of the parties along it are commercial secrets (商业秘密). So:

- The admin and the local operator see everything.
- An enterprise may trace a code when at least one event of the trace is in its lane (``events.permissions``: it
  recorded it or the event names it); otherwise the trace is the empty one of a code nobody recorded (its existence
  is not told). It sees by name itself and the parties and places its own events name — its direct trading
  partners, one step up and one down; every other party and place shows as its region, ``region:370102`` (the
  GB/T 2260 code of the party registered with that GLN; ``region:unknown`` for an unregistered one).
- A regulator likewise, its lane being the events recorded in its jurisdiction (and mandate): a trace that passes
  through its jurisdiction shows the parties registered there, and those its jurisdiction's events name, by name;
  parties elsewhere as their region.

Which events are in the lane is decided in SQL (``events.permissions.scope_filter``), one query for the whole
trace.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuisu.events.permissions import event_scope, party_identifiers, scope_filter
from zhuisu.models import Location, Party
from zhuisu.trace import repository

MASK_PREFIX = "region:"
UNKNOWN_REGION = MASK_PREFIX + "unknown"
_GS1 = ("https://id.gs1.org/417/", "https://id.gs1.org/414/")


@dataclass(frozen=True)
class Lens:
    """The parts of a trace its caller sees: every event (``everything``); none (``nothing``: the trace is that of a
    code nobody recorded); else the events ``in_lane`` (by primary key) in full, the identifiers ``shown`` by name,
    and every other party or place as ``masked[identifier]``, its region."""

    everything: bool = False
    nothing: bool = False
    in_lane: frozenset[int] = frozenset()
    shown: frozenset[str] = frozenset()
    masked: dict[str, str] = field(default_factory=dict)

    def show(self, identifier: str | None) -> str | None:
        """``identifier`` as the caller may see it: itself, or the region it is in."""
        if identifier is None or self.everything or identifier in self.shown or identifier.startswith(MASK_PREFIX):
            return identifier
        return self.masked.get(identifier, UNKNOWN_REGION)

    def sees(self, pk: int) -> bool:
        """Whether the caller may read the whole event ``pk`` (its body, business transactions included)."""
        return self.everything or pk in self.in_lane


EVERYTHING = Lens(everything=True)
NOTHING = Lens(nothing=True)


@dataclass(frozen=True)
class Named:
    """An event of a trace with the parties and places it names (what a lens may have to hide)."""

    pk: int
    names: tuple[str | None, ...]


def lens(session: Session, actor: Party | None, events: Iterable[Named], *, also: Iterable[str] = ()) -> Lens:
    """The lens of ``actor`` (None: the local operator) on a trace made of ``events``; ``also``: other identifiers
    the trace shows (a recall's holders), masked unless the caller may see them by name."""
    scope = event_scope(session, actor)
    if scope.everything or actor is None:
        return EVERYTHING
    events = list(events)
    in_lane = repository.events_in(session, sorted({e.pk for e in events}), scope_filter(scope))
    if not in_lane:
        return NOTHING
    partners = {n for e in events if e.pk in in_lane for n in e.names if n}
    named = {n for e in events for n in e.names if n} | set(also)
    return _lens(session, actor, frozenset(in_lane), named, partners)


def holders_lens(session: Session, actor: Party | None, things: Sequence[str], holders: Iterable[str]) -> Lens:
    """The lens of ``actor`` on a recall impact: ``things`` reached, ``holders`` holding them. Nothing unless an
    event naming one of the things is in the caller's lane; the holders it sees by name are its own identifiers,
    those its lane's custody events name (its direct trading partners) and, for a regulator, those registered in
    its jurisdiction."""
    scope = event_scope(session, actor)
    if scope.everything or actor is None:
        return EVERYTHING
    where = scope_filter(scope)
    if not repository.any_event_in(session, things, where):
        return NOTHING
    holders = set(holders)
    return _lens(session, actor, frozenset(), holders, repository.custody_named(session, sorted(holders), where))


def _lens(session: Session, actor: Party, in_lane: frozenset[int], named: set[str], partners: set[str]) -> Lens:
    shown = {actor.id, *party_identifiers(session, actor), *partners}
    regions = regions_of(session, named - shown)
    if actor.actor == "regulator" and actor.jurisdiction:
        shown.update(n for n, region in regions.items() if region and region.startswith(actor.jurisdiction))
    masked = {n: MASK_PREFIX + (regions.get(n) or "unknown") for n in named if n not in shown}
    return Lens(in_lane=in_lane, shown=frozenset(shown), masked=masked)


def regions_of(session: Session, identifiers: Iterable[str]) -> dict[str, str | None]:
    """The GB/T 2260 region of the party each identifier names — a party GLN (…/417/…), a location GLN
    (…/414/…, sub-locations too: the registered location's region, else its party's), a party id — or None."""
    by_gln: dict[str, list[str]] = {}
    others: list[str] = []
    for identifier in identifiers:
        if identifier.startswith(_GS1):
            by_gln.setdefault(identifier[len(_GS1[0]) :].split("/")[0], []).append(identifier)
        else:
            others.append(identifier)
    found: dict[str, str | None] = {}
    if by_gln:
        glns = sorted(by_gln)
        located = session.execute(
            select(Location.gln, Location.region, Party.region)
            .join(Party, Party.id == Location.party_id)
            .where(Location.gln.in_(glns))
        )
        for gln, own, party_region in located:
            for identifier in by_gln.get(gln or "", ()):
                found[identifier] = own or party_region
        for gln, region in session.execute(select(Party.gln, Party.region).where(Party.gln.in_(glns))):
            for identifier in by_gln.get(gln or "", ()):
                if "/417/" in identifier or identifier not in found:  # a registered location's own region first
                    found[identifier] = region
    if others:
        for party_id, region in session.execute(select(Party.id, Party.region).where(Party.id.in_(others))):
            found[party_id] = region
    return found
