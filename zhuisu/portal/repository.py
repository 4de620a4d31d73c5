"""Queries of the portal's own table: complaints and reports."""

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhuisu.models import Complaint


def find_by_reference(session: Session, reference: str) -> Complaint | None:
    return session.scalar(select(Complaint).where(Complaint.reference == reference))


def list_complaints(session: Session, *, status: str | None, region_prefix: str, limit: int) -> list[Complaint]:
    stmt = select(Complaint).order_by(Complaint.created_at.desc(), Complaint.id).limit(limit)
    if status:
        stmt = stmt.where(Complaint.status == status)
    if region_prefix:
        stmt = stmt.where(Complaint.region.startswith(region_prefix))
    return list(session.scalars(stmt))
