"""The enterprise console, composed from the domains: my products (master data), my code batches and label
sheets (issuance), events spreadsheet upload (capture's spreadsheet import, once it exists)."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from zhuisu.capture import importer
from zhuisu.config import Settings
from zhuisu.issuance import service as issuance_service
from zhuisu.models import CodeBatch, Party, Product
from zhuisu.parties import masterdata


@dataclass(frozen=True)
class UploadResult:
    """Rows accepted and rejected (with reasons) from an uploaded events spreadsheet."""

    available: bool
    accepted: int = 0
    rejected: list[dict[str, Any]] = field(default_factory=list)


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
    return issuance_service.batch_labels_pdf(session, batch_id, actor=party, max_labels=settings.labels_max_per_pdf)


def upload_events(session: Session, data: bytes, *, filename: str, party: Party) -> UploadResult:
    """Import an events spreadsheet through capture's ``import_spreadsheet`` (rows rejected with reasons).

    Until capture provides that function the console says the upload is not available yet.
    """
    spreadsheet_import: Callable[..., Any] | None = getattr(importer, "import_spreadsheet", None)
    if spreadsheet_import is None:
        return UploadResult(available=False)
    result = spreadsheet_import(session, data, filename=filename, actor=party)
    return UploadResult(
        available=True, accepted=int(getattr(result, "accepted", 0)), rejected=list(getattr(result, "rejected", []))
    )
