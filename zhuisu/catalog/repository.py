"""Queries of the catalog domain: stored releases, and the master data capture classifies events by."""

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import false, func, or_, select
from sqlalchemy.orm import Session

from zhuisu.auth.roles import in_class
from zhuisu.catalog.permissions import FlagScope
from zhuisu.models import (
    CatalogRelease,
    Event,
    EventEpc,
    EventFlag,
    FederationChild,
    FederationParty,
    Licence,
    Location,
    Party,
    Product,
)

_CHUNK = 500


def _chunks(values: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(values), _CHUNK):
        yield values[start : start + _CHUNK]


def stored_releases(session: Session) -> list[CatalogRelease]:
    return list(
        session.scalars(select(CatalogRelease).order_by(CatalogRelease.effective_from, CatalogRelease.loaded_at))
    )


def find_release(session: Session, *, scope: str, region: str, version: str) -> CatalogRelease | None:
    return session.scalar(
        select(CatalogRelease).where(
            CatalogRelease.scope == scope, CatalogRelease.region == region, CatalogRelease.version == version
        )
    )


def classes_by_gtin(session: Session, gtins: Sequence[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for chunk in _chunks(gtins):
        found.update(
            {
                g: c
                for g, c in session.execute(select(Product.gtin, Product.class_id).where(Product.gtin.in_(chunk)))
                if g
            }
        )
    return found


def classes_by_code(session: Session, codes: Sequence[str]) -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}
    for chunk in _chunks(codes):
        rows = session.execute(
            select(Product.code_scheme, Product.code, Product.class_id).where(Product.code.in_(chunk))
        )
        found.update({(scheme or "", code or ""): class_id for scheme, code, class_id in rows})
    return found


def party_classes_by_gln(session: Session, glns: Sequence[str]) -> dict[str, str]:
    """GLN → the product class of the party it names (its own PGLN or one of its registered locations)."""
    found: dict[str, str] = {}
    for chunk in _chunks(glns):
        located = (
            select(Location.gln, Party.product_class)
            .join(Party, Party.id == Location.party_id)
            .where(Location.gln.in_(chunk), Party.product_class.is_not(None))
        )
        found.update({g: c for g, c in session.execute(located) if g and c})
        own = select(Party.gln, Party.product_class).where(Party.gln.in_(chunk), Party.product_class.is_not(None))
        found.update({g: c for g, c in session.execute(own) if g and c})
    return found


def registered_parties(session: Session, *, region_prefix: str = "") -> list[tuple[str, str, str | None]]:
    """(party id, product class, region) of every party registered under a catalog class."""
    stmt = select(Party.id, Party.product_class, Party.region).where(Party.product_class.is_not(None))
    if region_prefix:
        stmt = stmt.where(Party.region.startswith(region_prefix))
    return [(pid, cls or "", region) for pid, cls, region in session.execute(stmt)]


def child_node_regions(session: Session) -> list[tuple[str, str]]:
    """(region code, name) of each child node registered here with a region (``exchange.federation``)."""
    stmt = (
        select(Party.region, Party.name)
        .join(FederationChild, FederationChild.party_id == Party.id)
        .where(Party.region.is_not(None))
    )
    return [(region, name) for region, name in session.execute(stmt) if region]


def recorders_since(session: Session, since: datetime, until: datetime) -> set[str]:
    """Parties that recorded at least one event with a record time in [since, until]."""
    stmt = select(Event.recorder_id).distinct().where(Event.record_time >= since, Event.record_time <= until)
    return set(session.scalars(stmt))


def products_by_class(session: Session) -> list[tuple[str, str, str | None, str | None, str | None]]:
    """(product id, class, GTIN, producer region, producer id) of every registered product."""
    stmt = select(Product.id, Product.class_id, Product.gtin, Party.region, Product.producer_id).outerjoin(
        Party, Party.id == Product.producer_id
    )
    return [(pid, cls, gtin, region, producer) for pid, cls, gtin, region, producer in session.execute(stmt)]


def mirror_nodes(session: Session) -> dict[str, str]:
    """party id → the name of the child node that reported it, for every party known here by its mirror
    (``exchange.federation``: registered at a child node or below)."""
    stmt = select(FederationParty.party_id, Party.name).join(Party, Party.id == FederationParty.via_id)
    return {pid: name for pid, name in session.execute(stmt)}


def gtins_traced_since(session: Session, since: datetime, until: datetime) -> set[str]:
    """GTINs named (as canonical GS1 Digital Link) by events recorded in [since, until]."""
    prefix = "https://id.gs1.org/01/"
    stmt = (
        select(func.substr(EventEpc.value, len(prefix) + 1, 14))
        .distinct()
        .join(Event, Event.id == EventEpc.event_pk)
        .where(Event.record_time >= since, Event.record_time <= until, EventEpc.value.startswith(prefix))
    )
    return set(session.scalars(stmt))


def list_flags(
    session: Session, *, class_prefix: str | None, limit: int, offset: int, scope: FlagScope
) -> list[tuple[EventFlag, str]]:
    stmt = select(EventFlag, Event.event_id).join(Event, Event.id == EventFlag.event_pk)
    if scope.recorder_id is not None:
        stmt = stmt.where(EventFlag.recorder_id == scope.recorder_id)
    if scope.region_prefix:
        stmt = stmt.join(Party, Party.id == EventFlag.recorder_id).where(Party.region.startswith(scope.region_prefix))
    if scope.classes is not None:
        stmt = stmt.where(or_(false(), *(in_class(EventFlag.class_id, c) for c in scope.classes)))
    if class_prefix:
        stmt = stmt.where((EventFlag.class_id == class_prefix) | EventFlag.class_id.startswith(class_prefix + "."))
    stmt = stmt.order_by(EventFlag.id).limit(limit).offset(offset)
    return list(session.execute(stmt))


def count_flags(session: Session) -> int:
    return int(session.scalar(select(func.count(EventFlag.id))) or 0)


def licences_of(session: Session, party_id: str, types: Sequence[str]) -> list[Licence]:
    """The licences of ``party_id`` of any of ``types`` (one indexed read: ``licences.party_id``)."""
    return list(
        session.scalars(
            select(Licence)
            .where(Licence.party_id == party_id, Licence.licence_type.in_(sorted(set(types))))
            .order_by(Licence.valid_from, Licence.id)
        )
    )
