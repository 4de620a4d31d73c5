"""The statements of the cold chain: logger files, the sites and products they name, sensor events of things."""

from collections.abc import Iterable, Sequence

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from zhuisu.models import Event, EventEpc, Location, LoggerFile, Party, Product

CHUNK = 500


def find_file(session: Session, party_id: str, digest: str) -> LoggerFile | None:
    return session.scalar(select(LoggerFile).where(LoggerFile.party_id == party_id, LoggerFile.sha256 == digest))


def files(session: Session, *conditions: ColumnElement[bool], limit: int = 200) -> list[tuple[LoggerFile, str]]:
    """Logger files under ``conditions`` with their importer's name, newest first."""
    return [
        (row, name)
        for row, name in session.execute(
            select(LoggerFile, Party.name)
            .join(Party, Party.id == LoggerFile.party_id)
            .where(*conditions)
            .order_by(LoggerFile.created_at.desc(), LoggerFile.id)
            .limit(limit)
        )
    ]


def location_by_gln(session: Session, gln: str) -> Location | None:
    return session.scalar(select(Location).where(Location.gln == gln))


def location_names(session: Session, glns: Iterable[str]) -> dict[str, str]:
    wanted = sorted(set(glns))
    found: dict[str, str] = {}
    for start in range(0, len(wanted), CHUNK):
        found.update(
            (str(gln), name)
            for gln, name in session.execute(
                select(Location.gln, Location.name).where(Location.gln.in_(wanted[start : start + CHUNK]))
            )
        )
    return found


def party_names(session: Session, ids: Iterable[str]) -> dict[str, str]:
    wanted = sorted(set(ids))
    return dict(session.execute(select(Party.id, Party.name).where(Party.id.in_(wanted))).all()) if wanted else {}


def product_classes(session: Session, gtins: Iterable[str]) -> dict[str, str]:
    wanted = sorted(set(gtins))
    return (
        {str(g): c for g, c in session.execute(select(Product.gtin, Product.class_id).where(Product.gtin.in_(wanted)))}
        if wanted
        else {}
    )


def sensor_events_naming(session: Session, codes: Sequence[str]) -> list[Event]:
    """The stored events naming any of ``codes`` whose body carries sensor data, by time then pk."""
    found: dict[int, Event] = {}
    for start in range(0, len(codes), CHUNK):
        naming = select(EventEpc.event_pk).where(EventEpc.value.in_(list(codes[start : start + CHUNK])))
        for event in session.scalars(select(Event).where(Event.id.in_(naming))):
            if "sensorElementList" in event.body:
                found[event.id] = event
    return sorted(found.values(), key=lambda e: (e.event_time, e.id))
