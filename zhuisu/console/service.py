"""The enterprise console, composed from the domains: my products (master data), my code batches and label
sheets (issuance), events spreadsheet upload (``spreadsheet``: rows → EPCIS events → capture), and the recall inbox
(recall: the recalls naming the party as a holder, with its own line's completion)."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuisu.config import Settings
from zhuisu.console import permissions, spreadsheet
from zhuisu.issuance import service as issuance_service
from zhuisu.models import CodeBatch, ConsoleUpload, Party, Product
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
