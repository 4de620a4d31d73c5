"""The statements of the market room: stalls with their sites, holders and markets; the events at stalls; the events
naming a code; products, parties and receipts."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Text, cast, select
from sqlalchemy.orm import Session

from zhuisu.models import Event, EventContext, EventEpc, EventKey, Location, MarketReceipt, MarketStall, Party, Product
from zhuisu.sectors.market.permissions import Holder, MarketSite, StallSite

CHUNK = 500
ROLES = ("epc", "quantity")


@dataclass(frozen=True)
class Stall:
    """A stall with what it is read with: its site, its holder, its market's site and the market's operator."""

    row: MarketStall
    site: Location
    holder: Party
    market_site: Location
    operator: Party


def stalls(session: Session, *conditions: ColumnElement[bool]) -> list[Stall]:
    statement = (
        select(MarketStall, StallSite, Holder, MarketSite, Party)
        .join(StallSite, StallSite.id == MarketStall.site_id)
        .join(Holder, Holder.id == MarketStall.holder_id)
        .join(MarketSite, MarketSite.id == MarketStall.market_site_id)
        .join(Party, Party.id == MarketSite.party_id)
        .where(*conditions)
        .order_by(MarketSite.name, MarketStall.number)
    )
    return [Stall(*row) for row in session.execute(statement)]


def location_by_gln(session: Session, gln: str) -> Location | None:
    return session.scalar(select(Location).where(Location.gln == gln))


@dataclass(frozen=True)
class Stored:
    """A stored event with its ``@context``."""

    event: Event
    context: Any


def events_at(
    session: Session,
    sites: Sequence[str],
    steps: Sequence[str],
    *,
    since: datetime | None = None,
    until: datetime | None = None,
    mentioning: str | None = None,
) -> list[Stored]:
    """The events of ``steps`` at ``sites`` (bizLocation), within [since, until) when given, whose body mentions
    ``mentioning`` when given (a text probe: the caller checks the member), oldest first."""
    found: list[Stored] = []
    wanted = sorted(set(sites))
    for start in range(0, len(wanted), CHUNK):
        conditions: list[ColumnElement[bool]] = [
            Event.biz_location.in_(wanted[start : start + CHUNK]),
            Event.biz_step.in_(steps),
        ]
        if since is not None:
            conditions.append(Event.event_time >= since)
        if until is not None:
            conditions.append(Event.event_time < until)
        if mentioning is not None:
            conditions.append(cast(Event.body, Text).contains(mentioning, autoescape=True))
        statement = (
            select(Event, EventContext.body)
            .outerjoin(EventContext, EventContext.id == Event.context_id)
            .where(*conditions)
        )
        found += [Stored(event, context) for event, context in session.execute(statement)]
    return sorted(found, key=lambda s: (s.event.event_time, s.event.id))


def events_naming(
    session: Session, codes: Iterable[str], *, steps: Sequence[str] = (), limit: int = 200
) -> list[Stored]:
    """The latest events (at most ``limit``, newest first) naming any of ``codes`` (as an EPC or a quantity)."""
    named = select(EventEpc.event_pk).where(EventEpc.value.in_(sorted(set(codes))), EventEpc.role.in_(ROLES))
    conditions: list[ColumnElement[bool]] = [Event.id.in_(named)]
    if steps:
        conditions.append(Event.biz_step.in_(steps))
    statement = (
        select(Event, EventContext.body)
        .outerjoin(EventContext, EventContext.id == Event.context_id)
        .where(*conditions)
        .order_by(Event.event_time.desc(), Event.id.desc())
        .limit(limit)
    )
    return [Stored(event, context) for event, context in session.execute(statement)]


def first_recorder(session: Session, codes: Iterable[str]) -> str | None:
    named = select(EventEpc.event_pk).where(EventEpc.value.in_(sorted(set(codes))), EventEpc.role.in_(ROLES))
    return session.scalar(select(Event.recorder_id).where(Event.id.in_(named)).order_by(Event.event_time, Event.id))


def stored_event(session: Session, event_id: str) -> Stored | None:
    row = session.execute(
        select(Event, EventContext.body)
        .join(EventKey, EventKey.event_pk == Event.id)
        .outerjoin(EventContext, EventContext.id == Event.context_id)
        .where(EventKey.event_id == event_id)
    ).first()
    return Stored(row[0], row[1]) if row is not None else None


def products(session: Session, gtins: Iterable[str]) -> dict[str, Product]:
    wanted = sorted(set(gtins))
    found: dict[str, Product] = {}
    for start in range(0, len(wanted), CHUNK):
        for product in session.scalars(select(Product).where(Product.gtin.in_(wanted[start : start + CHUNK]))):
            found[str(product.gtin)] = product
    return found


def parties(session: Session, ids: Iterable[str]) -> dict[str, Party]:
    wanted = sorted(set(ids))
    return {p.id: p for p in session.scalars(select(Party).where(Party.id.in_(wanted)))} if wanted else {}


def parties_by_gln(session: Session, glns: Iterable[str]) -> dict[str, Party]:
    wanted = sorted(set(glns))
    return {str(p.gln): p for p in session.scalars(select(Party).where(Party.gln.in_(wanted)))} if wanted else {}


def receipts_of(session: Session, event_ids: Sequence[str]) -> dict[str, str]:
    """eventID → receipt number, of those among ``event_ids`` that have one."""
    found: dict[str, str] = {}
    wanted = sorted(set(event_ids))
    for start in range(0, len(wanted), CHUNK):
        for event_id, number in session.execute(
            select(MarketReceipt.event_id, MarketReceipt.number).where(
                MarketReceipt.event_id.in_(wanted[start : start + CHUNK])
            )
        ):
            found[event_id] = number
    return found


def receipt(session: Session, number: str) -> MarketReceipt | None:
    return session.scalar(select(MarketReceipt).where(MarketReceipt.number == number))
