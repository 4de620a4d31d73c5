"""Recall: the impact of a code (everything downstream, how much of each lot, who holds each thing now, where).

Reads only: a forward walk of the trace graph with current holdings (``zhuisu.trace.walk``), then ``impact``.
"""

from sqlalchemy.orm import Session

from zhuisu.codes.canonical import canonical_code
from zhuisu.models import Party
from zhuisu.recall import impact, permissions
from zhuisu.trace import repository
from zhuisu.trace.schemas import ImpactRead
from zhuisu.trace.walk import gc_paused, walk


def recall_impact(session: Session, code: str, *, viewer: Party | None = None) -> ImpactRead:
    """Everything downstream of ``code`` with quantities, current holders and their regions, as ``viewer`` may see
    it (``permissions``; None: the local operator, who sees everything)."""
    start = canonical_code(code)
    repository.prepare_bulk_reads(session)
    with gc_paused():
        found = impact.impact_of(session, walk(session, start, "forward", holdings=True))
    return permissions.narrow_impact(session, viewer, found)
