"""Complaints and reports (投诉举报) from the public, acknowledged with a reference number, handled by regulators.

``file_complaint`` stores what was filed and returns it with its reference (``TS<yyyymmdd>-<6 characters>``);
``handle_complaint`` moves it ``received`` → ``in_progress`` → ``closed`` (a closed one cannot change). Both write
an audit entry; neither commits.
"""

import secrets

from sqlalchemy.orm import Session

from zhuisu.errors import Conflict, InvalidInput, NotFound, ZhuisuError
from zhuisu.kit.time import format_iso, utc_now
from zhuisu.models import AuditEntry, Complaint, Party
from zhuisu.portal import repository
from zhuisu.portal import service as portal_service
from zhuisu.portal.schemas import ComplaintAck, ComplaintCreate, ComplaintRead
from zhuisu.trace import service as trace_service

STATUSES = ("received", "in_progress", "closed")
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
_NEXT = {"received": {"in_progress", "closed"}, "in_progress": {"closed"}, "closed": set()}


def _reference() -> str:
    return f"TS{utc_now():%Y%m%d}-" + "".join(secrets.choice(_ALPHABET) for _ in range(6))


def file_complaint(session: Session, data: ComplaintCreate, *, language: str) -> Complaint:
    """Store a complaint or report; the code, when given, is kept canonical with the product it names."""
    if not data.message.strip():
        raise InvalidInput("请填写投诉或举报内容", message_en="please describe the problem", field="message")
    code = ""
    if data.code.strip():
        try:
            code = trace_service.canonical_code(data.code)
        except ZhuisuError:
            code = data.code.strip()
    product = portal_service.find_product(session, code) if code else None
    complaint = Complaint(
        reference=_reference(),
        kind=data.kind,
        code=code,
        product_name=product.name if product else "",
        message=data.message.strip(),
        contact=data.contact.strip(),
        language=language if language == "en" else "zh",
        region=portal_service.producer_region(session, product),
        status="received",
        note="",
    )
    session.add(complaint)
    session.flush()
    session.add(
        AuditEntry(
            actor_id=None,
            action="complaint_filed",
            subject=complaint.id,
            payload={"reference": complaint.reference, "kind": data.kind, "code": code},
        )
    )
    return complaint


def get_complaint(session: Session, reference: str) -> Complaint:
    complaint = repository.find_by_reference(session, reference.strip().upper())
    if complaint is None:
        raise NotFound(f"没有编号为 {reference} 的投诉举报", message_en=f"no complaint {reference}")
    return complaint


def list_complaints(
    session: Session, *, status: str | None = None, region_prefix: str = "", limit: int = 200
) -> list[Complaint]:
    return repository.list_complaints(session, status=status, region_prefix=region_prefix, limit=limit)


def handle_complaint(session: Session, reference: str, *, actor: Party, status: str, note: str = "") -> Complaint:
    """Move a complaint to ``status`` with a note. Raises NotFound, InvalidInput (unknown status) or Conflict
    (a step backwards, or a closed complaint)."""
    if status not in STATUSES:
        raise InvalidInput(
            f"状态 {status!r} 无效，应为 {'、'.join(STATUSES)} 之一",
            message_en=f"invalid status {status!r}: one of {', '.join(STATUSES)}",
            field="status",
        )
    complaint = get_complaint(session, reference)
    if status not in _NEXT[complaint.status]:
        raise Conflict(
            f"投诉举报 {complaint.reference} 状态为 {complaint.status}，不能改为 {status}",
            message_en=f"complaint {complaint.reference} is {complaint.status}; it cannot become {status}",
        )
    complaint.status, complaint.handled_by, complaint.handled_at = status, actor.id, utc_now()
    complaint.note = note.strip()
    session.add(
        AuditEntry(
            actor_id=actor.id,
            action="complaint_handled",
            subject=complaint.id,
            payload={"reference": complaint.reference, "status": status, "note": complaint.note},
        )
    )
    session.flush()
    return complaint


def acknowledgement(complaint: Complaint) -> ComplaintAck:
    return ComplaintAck(
        reference=complaint.reference,
        kind=complaint.kind,
        status=complaint.status,
        created_at=format_iso(complaint.created_at),
    )


def complaint_read(complaint: Complaint) -> ComplaintRead:
    return ComplaintRead(
        reference=complaint.reference,
        kind=complaint.kind,
        code=complaint.code,
        product_name=complaint.product_name,
        message=complaint.message,
        contact=complaint.contact,
        language=complaint.language,
        region=complaint.region,
        status=complaint.status,
        note=complaint.note,
        created_at=format_iso(complaint.created_at),
        handled_at=format_iso(complaint.handled_at) if complaint.handled_at else None,
    )
