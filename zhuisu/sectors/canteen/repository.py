"""The statements of the canteen ledger: rows by day range and lane, photos, the parties and reports a receipt
reads, and what the risk rules ask (receipts of unlicensed suppliers; received lots that failed a test)."""

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.orm import Session

from zhuisu.models import CanteenPhoto, CanteenReceipt, CodeBatch, Event, EventEpc, Inspection, Licence, Party, Product

CHUNK = 500


def receipts(
    session: Session, lane: ColumnElement[bool], since: date, until: date, *conditions: ColumnElement[bool]
) -> list[tuple[CanteenReceipt, str]]:
    """(row, canteen name) of the rows in ``lane`` of the Beijing days ``since``…``until``, by time."""
    statement = (
        select(CanteenReceipt, Party.name)
        .join(Party, Party.id == CanteenReceipt.canteen_id)
        .where(lane, CanteenReceipt.day >= since, CanteenReceipt.day <= until, *conditions)
        .order_by(CanteenReceipt.received_at, CanteenReceipt.event_pk)
    )
    return [(row, str(name)) for row, name in session.execute(statement)]


def receipt_by_event(session: Session, event_pk: int) -> CanteenReceipt | None:
    return session.scalar(select(CanteenReceipt).where(CanteenReceipt.event_pk == event_pk))


def photo(session: Session, sha256: str) -> CanteenPhoto | None:
    return session.get(CanteenPhoto, sha256)


def photo_visible(session: Session, sha256: str, lane: ColumnElement[bool]) -> bool:
    """Whether a row in ``lane`` names the photo."""
    found = select(CanteenReceipt.id).where(CanteenReceipt.invoice_photo == sha256, lane).limit(1)
    return session.scalar(found) is not None


def licences(session: Session, party_id: str, types: Sequence[str]) -> list[Licence]:
    return list(
        session.scalars(
            select(Licence)
            .where(Licence.party_id == party_id, Licence.licence_type.in_(list(types)))
            .order_by(Licence.valid_to.desc(), Licence.number)
        )
    )


def product_by_gtin(session: Session, gtin: str) -> Product | None:
    return session.scalar(select(Product).where(Product.gtin == gtin))


def batch_by_lot_code(session: Session, code: str) -> CodeBatch | None:
    return session.scalar(select(CodeBatch).where(CodeBatch.lot_code == code).limit(1))


def latest_report(session: Session, code: str, gtin: str | None, lot: str | None) -> Inspection | None:
    """The latest registered inspection report on the lot (GTIN + lot) or on the code itself."""
    condition = Inspection.code == code
    if gtin and lot:
        condition = (Inspection.gtin == gtin) & (Inspection.lot == lot)
    return session.scalar(
        select(Inspection).where(condition).order_by(Inspection.inspected_on.desc(), Inspection.recorded_at.desc())
    )


def suppliers(session: Session, roots: Sequence[str], limit: int = 500) -> list[Party]:
    """The enterprises registered under a class of ``roots`` (the suppliers a canteen may pick), by name."""
    under = [or_(Party.product_class == r, Party.product_class.startswith(r + ".", autoescape=True)) for r in roots]
    statement = select(Party).where(Party.actor == "enterprise", or_(false(), *under))
    return list(session.scalars(statement.order_by(Party.name).limit(limit)))


# the risk rules


def unlicensed(session: Session) -> list[CanteenReceipt]:
    """Every receipt whose supplier's licence was not verified on the day, oldest first."""
    return list(
        session.scalars(
            select(CanteenReceipt)
            .where(CanteenReceipt.licence_status != "verified")
            .order_by(CanteenReceipt.received_at, CanteenReceipt.event_pk)
        )
    )


def failed_reports(session: Session) -> list[tuple[CanteenReceipt, Inspection]]:
    """Receipts of a lot (or code) with a registered failed inspection report, whenever it was registered."""
    by_lot = (
        select(CanteenReceipt, Inspection)
        .join(Inspection, (Inspection.gtin == CanteenReceipt.gtin) & (Inspection.lot == CanteenReceipt.lot))
        .where(Inspection.result == "fail", CanteenReceipt.lot.is_not(None))
    )
    by_code = (
        select(CanteenReceipt, Inspection)
        .join(Inspection, Inspection.code == CanteenReceipt.code)
        .where(Inspection.result == "fail")
    )
    found: dict[tuple[str, str], tuple[CanteenReceipt, Inspection]] = {}
    for statement in (by_lot, by_code):
        for row, report in session.execute(statement):
            found.setdefault((row.id, report.id), (row, report))
    return sorted(found.values(), key=lambda x: (x[0].received_at, x[0].event_pk, x[1].report_number))


def tests_naming(session: Session, codes: Sequence[str], steps: Sequence[str]) -> list[tuple[str, int, Any, Any]]:
    """(code, event pk, disposition, body) of the test events (``steps``) naming one of ``codes``."""
    wanted = sorted(set(codes))
    out: list[tuple[str, int, Any, Any]] = []
    for start in range(0, len(wanted), CHUNK):
        out += [
            (str(code), int(pk), disposition, body)
            for code, pk, disposition, body in session.execute(
                select(EventEpc.value, Event.id, Event.disposition, Event.body)
                .join(Event, Event.id == EventEpc.event_pk)
                .where(EventEpc.value.in_(wanted[start : start + CHUNK]), Event.biz_step.in_(list(steps)))
                .order_by(Event.id)
            )
        ]
    return out


def receipts_of_codes(session: Session) -> list[CanteenReceipt]:
    """Every receipt, oldest first (the failed-test rule probes their codes)."""
    return list(session.scalars(select(CanteenReceipt).order_by(CanteenReceipt.received_at, CanteenReceipt.event_pk)))
