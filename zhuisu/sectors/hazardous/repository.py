"""The statements of the hazardous goods sector: events that name a document, events at warehouses, permits."""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Text, cast, select
from sqlalchemy.orm import Session

from zhuisu.models import BuyerIdentity, Event, EventEpc, Licence, Location, Party, PermitLimit, Product, Waybill
from zhuisu.sectors.hazardous.documents import GTIN_PREFIX

CHUNK = 500


def events_naming(session: Session, number: str, steps: Sequence[str], *, since: datetime | None = None) -> list[Event]:
    """Stored events of ``steps`` whose body mentions ``number`` (a text probe, checked by the caller against the
    bizTransactions: events keep no index of their documents), oldest first."""
    conditions: list[ColumnElement[bool]] = [
        Event.biz_step.in_(steps),
        cast(Event.body, Text).contains(number, autoescape=True),
    ]
    if since is not None:
        conditions.append(Event.event_time >= since)
    return list(session.scalars(select(Event).where(*conditions).order_by(Event.event_time, Event.id)))


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


def flows_at(session: Session, sites: Sequence[str], steps: Sequence[str]) -> list[tuple[Any, ...]]:
    """(event pk, time, step, site, code, quantity, uom) of the quantities of GTINs events of ``steps`` at ``sites``
    name, in time order."""
    rows: list[tuple[Any, ...]] = []
    for start in range(0, len(sites), CHUNK):
        rows += list(
            session.execute(
                select(
                    Event.id,
                    Event.event_time,
                    Event.biz_step,
                    Event.biz_location,
                    EventEpc.value,
                    EventEpc.quantity,
                    EventEpc.uom,
                )
                .join(EventEpc, EventEpc.event_pk == Event.id)
                .where(
                    Event.biz_location.in_(sites[start : start + CHUNK]),
                    Event.biz_step.in_(steps),
                    EventEpc.role == "quantity",
                    EventEpc.quantity.is_not(None),
                    EventEpc.value.startswith(GTIN_PREFIX),
                )
            )
        )
    return sorted((tuple(r) for r in rows), key=lambda r: (r[1], r[0]))


def locations(session: Session, *conditions: ColumnElement[bool]) -> list[tuple[Location, Party]]:
    """Sites with a GLN and their owners, under ``conditions``."""
    return [
        (loc, party)
        for loc, party in session.execute(
            select(Location, Party)
            .join(Party, Party.id == Location.party_id)
            .where(Location.gln.is_not(None), *conditions)
        )
    ]


def licences_numbered(session: Session, party_id: str, numbers: Sequence[str], types: Sequence[str]) -> list[Licence]:
    return list(
        session.scalars(
            select(Licence).where(
                Licence.party_id == party_id, Licence.number.in_(numbers), Licence.licence_type.in_(types)
            )
        )
    )


def limits(session: Session, licence_ids: Sequence[str]) -> dict[str, PermitLimit]:
    return {
        row.licence_id: row
        for row in session.scalars(select(PermitLimit).where(PermitLimit.licence_id.in_(list(licence_ids))))
    }


def identities(session: Session, hashes: Sequence[str]) -> dict[str, BuyerIdentity]:
    return {
        row.id_hash: row
        for row in session.scalars(select(BuyerIdentity).where(BuyerIdentity.id_hash.in_(list(hashes))))
    }


def waybills(session: Session, *conditions: ColumnElement[bool]) -> list[Waybill]:
    return list(session.scalars(select(Waybill).where(*conditions).order_by(Waybill.window_start, Waybill.number)))


def waybills_numbered(session: Session, numbers: Sequence[str]) -> dict[str, Waybill]:
    return {w.number: w for w in session.scalars(select(Waybill).where(Waybill.number.in_(list(numbers))))}
