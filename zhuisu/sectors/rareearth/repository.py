"""The statements of the rare earth sector: quotas, and the quantities of the events that produce and sell."""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm import Session

from zhuisu.models import Event, EventContext, EventEpc, Location, Party, Product, RareEarthQuota

CHUNK = 500
GTIN_PREFIX = "https://id.gs1.org/01/"
MASS_UNITS = ("KGM", "TNE")
SALE_STEPS = ("shipping", "retail_selling")
#: (event pk, time, type, action, bizStep, recorder, role, code, quantity, uom)
FlowRow = tuple[int, datetime, str, str | None, str | None, str, str, str, float, str]


def quotas(session: Session, *conditions: ColumnElement[bool]) -> list[tuple[RareEarthQuota, Party]]:
    return [
        (q, p)
        for q, p in session.execute(
            select(RareEarthQuota, Party)
            .join(Party, Party.id == RareEarthQuota.party_id)
            .where(*conditions)
            .order_by(RareEarthQuota.year.desc(), Party.name, RareEarthQuota.kind, RareEarthQuota.revision)
        )
    ]


def current(session: Session, party_id: str, year: int, kind: str) -> RareEarthQuota | None:
    """The quota in force (not replaced) of a producer, year and kind."""
    return session.scalar(
        select(RareEarthQuota).where(
            RareEarthQuota.party_id == party_id,
            RareEarthQuota.year == year,
            RareEarthQuota.kind == kind,
            RareEarthQuota.replaced_at.is_(None),
        )
    )


def last_revision(session: Session, party_id: str, year: int, kind: str) -> int:
    found = session.scalar(
        select(func.max(RareEarthQuota.revision)).where(
            RareEarthQuota.party_id == party_id, RareEarthQuota.year == year, RareEarthQuota.kind == kind
        )
    )
    return int(found or 0)


def regime(session: Session, party_ids: Iterable[str] | None = None) -> set[str]:
    """The producers with a quota of any year (among ``party_ids``; None: all)."""
    statement = select(RareEarthQuota.party_id).distinct()
    if party_ids is None:
        return set(session.scalars(statement))
    wanted = sorted(set(party_ids))
    found: set[str] = set()
    for start in range(0, len(wanted), CHUNK):
        found |= set(session.scalars(statement.where(RareEarthQuota.party_id.in_(wanted[start : start + CHUNK]))))
    return found


def quota_years(session: Session, party_ids: Sequence[str]) -> set[int]:
    return set(session.scalars(select(RareEarthQuota.year).distinct().where(RareEarthQuota.party_id.in_(party_ids))))


def event_span(session: Session, party_ids: Sequence[str]) -> tuple[datetime | None, datetime | None]:
    """The first and last event time of what ``party_ids`` recorded."""
    row = session.execute(
        select(func.min(Event.event_time), func.max(Event.event_time)).where(Event.recorder_id.in_(party_ids))
    ).one()
    return row[0], row[1]


def flows(session: Session, party_ids: Sequence[str], start: datetime, end: datetime) -> list[FlowRow]:
    """The mass quantities of GTINs that ``party_ids`` recorded in [start, end) in the events that may produce
    (an ObjectEvent ADD, a TransformationEvent's outputs) or sell (a shipping or retail_selling)."""
    rows: list[FlowRow] = []
    wanted = sorted(set(party_ids))
    for first in range(0, len(wanted), CHUNK):
        statement = (
            select(
                Event.id,
                Event.event_time,
                Event.type,
                Event.action,
                Event.biz_step,
                Event.recorder_id,
                EventEpc.role,
                EventEpc.value,
                EventEpc.quantity,
                EventEpc.uom,
            )
            .join(EventEpc, EventEpc.event_pk == Event.id)
            .where(
                Event.recorder_id.in_(wanted[first : first + CHUNK]),
                Event.event_time >= start,
                Event.event_time < end,
                EventEpc.role.in_(("quantity", "output_qty")),
                EventEpc.quantity.is_not(None),
                EventEpc.uom.in_(MASS_UNITS),
                EventEpc.value.startswith(GTIN_PREFIX),
                or_(
                    and_(Event.type == "ObjectEvent", Event.action == "ADD"),
                    Event.type == "TransformationEvent",
                    Event.biz_step.in_(SALE_STEPS),
                ),
            )
        )
        rows += [
            (int(pk), t, str(kind), action, step, str(rec), str(role), str(code), float(qty or 0), str(uom))
            for pk, t, kind, action, step, rec, role, code, qty, uom in session.execute(statement)
        ]
    return sorted(rows, key=lambda r: (r[1], r[0], r[7]))


def producing(session: Session, codes: Sequence[str]) -> list[tuple[int, str, dict[str, Any], Any]]:
    """(event pk, code, body, context) of the events that produced ``codes`` (an ObjectEvent ADD naming them by
    quantity, a TransformationEvent's outputs), oldest first."""
    found: list[tuple[datetime, int, str, dict[str, Any], Any]] = []
    wanted = sorted(set(codes))
    for start in range(0, len(wanted), CHUNK):
        statement = (
            select(Event.event_time, Event.id, EventEpc.value, Event.body, EventContext.body)
            .join(EventEpc, EventEpc.event_pk == Event.id)
            .outerjoin(EventContext, EventContext.id == Event.context_id)
            .where(
                EventEpc.value.in_(wanted[start : start + CHUNK]),
                or_(
                    and_(EventEpc.role == "quantity", Event.type == "ObjectEvent", Event.action == "ADD"),
                    EventEpc.role == "output_qty",
                ),
            )
        )
        found += [(t, int(pk), str(code), body, ctx) for t, pk, code, body, ctx in session.execute(statement)]
    return [(pk, code, body, ctx) for _, pk, code, body, ctx in sorted(found, key=lambda r: (r[0], r[1]))]


def bodies(session: Session, pks: Sequence[int]) -> dict[int, tuple[dict[str, Any], Any]]:
    """Event pk → (body, @context)."""
    wanted = sorted(set(pks))
    found: dict[int, tuple[dict[str, Any], Any]] = {}
    for start in range(0, len(wanted), CHUNK):
        for pk, body, ctx in session.execute(
            select(Event.id, Event.body, EventContext.body)
            .outerjoin(EventContext, EventContext.id == Event.context_id)
            .where(Event.id.in_(wanted[start : start + CHUNK]))
        ):
            found[int(pk)] = (body, ctx)
    return found


def product_classes(session: Session, gtins: Iterable[str]) -> dict[str, tuple[str, str]]:
    """GTIN → (class, name) of the registered products among ``gtins``."""
    wanted = sorted(set(gtins))
    found: dict[str, tuple[str, str]] = {}
    for start in range(0, len(wanted), CHUNK):
        for gtin, class_id, name in session.execute(
            select(Product.gtin, Product.class_id, Product.name).where(Product.gtin.in_(wanted[start : start + CHUNK]))
        ):
            found[str(gtin)] = (class_id, name)
    return found


def site(session: Session, gln: str) -> Location | None:
    return session.scalar(select(Location).where(Location.gln == gln))


def parties(session: Session, ids: Iterable[str], *conditions: ColumnElement[bool]) -> dict[str, Party]:
    wanted = sorted(set(ids))
    found: dict[str, Party] = {}
    for start in range(0, len(wanted), CHUNK):
        statement = select(Party).where(Party.id.in_(wanted[start : start + CHUNK]), *conditions)
        found.update((p.id, p) for p in session.scalars(statement))
    return found
