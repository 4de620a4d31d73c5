"""The enterprise console, composed from the domains: my products (master data), my code batches and label
sheets (issuance), events spreadsheet upload (``spreadsheet``: rows → EPCIS events → capture), and the recall inbox
(recall: the recalls naming the party as a holder, with its own line's completion)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuisu.codes.canonical import canonical_code
from zhuisu.config import Settings
from zhuisu.console import permissions, spreadsheet, vocabulary
from zhuisu.issuance import service as issuance_service
from zhuisu.kit.time import BEIJING
from zhuisu.models import CodeBatch, ConsoleUpload, Event, EventEpc, Party, Product
from zhuisu.parties import masterdata
from zhuisu.recall import orders as recall_orders
from zhuisu.recall.schemas import RecallRead


def my_products(session: Session, *, party: Party) -> list[Product]:
    return [p for p in masterdata.list_products(session) if p.producer_id == party.id]


def my_batches(session: Session, *, party: Party) -> list[CodeBatch]:
    return issuance_service.list_batches(session, party=party)


def issue(
    session: Session,
    *,
    party: Party,
    settings: Settings,
    gtin: str | None,
    product_code: str | None,
    product_name: str | None,
    lot: str | None,
    count: int,
    production_date: date | None = None,
    expiry: date | None = None,
) -> CodeBatch:
    limits = issuance_service.Limits(max_count=settings.issue_max_count, event_epc_limit=settings.issue_event_epc_limit)
    issued = issuance_service.issue_codes(
        session,
        party=party,
        gtin=gtin or None,
        product_code=product_code or None,
        product_name=product_name or None,
        lot=lot or None,
        count=count,
        limits=limits,
        production_date=production_date,
        expiry=expiry,
    )
    return issued.batch


def label_sheet(session: Session, batch_id: str, *, party: Party, settings: Settings) -> bytes:
    return issuance_service.batch_labels_pdf(session, batch_id, actor=party, settings=settings)


def upload_events(session: Session, data: bytes, *, filename: str, party: Party) -> spreadsheet.UploadResult:
    """Capture the rows of an events spreadsheet (XLSX or CSV) as ``party``; rejected rows come back with their
    reasons and nothing of them is stored. Raises ``InvalidInput`` for a file that is not a usable sheet."""
    result = spreadsheet.import_spreadsheet(session, data, filename=filename, actor=party)
    session.add(
        ConsoleUpload(
            party_id=party.id,
            filename=filename[:200],
            rows=result.rows,
            accepted=result.accepted,
            duplicates=result.duplicates,
            rejected=result.stored_rejected(),
            letters=result.letters,
            capture_id=result.capture_id,
        )
    )
    session.flush()
    return result


def my_uploads(
    session: Session, *, party: Party, limit: int = 20
) -> list[tuple[ConsoleUpload, spreadsheet.UploadResult]]:
    """My uploads (``permissions.mine``), newest first, each with what became of its rows."""
    statement = permissions.mine(select(ConsoleUpload), party).order_by(ConsoleUpload.created_at.desc()).limit(limit)
    return [
        (
            row,
            spreadsheet.UploadResult.from_stored(
                row.filename, (row.rows, row.accepted, row.duplicates), row.rejected, row.letters, row.capture_id
            ),
        )
        for row in session.scalars(statement)
    ]


def recall_inbox(session: Session, *, party: Party) -> list[RecallRead]:
    """召回通知: the recalls that name ``party`` as a holder, newest first, as it may read them (its own lines)."""
    return [
        recall_orders.get_recall(session, recall.id, reader=party)
        for recall, _ in recall_orders.recalls_held_by(session, party)
    ]


@dataclass(frozen=True)
class EventFilter:
    """What 我的事件 is narrowed to: a code (any form), a business step (CBV or its Chinese name), a day range
    (Beijing calendar, inclusive)."""

    code: str = ""
    step: str = ""
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True)
class MyEvent:
    event_id: str
    time: datetime
    biz_step: str | None
    disposition: str | None
    codes: list[str]
    location: str | None


def my_events(session: Session, *, party: Party, where: EventFilter, limit: int = 50) -> list[MyEvent]:
    """我的事件: the events ``party`` recorded (``permissions.my_events``), newest first, narrowed by ``where``.
    Raises InvalidInput for a code that is not one."""
    statement = permissions.my_events(select(Event), party).order_by(Event.event_time.desc(), Event.id.desc())
    if where.code.strip():
        code = canonical_code(where.code)
        statement = statement.where(Event.id.in_(select(EventEpc.event_pk).where(EventEpc.value == code)))
    if where.step.strip():
        statement = statement.where(Event.biz_step == vocabulary.biz_step(where.step))
    if where.since is not None:
        statement = statement.where(Event.event_time >= _beijing_midnight(where.since))
    if where.until is not None:
        statement = statement.where(Event.event_time < _beijing_midnight(where.until + timedelta(days=1)))
    events = list(session.scalars(statement.limit(limit)))
    codes: dict[int, list[str]] = {}
    if events:
        for pk, value in session.execute(
            select(EventEpc.event_pk, EventEpc.value).where(EventEpc.event_pk.in_([e.id for e in events]))
        ):
            codes.setdefault(pk, []).append(value)
    return [
        MyEvent(e.event_id, e.event_time, e.biz_step, e.disposition, sorted(codes.get(e.id, [])), e.biz_location)
        for e in events
    ]


def _beijing_midnight(day: date) -> datetime:
    return datetime.combine(day, time(), tzinfo=BEIJING)
