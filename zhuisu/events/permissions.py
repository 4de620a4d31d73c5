"""Which events a caller may read (EPCIS queries, single events, browse resources, named queries, subscriptions).

- An enterprise (and an inspector or node): the events it recorded, and those that name it — its party GLN or one
  of its registered locations as business location, read point, source or destination (its direct trading
  partners' events about what passed between them).
- A platform: as an enterprise, and the events it recorded on behalf of enterprises that delegated to it (the
  capture jobs it is the agent of).
- A regulator: the events recorded by parties registered in its jurisdiction (all, for a national one) and under a
  class of its mandate (the class a party is registered with, 备案, ``Party.product_class``; every class when it has
  no mandate).
- A child node: as an enterprise, and the events it reported here (``event_origins``: what it sent, so its
  reconciliation can ask which of them arrived).
- The admin and the local operator: every event.

Applied in SQL with the query's own filters, so pages, counts and ``nextPageToken`` agree with what is shown.
"""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, exists, or_, select
from sqlalchemy.orm import Session, aliased

from zhuisu.auth.roles import is_admin, supervised
from zhuisu.codes.canonical import canonical_code, canonical_id
from zhuisu.models import CaptureJob, Event, EventOrigin, Location, Party, TraceCustody


@dataclass(frozen=True)
class EventScope:
    """The events a caller may read: every one (``everything``); or those ``recorder_id`` recorded or that name one of
    ``identifiers`` (canonical; a location's sub-locations too); or those recorded by parties registered under
    ``region_prefix`` (None: anywhere) and under one of ``classes`` (prefixes; None: any class)."""

    everything: bool = False
    recorder_id: str | None = None
    identifiers: tuple[str, ...] = ()
    agent_id: str | None = None
    regulated: bool = False
    region_prefix: str | None = None
    classes: tuple[str, ...] | None = None
    via_node: str | None = None


EVERYTHING = EventScope(everything=True)


def event_scope(session: Session, actor: Party | None) -> EventScope:
    """The scope of ``actor`` (None: the local operator, who reads everything)."""
    if actor is None or is_admin(actor):
        return EVERYTHING
    if actor.actor == "regulator":
        if actor.jurisdiction is None and actor.mandate is None:
            return EVERYTHING
        classes = tuple(actor.mandate) if actor.mandate is not None else None
        return EventScope(regulated=True, region_prefix=actor.jurisdiction, classes=classes)
    agent = actor.id if actor.actor == "platform" else None
    node = actor.id if actor.actor == "node" else None
    return EventScope(
        recorder_id=actor.id, identifiers=party_identifiers(session, actor), agent_id=agent, via_node=node
    )


def party_identifiers(session: Session, party: Party) -> tuple[str, ...]:
    """How events name ``party``, canonical: its party GLN (as a party and as a location), and its locations' GLNs
    and codes."""
    found: list[str] = []
    if party.gln:  # a GLN names a party and, the same number, the party's own site (GS1 GLN allocation rules)
        found.append(canonical_id(f"https://id.gs1.org/417/{party.gln}"))
        found.append(canonical_id(f"https://id.gs1.org/414/{party.gln}"))
    for gln, code in session.execute(select(Location.gln, Location.code).where(Location.party_id == party.id)):
        if gln:
            found.append(canonical_id(f"https://id.gs1.org/414/{gln}"))
        if code:
            found.append(canonical_code(code))
    return tuple(dict.fromkeys(found))


def scope_filter(scope: EventScope) -> list[ColumnElement[bool]]:
    """The caller's lane (``permissions.EventScope``) as a WHERE condition: none for everything."""
    if scope.everything:
        return []
    if scope.regulated:
        return [Event.recorder_id.in_(select(Party.id).where(*supervised(scope.region_prefix, scope.classes)))]
    names: list[ColumnElement[bool]] = []
    for identifier in scope.identifiers:
        for column in (Event.biz_location, Event.read_point):
            names += [column == identifier, column.startswith(identifier + "/", autoescape=True)]
    if scope.identifiers:
        ids = list(scope.identifiers)
        held = aliased(TraceCustody)  # its own name: the lane may filter a query over custody rows itself
        custody = or_(
            held.source.in_(ids),
            held.destination.in_(ids),
            held.source_location.in_(ids),
            held.destination_location.in_(ids),
        )
        names.append(exists().where(held.event_pk == Event.id, custody))
    if scope.agent_id is not None:
        names.append(Event.capture_id.in_(select(CaptureJob.id).where(CaptureJob.agent_id == scope.agent_id)))
    if scope.via_node is not None:
        names.append(Event.id.in_(select(EventOrigin.event_pk).where(EventOrigin.via_id == scope.via_node)))
    return [or_(Event.recorder_id == scope.recorder_id, *names)]
