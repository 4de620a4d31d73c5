"""The statements of the farm sector: certificates by number, receiving events naming a certificate."""

from collections.abc import Sequence

from sqlalchemy import ColumnElement, Text, cast, select
from sqlalchemy.orm import Session

from zhuisu.models import Event, FarmCertificate, Party
from zhuisu.sectors.farm.documents import CERTIFICATE

RECEIVING = "receiving"


def certificates(session: Session, *conditions: ColumnElement[bool]) -> list[FarmCertificate]:
    return list(
        session.scalars(
            select(FarmCertificate)
            .where(*conditions)
            .order_by(FarmCertificate.issued_on.desc(), FarmCertificate.number)
        )
    )


def numbered(session: Session, numbers: Sequence[str]) -> dict[str, FarmCertificate]:
    wanted = sorted(set(numbers))
    if not wanted:
        return {}
    return {c.number: c for c in session.scalars(select(FarmCertificate).where(FarmCertificate.number.in_(wanted)))}


def receipts_naming(session: Session, number: str, step: str = RECEIVING) -> list[Event]:
    """Events of ``step`` whose body mentions ``number`` (a text probe: events keep no index of their documents;
    the caller checks the bizTransactions), oldest first."""
    return list(
        session.scalars(
            select(Event)
            .where(Event.biz_step == step, cast(Event.body, Text).contains(number, autoescape=True))
            .order_by(Event.event_time, Event.id)
        )
    )


def receipts_by(session: Session, party_id: str) -> list[Event]:
    """The receiving events ``party_id`` recorded that name a compliance certificate (text probe)."""
    return list(
        session.scalars(
            select(Event).where(
                Event.biz_step == RECEIVING,
                Event.recorder_id == party_id,
                cast(Event.body, Text).contains(CERTIFICATE.rsplit("/", 1)[-1], autoescape=True),
            )
        )
    )


def parties(session: Session, ids: Sequence[str]) -> dict[str, Party]:
    wanted = sorted(set(ids))
    return {p.id: p for p in session.scalars(select(Party).where(Party.id.in_(wanted)))} if wanted else {}


def count_numbered(session: Session, prefix: str) -> int:
    return len(list(session.scalars(select(FarmCertificate.id).where(FarmCertificate.number.startswith(prefix)))))
